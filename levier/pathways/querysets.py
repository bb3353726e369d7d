"""Who sees which PLIE records (docs/permissions.md, "PLIE pathways").

- the PLIE coordinator: every record of the protocols its unit animates;
- a referent: the participants of its structure (read), its own caseload (changes, sensitive data);
- the FSE controller: the named files of the protocols under control (read only, no export);
- an auditor: the protocols under its scope, without names (pseudonyms) nor sensitive data;
- steering: the protocols of its unit or territory, as aggregated reports only.
"""

from django.db import models
from django.db.models import Q

from levier.core.workflow import StatusGuardedQuerySet


def _scope(user):
    from levier.accounts.permissions import scope_of

    return scope_of(user)


def _nothing(prefix: str = "") -> Q:
    return Q(**{f"{prefix}pk__in": []})


def protocol_condition(scope, prefix: str = "") -> Q:
    """Protocols a staff member may see, at least as aggregates."""
    from levier.accounts.enums import Role

    p, condition = prefix, _nothing(prefix)
    if Role.PLIE_COORDINATOR in scope.roles:
        condition |= Q(**{f"{p}unit_id__in": scope.units(Role.PLIE_COORDINATOR)})
    if Role.REFERENT in scope.roles:
        condition |= Q(**{f"{p}structures__unit_id__in": scope.units(Role.REFERENT)})
    if Role.STEERING in scope.roles:
        condition |= Q(**{f"{p}unit_id__in": scope.units(Role.STEERING)})
        condition |= Q(**{f"{p}territory_id__in": _steered_territory_ids(scope)})
    if scope.roles & {Role.AUDITOR, Role.FSE_CONTROLLER}:
        condition |= Q(**{f"{p}unit_id__in": scope.controlled_unit_ids})
    return condition


def _steered_territory_ids(scope) -> set[int]:
    """Protocols' territories that intersect a steering territory today (the Pays d'Aix for the
    Bouches-du-Rhône's steering): its own territories, and those sharing a commune with them."""
    from django.utils import timezone

    from levier.accounts.enums import Role
    from levier.territories.models import Territory
    from levier.territories.services import composition

    from .models import Protocol

    ids, communes = set(scope.territories(Role.STEERING)), scope.steering_commune_ids
    if communes:
        today = timezone.localdate()  # a permission, not a business rule (as Scope.steering_commune_ids)
        candidates = Protocol.objects.exclude(territory_id__in=ids).values_list("territory_id", flat=True).distinct()
        ids |= {t.id for t in Territory.objects.filter(id__in=candidates)
                if composition(t, today).commune_ids & communes}
    return ids


def pathway_condition(scope, prefix: str = "") -> Q:
    """Pathways whose file (pseudonymised for auditors) a user may open."""
    from levier.accounts.enums import Role

    p, condition = prefix, _nothing(prefix)
    if Role.PLIE_COORDINATOR in scope.roles:
        condition |= Q(**{f"{p}protocol__unit_id__in": scope.units(Role.PLIE_COORDINATOR)})
    if Role.REFERENT in scope.roles:
        condition |= Q(**{f"{p}structure__unit_id__in": scope.units(Role.REFERENT)})
        condition |= Q(**{f"{p}referent_id": scope.user_id})
    if scope.roles & {Role.AUDITOR, Role.FSE_CONTROLLER}:
        condition |= Q(**{f"{p}protocol__unit_id__in": scope.controlled_unit_ids})
    return condition


class ProtocolQuerySet(models.QuerySet):
    def visible_to(self, user):
        scope = _scope(user)
        if scope.is_admin:
            return self
        if not scope.is_authenticated:
            return self.none()
        return self.filter(protocol_condition(scope)).distinct()

    def coordinated_by(self, user):
        from levier.accounts.enums import Role

        scope = _scope(user)
        if scope.is_admin:
            return self
        return self.filter(unit_id__in=scope.units(Role.PLIE_COORDINATOR))


class StructureQuerySet(models.QuerySet):
    def visible_to(self, user):
        from levier.accounts.enums import Role

        scope = _scope(user)
        if scope.is_admin:
            return self
        if not scope.is_authenticated:
            return self.none()
        condition = protocol_condition(scope, "protocol__")
        if Role.REFERENT in scope.roles:
            condition |= Q(unit_id__in=scope.units(Role.REFERENT))
        return self.filter(condition).distinct()


class PathwayQuerySet(StatusGuardedQuerySet):
    def visible_to(self, user):
        scope = _scope(user)
        if scope.is_admin:
            return self
        if not scope.is_authenticated:
            return self.none()
        return self.filter(pathway_condition(scope))

    def editable_by(self, user):
        """The coordinator changes its protocols' pathways; a referent its own caseload."""
        from levier.accounts.enums import Role

        scope = _scope(user)
        if scope.is_admin:
            return self
        condition = Q(referent_id=scope.user_id) if Role.REFERENT in scope.roles else _nothing()
        condition |= Q(protocol__unit_id__in=scope.units(Role.PLIE_COORDINATOR))
        return self.filter(condition)

    def active(self):
        from .enums import PathwayStatus

        return self.filter(status=PathwayStatus.ACTIVE)

    def imported_exits_to_confirm(self):
        """Exits the previous tool recorded as a job, training or business creation, imported unvalidated: the
        coordinator may confirm them (participants.confirm_imported_exit)."""
        from .enums import CATEGORY_OF_KIND, ExitSource, PathwayStatus

        return self.filter(status=PathwayStatus.EXITED, exit_source=ExitSource.IMPORT, exit_kind__in=list(CATEGORY_OF_KIND),
                           exit_category="", exit_date__isnull=False)

    def open_during(self, start, end):
        """Pathways open on at least one day of [start, end] (refused candidates never opened one)."""
        from .enums import PathwayStatus

        return self.exclude(status__in=[PathwayStatus.REFUSED, PathwayStatus.PENDING]).filter(
            entry_date__lte=end).filter(Q(exit_date__isnull=True) | Q(exit_date__gte=start))
