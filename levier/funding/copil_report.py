"""The Copil figures as a report of the foundation's toolkit (screen, PDF, XLSX)."""

from datetime import date

from levier.core.formats import format_date
from levier.reporting.model import BarChart, Column, Paragraph, Report, Series, Table

from .copil import BREAKDOWNS

BREAKDOWN_TITLES = {  # title, header of the key column
    "by_operator": ("Par opérateur", "Opérateur"), "by_scheme": ("Par dispositif", "Dispositif"),
    "by_naf_section": ("Par section NAF", "Section"), "by_size": ("Par taille d'entreprise", "Catégorie"),
    "by_qpv": ("Quartiers prioritaires (QPV)", "Établissement"), "by_rural": ("Communes rurales", "Commune"),
}
FIGURE_COLUMNS = [
    Column("committed_eur", "Engagé", "euros"), Column("paid_eur", "Versé", "euros"),
    Column("in_kind_eur", "En nature", "euros"), Column("companies", "Entreprises", "integer"),
    Column("jobs_planned", "Emplois prévus", "integer"), Column("jobs_created", "Emplois créés", "integer"),
    Column("jobs_verified", "Emplois vérifiés", "integer"), Column("cost_per_job_created_eur", "Coût par emploi", "euros"),
    Column("leverage", "Effet levier", "decimal", decimals=2),
]


def _period(figures: dict) -> str:
    start, end = figures["from"], figures["to"]
    if start and end:
        return f"du {format_date(start)} au {format_date(end)}"
    if start:
        return f"depuis le {format_date(start)}"
    if end:
        return f"jusqu'au {format_date(end)}"
    return "tout l'historique"


def build_report(figures: dict, *, generated_on: date) -> Report:
    summary = Table(title="Chiffres clés", columns=FIGURE_COLUMNS, rows=[{c.key: figures[c.key] for c in FIGURE_COLUMNS}],
                    footnote="Engagé : engagements moins désengagements, à la date d'engagement. Versé : versements moins "
                             "reversements. Entreprises : SIREN distincts. Emplois : dernière déclaration de chaque "
                             "entreprise. Effet levier : autres financements ÷ engagé.")
    operators = figures["by_operator"]
    sections = [
        summary,
        BarChart(title="Montants engagés et versés par opérateur", labels=[row["key"] for row in operators],
                 series=[Series("Engagé", [row["committed_eur"] for row in operators]),
                         Series("Versé", [row["paid_eur"] for row in operators])], kind="euros"),
        BarChart(title="Emplois prévus et créés par opérateur", labels=[row["key"] for row in operators],
                 series=[Series("Prévus", [row["jobs_planned"] for row in operators]),
                         Series("Créés", [row["jobs_created"] for row in operators])], kind="integer"),
    ]
    for breakdown in BREAKDOWNS:
        title, header = BREAKDOWN_TITLES[breakdown]
        sections.append(Table(
            title=title, columns=[Column("key", header, "text"), *FIGURE_COLUMNS],
            rows=figures[breakdown]))
    sections.append(Table(
        title="Bénéficiaires", columns=[Column("name", "Bénéficiaire", "text"), Column("siren", "SIREN", "text"),
                                        *FIGURE_COLUMNS[:1], *FIGURE_COLUMNS[1:2], *FIGURE_COLUMNS[5:7]],
        rows=[{k: row[k] for k in ("name", "siren", "committed_eur", "paid_eur", "jobs_created", "jobs_verified")}
              for row in figures["beneficiaries"]]))
    for note in figures["notes"]:
        sections.insert(1, Paragraph(note, title="Méthode"))
    return Report(
        title=f"Comité de pilotage des fonds — {figures['scope']}", subtitle=f"Période : {_period(figures)}",
        sections=sections, generated_on=generated_on,
        notes=["Calculé par Levier à partir des écritures, engagements et déclarations d'emplois enregistrés."])

