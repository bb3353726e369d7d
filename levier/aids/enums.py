from django.db import models


class BeneficiaryKind(models.TextChoices):
    COMPANY = "company", "Entreprise"
    ESS_STRUCTURE = "ess_structure", "Structure de l'ESS"
    ASSOCIATION = "association", "Association"
    PROJECT_HOLDER = "project_holder", "Porteur de projet"


class AidKind(models.TextChoices):
    SUBSIDY = "subsidy", "Subvention"
    ZERO_RATE_LOAN = "zero_rate_loan", "Prêt à taux zéro"
    HONOUR_LOAN = "honour_loan", "Prêt d'honneur"
    GUARANTEE = "guarantee", "Garantie"
    CONSULTING_DAYS = "consulting_days", "Jours de conseil"
    INVESTMENT_SUPPORT = "investment_support", "Aide à l'investissement"
    ACCOMPANIMENT = "accompaniment", "Accompagnement"


class ComponentKind(models.TextChoices):
    LOAN = "loan", "Prêt"
    SUBSIDY = "subsidy", "Subvention"
    CONSULTING_SUBSIDY = "consulting_subsidy", "Subvention de conseil"
    INVESTMENT_SUBSIDY = "investment_subsidy", "Aide à l'investissement"
    CONSULTING_DAYS = "consulting_days", "Jours de conseil"


GRANT_KINDS = frozenset({ComponentKind.SUBSIDY, ComponentKind.CONSULTING_SUBSIDY, ComponentKind.INVESTMENT_SUBSIDY})
LOAN_KINDS = frozenset({ComponentKind.LOAN})


class SchemeStatus(models.TextChoices):
    DRAFT = "draft", "Brouillon"
    IN_REVIEW = "in_review", "En relecture"
    PUBLISHED = "published", "Publié"
    CLOSED = "closed", "Clos"


SCHEME_TRANSITIONS = {
    SchemeStatus.DRAFT: {SchemeStatus.IN_REVIEW},
    SchemeStatus.IN_REVIEW: {SchemeStatus.PUBLISHED, SchemeStatus.DRAFT},
    SchemeStatus.PUBLISHED: {SchemeStatus.CLOSED},
    SchemeStatus.CLOSED: set(),
}


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", "Brouillon"
    SUBMITTED = "submitted", "Déposée"


class EvaluationStatus(models.TextChoices):
    ELIGIBLE = "eligible", "Éligible"
    INCOMPLETE = "incomplete", "Informations manquantes"
    INELIGIBLE = "ineligible", "Non éligible"


class DeMinimisRegime(models.TextChoices):
    """Which de minimis regulation an aid falls under (the regulation in force is chosen by the grant
    date: levier.funding.rules.de_minimis). Never read from a free-text legal basis."""

    NONE = "", "Hors de minimis"
    GENERAL = "general", "De minimis général (règlement 1407/2013 puis 2023/2831)"
    AGRICULTURE = "agriculture", "De minimis agricole (règlement 1408/2013)"
    FISHERIES = "fisheries", "De minimis pêche et aquaculture (règlement 717/2014)"
    SGEI = "sgei", "De minimis SIEG (règlement 360/2012 puis 2023/2832)"
