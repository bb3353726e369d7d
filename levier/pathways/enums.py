"""Choices of PLIE pathways: French labels for what users read, stable codes for files and the API."""

from django.db import models


class Sex(models.TextChoices):
    F = "F", "Femme"
    M = "M", "Homme"
    X = "X", "Non binaire"


class Answer(models.TextChoices):
    """A sensitive question (disability, origin) may be declined."""

    YES = "yes", "Oui"
    NO = "no", "Non"
    DECLINED = "declined", "Ne souhaite pas répondre"


class PathwayStatus(models.TextChoices):
    PENDING = "pending", "En attente de la décision d'éligibilité"
    ACTIVE = "active", "En parcours"
    REFUSED = "refused", "Non retenu"
    EXITED = "exited", "Sorti"
    CARRIED_OVER = "carried_over", "Reporté sur le protocole suivant"


# Declared workflow of a pathway: status → statuses it may move to.
PATHWAY_TRANSITIONS = {
    PathwayStatus.PENDING: {PathwayStatus.ACTIVE, PathwayStatus.REFUSED},
    PathwayStatus.ACTIVE: {PathwayStatus.EXITED, PathwayStatus.CARRIED_OVER},
    PathwayStatus.REFUSED: set(),
    PathwayStatus.EXITED: {PathwayStatus.ACTIVE},  # an exit recorded by mistake is cancelled by the coordinator
    PathwayStatus.CARRIED_OVER: set(),
}


class PrescriberType(models.TextChoices):
    POLE_EMPLOI = "pole_emploi", "France Travail (Pôle emploi)"
    POLE_INSERTION = "pole_insertion", "Pôle insertion du Département"
    CCAS = "ccas", "CCAS"
    CAF = "caf", "CAF"
    BME = "bme", "Bureau municipal de l'emploi"
    MISSION_LOCALE = "mission_locale", "Mission locale"
    CAP_EMPLOI = "cap_emploi", "Cap emploi"
    OTHER = "other", "Autre"


class EligibilityCriterion(models.TextChoices):
    """Seed 002: the national publics, and the accumulation of difficulties."""

    LONG_TERM_UNEMPLOYED = "long_term_unemployed", "Demandeur d'emploi de longue durée"
    DISABLED_WORKER = "disabled_worker", "Travailleur handicapé"
    MINIMUM_INCOME = "minimum_income", "Allocataire d'un minimum social (RSA, ASS, AAH)"
    ACCUMULATED_DIFFICULTIES = "accumulated_difficulties", "Cumul de difficultés d'insertion"
    YOUNG_LOW_QUALIFIED = "young_low_qualified", "Jeune peu ou pas qualifié"
    SENIOR = "senior", "Demandeur d'emploi de plus de 50 ans"


class ExitKind(models.TextChoices):
    CDI = "cdi", "CDI"
    CDD = "cdd", "CDD"
    INTERIM = "interim", "Intérim"
    TRAINING = "training", "Formation qualifiante"
    BUSINESS_CREATION = "business_creation", "Création ou reprise d'entreprise"
    COMMITTEE = "committee", "Sortie positive décidée en comité"
    DROPOUT = "dropout", "Abandon"
    MOVED = "moved", "Déménagement"
    DEATH = "death", "Décès"
    RETIREMENT = "retirement", "Retraite"
    OTHER = "other", "Autre (dont orientation vers un dispositif plus adapté)"


# The exit vocabulary, spelled once: the kinds the protocol's rules may find positive, the exits without a job,
# the kinds an import file may carry (a committee's decision is never imported), and the kinds counted as a job
# in the PLIE's report (a business creation is one; a training is not).
POSITIVE_EXIT_KINDS = tuple(k.value for k in (ExitKind.CDI, ExitKind.CDD, ExitKind.INTERIM, ExitKind.TRAINING,
                                              ExitKind.BUSINESS_CREATION))
