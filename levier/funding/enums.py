from dataclasses import dataclass

from django.db import models


class ConventionKind(models.TextChoices):
    OBLIGATION = "obligation", "Obligation de revitalisation (L1233-84, L1237-19-9)"
    VOLUNTARY = "voluntary", "Participation convenue (L1233-87)"


class Procedure(models.TextChoices):
    PSE = "pse", "Licenciement collectif pour motif économique"
    RCC = "rcc", "Rupture conventionnelle collective"
    OTHER = "other", "Autre procédure"


class ConventionStatus(models.TextChoices):
    DRAFT = "draft", "En préparation"
    NOT_SUBJECT = "not_subject", "Non assujettie"
    SIGNED = "signed", "Signée"
    AGREEMENT_IN_LIEU = "agreement_in_lieu", "Accord collectif tenant lieu de convention"
    TREASURY = "treasury", "Contribution au Trésor (titre de perception)"
    CLOSED = "closed", "Clôturée"


# A convention's actions: name → (states it starts from, state it leads to, label in the history).
CONVENTION_ACTIONS = {
    "not_subject": ({ConventionStatus.DRAFT}, ConventionStatus.NOT_SUBJECT, "Décision de non-assujettissement"),
    "sign": ({ConventionStatus.DRAFT}, ConventionStatus.SIGNED, "Signature de la convention"),
    "agreement_in_lieu": ({ConventionStatus.DRAFT}, ConventionStatus.AGREEMENT_IN_LIEU,
                          "Accord collectif tenant lieu de convention"),
    "treasury": ({ConventionStatus.DRAFT}, ConventionStatus.TREASURY, "Titre de perception émis"),
    "close": ({ConventionStatus.SIGNED, ConventionStatus.AGREEMENT_IN_LIEU}, ConventionStatus.CLOSED, "Clôture"),
}


class ConventionStepKind(models.TextChoices):
    """Dated steps of a convention's procedure, each with its author and reasons."""

    SUBJECTION = "subjection", "Décision du préfet sur l'assujettissement (D1233-38)"
    FRAMEWORK_DOCUMENT = "framework_document", "Document-cadre d'une démarche volontaire (D1233-41 II)"
    AGREEMENT_REQUEST = "agreement_request", "Demande : un accord collectif tient lieu de convention (L1233-85)"
    AGREEMENT_OPPOSITION = "agreement_opposition", "Opposition motivée de l'administration à l'accord collectif"
    TREASURY_TITLE = "treasury_title", "Titre de perception émis (D1233-44)"
    AMENDMENT = "amendment", "Avenant prolongeant la convention"
    REMAINDER = "remainder", "Emploi du reliquat à la clôture"


class MeasureKind(models.TextChoices):
    ACTION = "action", "Action financée (à son coût)"
    LOAN = "loan", "Prêt (à son coût prévisionnel)"
    REAL_ESTATE = "real_estate", "Cession d'un bien immobilier"


class Anticipation(models.TextChoices):
    """Why a measure taken before the convention's signature counts (L1233-85 al. 2, D1233-41)."""

    NONE = "", "Prise après la signature"
    ENGAGED = "engaged", "Engagée avant la signature pour le bassin d'emploi (D1233-41 I)"
    GPEC = "gpec", "Mise en œuvre par anticipation dans un accord de GPEC"
    PLAN = "plan", "Prévue par le plan de sauvegarde de l'emploi ou l'accord de RCC"
    VOLUNTARY_FRAMEWORK = "voluntary_framework", "Démarche volontaire sous document-cadre (D1233-41 II)"


class RemainderUse(models.TextChoices):
    NONE = "", "Aucun reliquat"
    FUND = "fund", "Versé à un fonds mutualisé"
    OTHER = "other", "Autre emploi prévu par la convention"


