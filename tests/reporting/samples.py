"""Reports the tests render."""

from datetime import date
from decimal import Decimal

from levier.reporting.model import BarChart, Column, Paragraph, Report, Series, Table

TITLE = "Bilan de l'emploi 2026"


def aid_table() -> Table:
    return Table(
        title="Aides versées par territoire",
        columns=[
            Column("territory", "Territoire"),
            Column("jobs", "Emplois créés", "integer"),
            Column("amount", "Montant versé", "euros"),
            Column("rate", "Taux de réalisation", "percent", decimals=1),
            Column("paid_on", "Dernier versement", "date"),
        ],
        rows=[
            {
                "territory": "Marseille",
                "jobs": 1250,
                "amount": Decimal("1325000"),
                "rate": Decimal("0.425"),
                "paid_on": date(2026, 11, 22),
            },
            {
                "territory": "Aix-en-Provence",
                "jobs": 310,
                "amount": Decimal("1801.8"),
                "rate": Decimal("0.9"),
                "paid_on": date(2026, 1, 3),
            },
            {"territory": "=HYPERLINK(\"http://exemple.invalid\")", "jobs": 0, "amount": Decimal("-250.50")},
        ],
        footnote="Source : Levier.",
    )


def jobs_chart() -> BarChart:
    return BarChart(
        title="Emplois créés et prévus",
        labels=["Marseille", "Aix-en-Provence", "Arles"],
        series=[Series("Créés", [1250, 310, 0]), Series("Prévus", [1400, 400, 25])],
        kind="integer",
    )


def sample_report() -> Report:
    return Report(
        title=TITLE,
        subtitle="Bouches-du-Rhône",
        sections=[
            Paragraph("Les chiffres <b>de l'année</b>.", title="Synthèse"),
            aid_table(),
            jobs_chart(),
            BarChart("Montants versés", ["Marseille"], [Series("Montant", [Decimal("1325000")])], kind="euros"),
        ],
        generated_on=date(2026, 11, 22),
        notes=["Montants en euros courants."],
    )
