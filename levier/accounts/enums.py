from django.db import models


class Role(models.TextChoices):
    ADMINISTRATOR = "administrator", "Administrateur"
    STEERING = "steering", "Pilotage (État, Métropole)"
    OPERATOR_INSTRUCTOR = "operator_instructor", "Instructeur d'un opérateur"
    CATALOGUE_EDITOR = "catalogue_editor", "Éditeur du catalogue"
    PLIE_COORDINATOR = "plie_coordinator", "Coordinateur PLIE"
    REFERENT = "referent", "Référent de parcours"
    EMPLOYER_RELATIONS = "employer_relations", "Chargé de relations entreprises"
    CLAUSE_FACILITATOR = "clause_facilitator", "Facilitateur des clauses sociales"
    AUDITOR = "auditor", "Auditeur"
    FSE_CONTROLLER = "fse_controller", "Contrôleur FSE"
    COMPANY = "company", "Entreprise ou porteur de projet"
    COMMITTEE_MEMBER = "committee_member", "Membre extérieur d'un comité"


# Outside committee members (elected officials, bankers) see only the files of their agenda.
STAFF_ROLES = frozenset(Role.values) - {Role.COMPANY, Role.COMMITTEE_MEMBER}
# Roles that can see personal data of participants: they log in with a second factor.
SECOND_FACTOR_ROLES = frozenset({Role.ADMINISTRATOR, Role.PLIE_COORDINATOR, Role.REFERENT, Role.FSE_CONTROLLER})
READ_ONLY_ROLES = frozenset({Role.AUDITOR, Role.FSE_CONTROLLER})


class MembershipStatus(models.TextChoices):
    PENDING = "pending", "En attente"
    ACCEPTED = "accepted", "Acceptée"
    REFUSED = "refused", "Refusée"
    REVOKED = "revoked", "Révoquée"


# Declared workflow of a membership: status → statuses it may move to.
MEMBERSHIP_TRANSITIONS = {
    MembershipStatus.PENDING: {MembershipStatus.ACCEPTED, MembershipStatus.REFUSED},
    MembershipStatus.ACCEPTED: {MembershipStatus.REVOKED},
    MembershipStatus.REFUSED: set(),
    MembershipStatus.REVOKED: set(),
}
