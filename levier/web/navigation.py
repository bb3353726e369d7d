"""Main navigation: each role sees only what it may use."""

from dataclasses import dataclass

from levier.accounts.enums import Role
from levier.accounts.permissions import Scope


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    roles: frozenset[str] | None  # None: every signed-in user

    public: bool = False
    members_only: bool = False  # an organisation member's own space: not an administrator's item

    def allowed(self, scope: Scope) -> bool:
        if self.public:
            return True
        if not scope.is_authenticated:
            return False
        if self.members_only:
            return bool(scope.roles & self.roles)
        return self.roles is None or scope.has(*self.roles)


STAFF = frozenset(Role.values) - {Role.COMPANY, Role.COMMITTEE_MEMBER}
ITEMS = (
    NavItem("Guide des aides", "aids:search", None, public=True),
    NavItem("Simulateur", "aids:simulator", None, public=True),
    NavItem("Tableau de bord", "web:dashboard", None),
    NavItem("Mes demandes", "aids:applications", frozenset({Role.COMPANY}), members_only=True),
    NavItem("Catalogue", "aids:manage_list", frozenset({Role.OPERATOR_INSTRUCTOR, Role.CATALOGUE_EDITOR})),
    NavItem("Organisations", "organisations:list", STAFF),
    NavItem("Mon organisation", "organisations:list", frozenset({Role.COMPANY}), members_only=True),
    NavItem("Demandes d'accès", "accounts:membership_requests", frozenset({Role.OPERATOR_INSTRUCTOR, Role.COMPANY})),
    NavItem("Territoires", "territories:search", STAFF),
    NavItem("Fonds", "funding:funds", frozenset({Role.STEERING, Role.OPERATOR_INSTRUCTOR, Role.AUDITOR})),
    NavItem("Instruction", "funding:instructions",
            frozenset({Role.OPERATOR_INSTRUCTOR, Role.STEERING, Role.AUDITOR, Role.COMMITTEE_MEMBER})),
    NavItem("Suivi PLIE", "pathways:caseload", frozenset({Role.PLIE_COORDINATOR, Role.REFERENT}), members_only=True),
    NavItem("PLIE", "pathways:protocols",
            frozenset({Role.PLIE_COORDINATOR, Role.REFERENT, Role.FSE_CONTROLLER, Role.AUDITOR, Role.STEERING})),
    NavItem("Rapports", "reports:territories", frozenset({Role.STEERING, Role.AUDITOR})),
)


def items_for(scope: Scope) -> list[NavItem]:
    seen, result = set(), []
    for item in ITEMS:
        if item.allowed(scope) and item.url_name not in seen:
            seen.add(item.url_name)
            result.append(item)
    return result
