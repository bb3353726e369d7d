"""Who sees which funding records (docs/permissions.md, "Funds and conventions")."""

from django.db import models
from django.db.models import Q

from levier.core.workflow import StatusGuardedQuerySet


def _scope(user):
    from levier.accounts.permissions import scope_of

    return scope_of(user)


class ConventionQuerySet(StatusGuardedQuerySet):
    def visible_to(self, user):
        """Administrators; the State service that owns it and steering whose territory holds its
        bassin; auditors over that service; the company under the obligation (read only)."""
        from levier.accounts.enums import Role

        scope = _scope(user)
        if scope.is_admin:
            return self
        condition = Q(pk__in=[])
        if Role.STEERING in scope.roles:
            condition |= Q(owner_unit_id__in=scope.units(Role.STEERING)) | Q(bassin_id__in=scope.territories(Role.STEERING))
        if Role.AUDITOR in scope.roles:
            condition |= Q(owner_unit_id__in=scope.controlled_unit_ids)
        if scope.company_organisation_ids:
            condition |= Q(company_id__in=scope.company_organisation_ids)
        return self.filter(condition)


def fund_condition(scope, prefix: str = "") -> Q:
    """Funds a staff member may see: steering of the pilot service or of a territory in the
    perimeter; the operators' instructors; auditors over the pilot or an operator."""
    from levier.accounts.enums import Role

    p = prefix
    condition = Q(pk__in=[]) if not p else Q(**{f"{p}pk__in": []})
    if Role.STEERING in scope.roles:
        condition |= Q(**{f"{p}owner_unit_id__in": scope.units(Role.STEERING)})
        condition |= Q(**{f"{p}perimeter__in": scope.territories(Role.STEERING)})
    if Role.OPERATOR_INSTRUCTOR in scope.roles:
        condition |= Q(**{f"{p}operators__unit_id__in": scope.units(Role.OPERATOR_INSTRUCTOR)})
    if Role.AUDITOR in scope.roles:
        condition |= Q(**{f"{p}owner_unit_id__in": scope.controlled_unit_ids})
        condition |= Q(**{f"{p}operators__unit_id__in": scope.controlled_unit_ids})
    return condition


class FundQuerySet(models.QuerySet):
    def visible_to(self, user):
        scope = _scope(user)
        if scope.is_admin:
            return self
        return self.filter(pk__in=self.model.objects.filter(fund_condition(scope)).values("pk"))


class CommitmentQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Staff: the commitments of the funds they see — an operator's instructors only their
        operator's; the beneficiary company its own."""
        from levier.accounts.enums import Role

        from .models import Fund

        scope = _scope(user)
        if scope.is_admin:
            return self
        condition = Q(pk__in=[])
        if scope.roles & {Role.STEERING, Role.AUDITOR}:
            funds = Fund.objects.filter(fund_condition(_without(scope, Role.OPERATOR_INSTRUCTOR)))
            condition |= Q(fund__in=funds.values("pk"))
        if Role.OPERATOR_INSTRUCTOR in scope.roles:
            condition |= Q(operator__unit_id__in=scope.units(Role.OPERATOR_INSTRUCTOR))
        if scope.company_organisation_ids:
            condition |= Q(beneficiary_id__in=scope.company_organisation_ids)
        return self.filter(condition)


class LedgerEntryQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Entries of the funds a staff member sees (an operator's instructors: their operator's
        entries); a company the entries of its own commitments."""
        from levier.accounts.enums import Role

        from .models import Commitment, Fund

        scope = _scope(user)
        if scope.is_admin:
            return self
        condition = Q(commitment__in=Commitment.objects.visible_to(user).values("pk"))
        if scope.roles & {Role.STEERING, Role.AUDITOR}:
            condition |= Q(fund__in=Fund.objects.filter(fund_condition(_without(scope, Role.OPERATOR_INSTRUCTOR))).values("pk"))
        if Role.OPERATOR_INSTRUCTOR in scope.roles:
            condition |= Q(operator__unit_id__in=scope.units(Role.OPERATOR_INSTRUCTOR))
        return self.filter(condition)


def _without(scope, role):
    """A copy of the scope without one role (to apply another role's rule alone)."""
    from dataclasses import replace

    return replace(scope, roles=scope.roles - {role})


class InstructionQuerySet(StatusGuardedQuerySet):
    def visible_to(self, user):
        """The operator's instructors; steering and auditors of the fund; outside committee members
        only the files on the agenda of their committees; the applicant its own."""
        from levier.accounts.enums import Role

        from .models import Fund

        scope = _scope(user)
        if scope.is_admin:
            return self
        condition = Q(pk__in=[])
        if Role.OPERATOR_INSTRUCTOR in scope.roles:
            condition |= Q(operator__unit_id__in=scope.units(Role.OPERATOR_INSTRUCTOR))
        if scope.roles & {Role.STEERING, Role.AUDITOR}:
            funds = Fund.objects.filter(fund_condition(_without(scope, Role.OPERATOR_INSTRUCTOR)))
            condition |= Q(operator__fund__in=funds.values("pk"))
        if Role.COMMITTEE_MEMBER in scope.roles:
            condition |= Q(committee__members=scope.user_id)
        if scope.company_organisation_ids:
            condition |= Q(application__organisation_id__in=scope.company_organisation_ids)
        return self.filter(pk__in=self.model.objects.filter(condition).values("pk"))