OTHER_EXIT_KINDS = tuple(k.value for k in (ExitKind.DROPOUT, ExitKind.MOVED, ExitKind.DEATH, ExitKind.RETIREMENT,
                                           ExitKind.OTHER))
FILE_EXIT_KINDS = POSITIVE_EXIT_KINDS + OTHER_EXIT_KINDS
EMPLOYMENT_EXIT_KINDS = tuple(k for k in POSITIVE_EXIT_KINDS if k != ExitKind.TRAINING)


class ExitSource(models.TextChoices):
    RULE = "rule", "Règles du protocole"
    COMMITTEE = "committee", "Comité opérationnel"
    IMPORT = "import", "Import"
    OTHER = "other", "Sortie sans emploi"


class ExitCategory(models.TextChoices):
    EMPLOYMENT = "employment", "Emploi durable"
    TRAINING = "training", "Formation qualifiante"
    BUSINESS_CREATION = "business_creation", "Création d'activité"


# The category of a positive exit of each kind ("training": a qualifying training of more than 6 months).
CATEGORY_OF_KIND = {"cdi": ExitCategory.EMPLOYMENT.value, "cdd": ExitCategory.EMPLOYMENT.value,
                    "interim": ExitCategory.EMPLOYMENT.value, "training": ExitCategory.TRAINING.value,
                    "business_creation": ExitCategory.BUSINESS_CREATION.value}


class StepKind(models.TextChoices):
    DIAGNOSTIC = "diagnostic", "Diagnostic"
    MOBILITY_DIAGNOSIS = "mobility_diagnosis", "Diagnostic mobilité (WIMOOV)"
    REMOBILISATION = "remobilisation", "Remobilisation"
    TRAINING = "training", "Formation"
    IAE = "iae", "Contrat d'insertion (IAE)"
    JOB = "job", "Emploi"
    BUSINESS_CREATION = "business_creation", "Création d'entreprise"
    HEALTH = "health", "Santé"
    HOUSING = "housing", "Logement"
    CHILDCARE = "childcare", "Garde d'enfants"


# Steps after which an exit may be proposed by the protocol's rules.
EXIT_STEP_KINDS = ("training", "job", "business_creation")


class IaeKind(models.TextChoices):
    ACI = "ACI", "Atelier et chantier d'insertion"
    EI = "EI", "Entreprise d'insertion"
    ETTI = "ETTI", "Entreprise de travail temporaire d'insertion"
    AI = "AI", "Association intermédiaire"
    GEIQ = "GEIQ", "Groupement d'employeurs pour l'insertion et la qualification"


class ContractKind(models.TextChoices):
    CDI = "cdi", "CDI"
    CDD = "cdd", "CDD"
    INTERIM = "interim", "Intérim"


class ContractSubtype(models.TextChoices):
    COMMON = "common", "Droit commun"
    CDDI_SIAE = "cddi_siae", "CDDI en structure d'insertion"
    CONTRAT_AIDE = "contrat_aide", "Contrat aidé"
    ALTERNANCE = "alternance", "Alternance"


class ContactKind(models.TextChoices):
    APPOINTMENT = "appointment", "Rendez-vous"
    PHONE = "phone", "Entretien téléphonique"
    NOTE = "note", "Note"


class FseMoment(models.TextChoices):
    ENTRY = "entry", "À l'entrée"
    EXIT = "exit", "À la sortie"
    FOLLOW_UP = "follow_up", "Six mois après la sortie"


class LabourStatus(models.TextChoices):
    UNEMPLOYED = "unemployed", "Chômeur"
    INACTIVE = "inactive", "Inactif"
    EMPLOYED = "employed", "Salarié"
    SELF_EMPLOYED = "self_employed", "Travailleur indépendant"


SENSITIVE_FIELDS = ("rsa", "ass", "aah", "rqth", "foreign_background", "health_difficulty", "debt_difficulty")
