from django.db import models


class OrganisationKind(models.TextChoices):
    COMPANY = "company", "Entreprise (personne morale)"
    NATURAL_PERSON = "natural_person", "Entrepreneur individuel (personne physique)"
    ASSOCIATION = "association", "Association"
    ESS_STRUCTURE = "ess_structure", "Structure de l'ESS (coopérative, mutuelle, fondation)"
    PUBLIC_BODY = "public_body", "Collectivité ou établissement public"
    STATE_SERVICE = "state_service", "Service de l'État"
    EU_INSTITUTION = "eu_institution", "Institution de l'Union européenne"


class OrganisationRole(models.TextChoices):
    FINANCER = "financer", "Financeur"
    OPERATOR = "operator", "Opérateur"
    BENEFICIARY = "beneficiary", "Bénéficiaire"
    PRESCRIBER = "prescriber", "Prescripteur"
    EMPLOYER = "employer", "Employeur"
    CONTRACTING_AUTHORITY = "contracting_authority", "Donneur d'ordre"
    IAE_STRUCTURE = "iae_structure", "Structure d'insertion par l'activité économique"


class IaeKind(models.TextChoices):
    ACI = "ACI", "Atelier et chantier d'insertion (ACI)"
    EI = "EI", "Entreprise d'insertion (EI)"
    ETTI = "ETTI", "Entreprise de travail temporaire d'insertion (ETTI)"
    AI = "AI", "Association intermédiaire (AI)"
    GEIQ = "GEIQ", "Groupement d'employeurs pour l'insertion et la qualification (GEIQ)"


class SizeCategory(models.TextChoices):
    MICRO = "micro", "Microentreprise (TPE)"
    PME = "pme", "PME"
    ETI = "eti", "Entreprise de taille intermédiaire (ETI)"
    GE = "ge", "Grande entreprise"


class UnitKind(models.TextChoices):
    WHOLE = "whole", "Organisation entière"
    DIRECTION = "direction", "Direction"
    SERVICE = "service", "Service"


class ControlBasis(models.TextChoices):
    """How one enterprise controls another (de minimis regulations 1407/2013 and 2023/2831, art. 2(2))."""

    VOTING_RIGHTS = "a", "a) majorité des droits de vote des actionnaires ou associés"
    BOARD = "b", "b) droit de nommer ou révoquer la majorité des dirigeants"
    CONTRACT = "c", "c) influence dominante par contrat ou par les statuts"
    AGREEMENT = "d", "d) contrôle seul de la majorité des droits de vote par accord avec d'autres associés"
