from django.db import models


class ConventionKind(models.TextChoices):
    OBLIGATION = "obligation", "Obligation de revitalisation (L1233-84)"
    VOLUNTARY = "voluntary", "Convention volontaire (L1233-87)"


class Procedure(models.TextChoices):
    PSE = "pse", "Plan de sauvegarde de l'emploi"
    RCC = "rcc", "Rupture conventionnelle collective"
    OTHER = "other", "Autre"


class ConventionStatus(models.TextChoices):
    DRAFT = "draft", "En préparation"
    SIGNED = "signed", "Signée"
    CLOSED = "closed", "Clôturée"


class FinancerKind(models.TextChoices):
    REVITALISATION = "revitalisation", "Convention de revitalisation"
    STATE = "state", "État"
    EU_FSE = "eu_fse", "Union européenne (FSE+)"
    CDC = "cdc", "Caisse des Dépôts"
    METROPOLE = "metropole", "Métropole"
    DEPARTEMENT = "departement", "Département"
    REGION = "region", "Région"
    CITY = "city", "Commune"
    OTHER = "other", "Autre"


class FundKind(models.TextChoices):
    FUND = "fund", "Fonds mutualisé"
    PROGRAMME = "programme", "Programme"


class CommitmentKind(models.TextChoices):
    SUBSIDY = "subsidy", "Subvention"
    LOAN = "loan", "Prêt à taux zéro"
    HONOUR_LOAN = "honour_loan", "Prêt d'honneur"
    CONSULTING = "consulting", "Prestation de conseil"
    IN_KIND = "in_kind", "Accompagnement en nature"


LOAN_KINDS = {CommitmentKind.LOAN, CommitmentKind.HONOUR_LOAN}


class EntryKind(models.TextChoices):
    CONTRIBUTION_CALLED = "contribution_called", "Contribution appelée"
    CONTRIBUTION_RECEIVED = "contribution_received", "Contribution reçue"
    ALLOCATION = "allocation", "Dotation d'un opérateur"
    COMMITMENT = "commitment", "Engagement"
    DECOMMITMENT = "decommitment", "Désengagement"
    DISBURSEMENT = "disbursement", "Versement"
    REPAYMENT = "repayment", "Remboursement de prêt"
    RECOVERY = "recovery", "Reversement"
    WRITE_OFF = "write_off", "Passage en perte"
    IN_KIND = "in_kind", "Valorisation en nature"


class InstructionStatus(models.TextChoices):
    SUBMITTED = "submitted", "Déposée"
    UNDER_INSTRUCTION = "under_instruction", "En instruction"
    AWAITING_DOCUMENTS = "awaiting_documents", "Pièces demandées"
    ELIGIBLE = "eligible", "Éligible"
    INELIGIBLE = "ineligible", "Inéligible"
    IN_COMMITTEE = "in_committee", "Inscrite en comité"
    GRANTED = "granted", "Accordée"
    REFUSED = "refused", "Refusée"
    AGREEMENT_SIGNED = "agreement_signed", "Convention signée"
    DISBURSING = "disbursing", "Versements en cours"
    FOLLOW_UP = "follow_up", "Suivi des emplois"
    CLOSED = "closed", "Clôturée"
    WITHDRAWN = "withdrawn", "Retirée par le demandeur"


class CommitteeStatus(models.TextChoices):
    PLANNED = "planned", "Prévu"
    HELD = "held", "Tenu"