class Rating(models.TextChoices):
    """The borrower's rating, as in the table of margins of communication 2008/C 14/02."""

    VERY_GOOD = "very_good", "Très bonne (AAA à A)"
    GOOD = "good", "Bonne (BBB)"
    SATISFACTORY = "satisfactory", "Satisfaisante (BB)"
    WEAK = "weak", "Faible (B)"
    BAD = "bad", "Mauvaise ou difficultés financières (CCC et en dessous)"


class Collateral(models.TextChoices):
    HIGH = "high", "Sûretés élevées"
    NORMAL = "normal", "Sûretés normales"
    LOW = "low", "Sûretés faibles"


class LoanFrequency(models.TextChoices):
    MONTHLY = "monthly", "Mensuelle"
    QUARTERLY = "quarterly", "Trimestrielle"
    HALF_YEARLY = "half_yearly", "Semestrielle"
    YEARLY = "yearly", "Annuelle"


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


# The instruction's actions (levier.funding.instruction fires them through levier.core.workflow).
INSTRUCTION_INSTRUCTOR, INSTRUCTION_APPLICANT = "instructor", "applicant"


@dataclass(frozen=True)
class Transition:
    """One action of the instruction: from which states, to which, fired by whom, its label."""

    sources: frozenset
    target: str
    by: str
    label: str
    reason_required: bool = False


_S, _I, _A = InstructionStatus, INSTRUCTION_INSTRUCTOR, INSTRUCTION_APPLICANT
INSTRUCTION_ACTIONS = {
    "start": Transition(frozenset({_S.SUBMITTED}), _S.UNDER_INSTRUCTION, _I, "Commencer l'instruction"),
    "request_documents": Transition(frozenset({_S.UNDER_INSTRUCTION}), _S.AWAITING_DOCUMENTS, _I, "Demander des pièces"),
    "answer_documents": Transition(frozenset({_S.AWAITING_DOCUMENTS}), _S.UNDER_INSTRUCTION, _A,
                                   "Répondre à la demande de pièces"),
    "declare_eligible": Transition(frozenset({_S.UNDER_INSTRUCTION}), _S.ELIGIBLE, _I, "Déclarer éligible"),
    "declare_ineligible": Transition(frozenset({_S.UNDER_INSTRUCTION}), _S.INELIGIBLE, _I, "Déclarer inéligible", True),
    "put_on_agenda": Transition(frozenset({_S.ELIGIBLE}), _S.IN_COMMITTEE, _I, "Inscrire à l'ordre du jour"),
    "grant": Transition(frozenset({_S.IN_COMMITTEE}), _S.GRANTED, _I, "Accorder"),
    "refuse": Transition(frozenset({_S.IN_COMMITTEE}), _S.REFUSED, _I, "Refuser", True),
    "adjourn": Transition(frozenset({_S.IN_COMMITTEE}), _S.ELIGIBLE, _I, "Ajourner au comité suivant"),
    "sign_agreement": Transition(frozenset({_S.GRANTED}), _S.AGREEMENT_SIGNED, _I, "Enregistrer la convention signée"),
    "disburse": Transition(frozenset({_S.AGREEMENT_SIGNED, _S.DISBURSING}), _S.DISBURSING, _I, "Verser une tranche"),
    "start_follow_up": Transition(frozenset({_S.DISBURSING}), _S.FOLLOW_UP, _I, "Passer au suivi des emplois"),
    "close": Transition(frozenset({_S.FOLLOW_UP}), _S.CLOSED, _I, "Clôturer"),
    "withdraw": Transition(frozenset({_S.SUBMITTED, _S.UNDER_INSTRUCTION, _S.AWAITING_DOCUMENTS, _S.ELIGIBLE,
                                      _S.IN_COMMITTEE, _S.GRANTED}), _S.WITHDRAWN, _A, "Retirer la demande"),
}


class CommitteeStatus(models.TextChoices):
    PLANNED = "planned", "Prévu"
    HELD = "held", "Tenu"
