"""Who may see what: the one place where roles become data scopes.

`scope_of(user)` reads the user's accepted memberships once per request and
gives the sets every `visible_to(user)` queryset filters on. The rule of each
role is written in docs/permissions.md.
"""

from dataclasses import dataclass, field
from functools import cached_property

from .enums import READ_ONLY_ROLES, SECOND_FACTOR_ROLES, STAFF_ROLES, MembershipStatus, Role

_CACHE_ATTR = "_levier_scope"


@dataclass
class Scope:
    user_id: int | None
    is_admin: bool = False
    roles: set[str] = field(default_factory=set)
    unit_ids_by_role: dict[str, set[int]] = field(default_factory=dict)
    organisation_ids_by_role: dict[str, set[int]] = field(default_factory=dict)
    territory_ids_by_role: dict[str, set[int]] = field(default_factory=dict)
    controlled_unit_ids: set[int] = field(default_factory=set)

    @property
    def is_authenticated(self) -> bool:
        return self.user_id is not None

    @property
    def is_staff_member(self) -> bool:
        return self.is_admin or bool(self.roles & STAFF_ROLES)

    def has(self, *roles: str) -> bool:
        return self.is_admin or bool(self.roles & set(roles))

    def units(self, *roles: str) -> set[int]:
        roles = roles or tuple(self.unit_ids_by_role)
        return set().union(*(self.unit_ids_by_role.get(r, set()) for r in roles))

    def organisations(self, *roles: str) -> set[int]:
        roles = roles or tuple(self.organisation_ids_by_role)
        return set().union(*(self.organisation_ids_by_role.get(r, set()) for r in roles))

    def territories(self, *roles: str) -> set[int]:
        roles = roles or tuple(self.territory_ids_by_role)
        return set().union(*(self.territory_ids_by_role.get(r, set()) for r in roles))

    @property
    def company_organisation_ids(self) -> set[int]:
        return self.organisation_ids_by_role.get(Role.COMPANY, set())

    @property
    def needs_second_factor(self) -> bool:
        return self.is_admin or bool(self.roles & SECOND_FACTOR_ROLES)

    @property
    def is_read_only(self) -> bool:
        return not self.is_admin and bool(self.roles) and self.roles <= READ_ONLY_ROLES

    @cached_property
    def steering_commune_ids(self) -> frozenset[int]:
        """Communes of the steering territories, evaluated today (a permission, not a business rule)."""
        from django.utils import timezone

        from levier.territories.models import Territory
        from levier.territories.services import composition

        ids: set[int] = set()
        for territory in Territory.objects.filter(id__in=self.territories(Role.STEERING)):
            ids |= composition(territory, timezone.localdate()).commune_ids
        return frozenset(ids)


ANONYMOUS = Scope(user_id=None)


def scope_of(user) -> Scope:
    """The user's scope, computed once and cached on the user object."""
    if user is None or not user.is_authenticated:
        return ANONYMOUS
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is not None:
        return cached
    from .models import Membership

    scope = Scope(user_id=user.pk, is_admin=user.is_superuser)
    memberships = (
        Membership.objects.filter(user=user, status=MembershipStatus.ACCEPTED, user__is_active=True)
        .select_related("unit")
        .prefetch_related("unit__territories", "scope_units")
    )
    for membership in memberships:
        role = membership.role
        scope.roles.add(role)
        scope.unit_ids_by_role.setdefault(role, set()).add(membership.unit_id)
        scope.organisation_ids_by_role.setdefault(role, set()).add(membership.unit.organisation_id)
        scope.territory_ids_by_role.setdefault(role, set()).update(t.id for t in membership.unit.territories.all())
        if role in READ_ONLY_ROLES:
            scope.controlled_unit_ids.update(u.id for u in membership.scope_units.all())
        if role == Role.ADMINISTRATOR:
            scope.is_admin = True
    setattr(user, _CACHE_ATTR, scope)
    return scope


def forget_scope(user) -> None:
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


# Field-level visibility: a model declares CONFIDENTIAL_FIELDS = {field: category}.
FIELD_CATEGORY_ROLES = {
    "financials": {Role.STEERING, Role.OPERATOR_INSTRUCTOR, Role.AUDITOR},
    # Participants' sensitive data: decided per record (Pathway.confidential_visible_to).
    "participant_sensitive": set(),
}


def can_see_field(user, obj_or_model, field_name: str, *, organisation_id: int | None = None) -> bool:
    """Whether `user` may read `field_name` of a record (also used to mask history entries)."""
    model = obj_or_model if isinstance(obj_or_model, type) else type(obj_or_model)
    category = getattr(model, "CONFIDENTIAL_FIELDS", {}).get(field_name)
    if category is None:
        return True
    scope = scope_of(user)
    if scope.is_admin:
        return True
    if not isinstance(obj_or_model, type) and hasattr(obj_or_model, "confidential_visible_to"):
        return obj_or_model.confidential_visible_to(user, category)  # a per-record rule (participants)
    if organisation_id is None and not isinstance(obj_or_model, type):
        organisation_id = getattr(obj_or_model, "organisation_id", None) or getattr(obj_or_model, "pk", None)
    if organisation_id is not None and organisation_id in scope.company_organisation_ids:
        return True
    return bool(scope.roles & FIELD_CATEGORY_ROLES.get(category, set()))
