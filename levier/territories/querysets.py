from datetime import date

from django.db import models
from django.db.models import Q

from .enums import COMMUNE_LEVEL, TerritoryKind


def _valid_on(on: date) -> Q:
    return (Q(valid_from__isnull=True) | Q(valid_from__lte=on)) & (Q(valid_to__isnull=True) | Q(valid_to__gte=on))


class TerritoryQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The territory referential is public open data."""
        return self

    def communes(self):
        return self.filter(kind=TerritoryKind.COMMUNE)

    def commune_level(self):
        return self.filter(kind__in=COMMUNE_LEVEL)

    def existing_on(self, on: date):
        return self.filter(_valid_on(on))


class TerritoryLinkQuerySet(models.QuerySet):
    def valid_on(self, on: date):
        return self.filter(_valid_on(on))
