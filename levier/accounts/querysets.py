from django.db import models
from django.db.models import Exists, OuterRef, Q

from levier.core.workflow import StatusGuardedQuerySet

from .enums import MembershipStatus, Role


class MembershipQuerySet(StatusGuardedQuerySet):
    def accepted(self):
        return self.filter(status=MembershipStatus.ACCEPTED)

    def pending(self):
        return self.filter(status=MembershipStatus.PENDING)

    def visible_to(self, user):
        """Own memberships; memberships of the units one belongs to; for company members,
        requests to join their organisation; for operator instructors, requests to join
        an organisation that has no accepted member yet."""
        from .permissions import scope_of

        scope = scope_of(user)
        if not scope.is_authenticated:
            return self.none()
        if scope.is_admin:
            return self
        condition = Q(user_id=scope.user_id) | Q(unit_id__in=scope.units())
        if scope.company_organisation_ids:
            condition |= Q(unit__organisation_id__in=scope.company_organisation_ids)
        if Role.OPERATOR_INSTRUCTOR in scope.roles:
            condition |= Q(status=MembershipStatus.PENDING, role=Role.COMPANY) & ~Exists(
                self.model.objects.filter(
                    unit__organisation_id=OuterRef("unit__organisation_id"),
                    role=Role.COMPANY,
                    status=MembershipStatus.ACCEPTED,
                )
            )
        return self.filter(condition)

    def decidable_by(self, user):
        """Pending company requests that `user` may accept or refuse."""
        from .permissions import scope_of

        scope = scope_of(user)
        pending = self.pending().filter(role=Role.COMPANY)
        if scope.is_admin:
            return pending
        if scope.is_read_only:
            return self.none()
        condition = Q(unit__organisation_id__in=scope.company_organisation_ids)
        if Role.OPERATOR_INSTRUCTOR in scope.roles:
            condition |= ~Exists(
                self.model.objects.filter(
                    unit__organisation_id=OuterRef("unit__organisation_id"),
                    role=Role.COMPANY,
                    status=MembershipStatus.ACCEPTED,
                )
            )
        return pending.filter(condition).exclude(user_id=scope.user_id)
