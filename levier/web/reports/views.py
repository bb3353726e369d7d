from datetime import date
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from levier.accounts.enums import Role
from levier.accounts.permissions import scope_of
from levier.reporting.model import BarChart, Column, Report, Series, Table
from levier.reporting.render import csv_response, file_response, render_html, render_pdf, render_xlsx
from levier.territories.enums import TerritoryKind
from levier.territories.models import Territory
from levier.territories.statistics import departements_of_region

DEFAULT_REGION = "93"  # Provence-Alpes-Côte d'Azur, the seeds' region


def _build(region: Territory, on: date) -> Report:
    rows = departements_of_region(region, on)
    table = Table(
        title=f"Communes par département — {region.name}",
        columns=[
            Column("code", "Code", "text"),
            Column("name", "Département", "text"),
            Column("communes", "Communes", "integer"),
            Column("rural", "Communes rurales", "integer"),
            Column("rural_share", "Part rurale", "percent"),
            Column("population", "Population municipale", "integer"),
        ],
        rows=[
            {
                "code": r.code, "name": r.name, "communes": r.communes, "rural": r.rural_communes,
                "rural_share": (Decimal(r.rural_communes) / Decimal(r.communes)) if r.communes else Decimal(0),
                "population": r.population,
            }
            for r in rows
        ],
        footnote="Commune rurale : moins de 2 000 habitants (seuil documenté, faute de grille de densité).",
    )
    chart = BarChart(
        title="Nombre de communes par département",
        labels=[f"{r.name} ({r.code})" for r in rows],
        series=[Series("Communes", [r.communes for r in rows]), Series("Communes rurales", [r.rural_communes for r in rows])],
    )
    return Report(
        title=f"Référentiel territorial — {region.name}",
        subtitle=f"Composition au {on:%d/%m/%Y}",
        sections=[table, chart],
        generated_on=on,
        notes=["Source : découpage administratif Etalab, édition chargée dans Levier."],
    )


@login_required
def territories_report(request):
    scope = scope_of(request.user)
    if not scope.has(Role.STEERING, Role.AUDITOR):
        raise PermissionDenied
    region = get_object_or_404(
        Territory, kind=TerritoryKind.REGION, code=request.GET.get("region", DEFAULT_REGION)
    )
    on = timezone.localdate()
    report = _build(region, on)
    fmt = request.GET.get("format", "html")
    slug = f"referentiel-{region.code}-{on:%Y%m%d}"
    if fmt == "pdf":
        return file_response(render_pdf(report, brand=settings.LEVIER_STATE_BRAND), f"{slug}.pdf", "application/pdf")
    if fmt == "xlsx":
        return file_response(
            render_xlsx(report), f"{slug}.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
    if fmt == "csv":
        return csv_response(report.sections[0], f"{slug}.csv")
    regions = Territory.objects.filter(kind=TerritoryKind.REGION).order_by("name")
    return render(
        request,
        "reports/territories.html",
        {"title": report.title, "report_html": render_html(report), "region": region, "regions": regions},
    )
