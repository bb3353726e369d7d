from django.db import models
from django.db.models import Q

from levier.core.workflow import StatusGuardedQuerySet

from .enums import SchemeStatus

PUBLIC_STATUSES = (SchemeStatus.PUBLISHED, SchemeStatus.CLOSED)


class SchemeQuerySet(StatusGuardedQuerySet):
    def public(self):
        """Published schemes, and closed ones, which stay visible as closed."""
        return self.filter(status__in=PUBLIC_STATUSES)

    def visible_to(self, user):
        """The public catalogue for everyone; drafts and schemes in review to their operator's
        instructors, to catalogue editors and steering of a territory the perimeter touches, to administrators."""
        from levier.accounts.enums import Role
        from levier.accounts.permissions import scope_of

        scope = scope_of(user)
        if scope.is_admin:
            return self
        condition = Q(status__in=PUBLIC_STATUSES)
        if Role.OPERATOR_INSTRUCTOR in scope.roles:
            condition |= Q(owner_unit_id__in=scope.units(Role.OPERATOR_INSTRUCTOR))
        editors = scope.territories(Role.CATALOGUE_EDITOR, Role.STEERING)
        if editors:
            condition |= Q(perimeter__in=editors) & ~Q(status=SchemeStatus.DRAFT)
        return self.filter(condition).distinct()
