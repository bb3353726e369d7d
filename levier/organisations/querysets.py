from django.db import models
from django.db.models import Q

from .enums import OrganisationKind


def _organisation_condition(user, prefix: str = "") -> Q | None:
    """Who sees an organisation (None = everything):
    - administrators: every organisation;
    - staff roles: the directory of legal entities (public SIRENE data), and natural
      persons only when recorded by one of their units;
    - companies and project holders: their own organisation, once accepted;
    - anyone else: nothing."""
    from levier.accounts.permissions import scope_of

    scope = scope_of(user)
    if scope.is_admin:
        return None
    condition = Q(**{f"{prefix}id__in": scope.company_organisation_ids})
    if scope.is_staff_member:
        condition |= ~Q(**{f"{prefix}kind": OrganisationKind.NATURAL_PERSON})
        condition |= Q(**{f"{prefix}owner_unit_id__in": scope.units()})
    return condition


class OrganisationQuerySet(models.QuerySet):
    def visible_to(self, user):
        condition = _organisation_condition(user)
        return self if condition is None else self.filter(condition)

    def with_siren(self, siren: str):
        return self.filter(siren=siren)


class EstablishmentQuerySet(models.QuerySet):
    def visible_to(self, user):
        condition = _organisation_condition(user, prefix="organisation__")
        return self if condition is None else self.filter(condition)


class UnitQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Staff see the directory of units; companies see their own organisation's units."""
        from levier.accounts.permissions import scope_of

        scope = scope_of(user)
        if scope.is_admin or scope.is_staff_member:
            return self
        return self.filter(organisation_id__in=scope.company_organisation_ids)
