"""Figures about the territory referential, computed for reports."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Q, Sum

from .enums import TerritoryKind
from .models import Territory, TerritoryLink


@dataclass(frozen=True)
class DepartementFigures:
    code: str
    name: str
    communes: int
    rural_communes: int
    population: int


def departements_of_region(region: Territory, on: date) -> list[DepartementFigures]:
    """Communes, rural communes and population by département of a region at `on`."""
    departement_ids = TerritoryLink.objects.valid_on(on).filter(
        parent=region, child__kind=TerritoryKind.DEPARTEMENT
    ).values_list("child_id", flat=True)
    rows = []
    for departement in Territory.objects.filter(id__in=departement_ids).order_by("code"):
        links = TerritoryLink.objects.valid_on(on).filter(parent=departement, child__kind=TerritoryKind.COMMUNE)
        figures = links.aggregate(
            communes=Count("child_id"),
            rural=Count("child_id", filter=Q(child__is_rural=True)),
            population=Sum("child__population"),
        )
        rows.append(
            DepartementFigures(
                code=departement.code, name=departement.name, communes=figures["communes"],
                rural_communes=figures["rural"], population=figures["population"] or 0,
            )
        )
    return rows
