"""The protocol dashboard as a report of the foundation's toolkit (screen, PDF, XLSX)."""

from datetime import date
from decimal import Decimal

from levier.core.formats import format_date
from levier.reporting.model import BarChart, Column, Paragraph, Report, Series, Table

from .enums import ExitKind, PrescriberType

LEVEL_LABELS = {"I": "Niveau I", "II": "Niveau II", "III": "Niveau III", "IV": "Niveau IV", "V": "Niveau V",
                "Vbis": "Niveau V bis", "VI": "Niveau VI", "Vbis_VI": "dont V bis et VI",
                "1_2": "Niveaux 1 et 2, anciens niveaux V bis et VI compris",
                "7_8": "Niveaux 7 et 8, ancien niveau I compris", "unknown": "Non renseigné"}
COUNT_OBJECTIVE_COLUMNS = [Column("label", "Objectif", "text"), Column("target", "Cible", "integer"),
                           Column("achieved", "Réalisé", "integer")]
RATE_OBJECTIVE_COLUMNS = [Column("label", "Objectif", "text"), Column("target", "Cible", "percent", decimals=1),
                          Column("achieved", "Réalisé", "percent", decimals=1)]
COUNT_COLUMNS = [Column("label", "", "text"), Column("count", "Participants", "integer"),
                 Column("share", "Part", "percent", decimals=1)]


def _share(count: int, total: int) -> Decimal | None:
    return Decimal(count) / Decimal(total) if total else None


def _objective_tables(objectives: list[dict]) -> list[Table]:
    """Objectives in numbers and objectives in rates, each column holding numbers of one kind (so that a
    spreadsheet reads them as numbers): rates come as strings with 4 decimals, counts as integers."""
    counts = [o for o in objectives if not isinstance(o["target"], str)]
    rates = [o for o in objectives if isinstance(o["target"], str)]

    def rate(value):
        return None if value is None else Decimal(value)

    tables = [Table(title="Objectifs en nombre", columns=COUNT_OBJECTIVE_COLUMNS, rows=[
        {"label": o["label"], "target": o["target"], "achieved": o["achieved"]} for o in counts])]
    if rates:
        tables.append(Table(title="Objectifs en taux", columns=RATE_OBJECTIVE_COLUMNS, rows=[
            {"label": o["label"], "target": rate(o["target"]), "achieved": rate(o["achieved"])} for o in rates]))
    return tables


def _counts(title: str, items: list[tuple[str, int]], total: int, footnote: str = "") -> Table:
    return Table(title=title, columns=COUNT_COLUMNS, footnote=footnote,
                 rows=[{"label": label, "count": n, "share": _share(n, total)} for label, n in items])


def build_report(figures: dict, *, generated_on: date) -> Report:
    total = figures["participants"]
    exits = figures["positive_exits"]
    objectives = _objective_tables(list(figures["objectives"].values()))
    public = _counts("Publics accompagnés", [
        ("Participants", total), ("dont nouveaux entrants", figures["new_entrants"]), ("Femmes", figures["women"]),
        ("Hommes", figures["men"]), ("Non binaires", figures["non_binary"]), ("Bénéficiaires du RSA", figures["rsa"]),
        ("Chômeurs de longue durée", figures["long_term_unemployed"]), ("Résidents d'un QPV", figures["qpv"])], total)
    levels = _counts("Niveaux de qualification", [(LEVEL_LABELS.get(k, f"Niveau {k}"), n)
                                                  for k, n in figures["qualification"].items()], total)
    prescribers = _counts("Prescripteurs", [(PrescriberType(k).label if k in PrescriberType.values else "Non renseigné", n)
                                            for k, n in figures["prescribers"].items()], total)
    positive = Table(title="Sorties positives", columns=[Column("label", "", "text"), Column("count", "Sorties", "integer")],
                     footnote=f"Validées au plus tard le {format_date(date.fromisoformat(figures['as_of']))} "
                              f"(ou à la fin du protocole). Formations qualifiantes comptées dans la limite de "
                              f"{exits['training_cap']} (plafond du protocole, en part des participants), les plus "
                              "anciennes d'abord. Sorties décidées en comité comptées dans leur catégorie.",
                     rows=[{"label": label, "count": exits[key]} for key, label in (
                         ("cdi", "CDI"), ("cdd", "CDD de 6 mois et plus"), ("interim", "Intérim en continu"),
                         ("business_creation", "Création d'activité"), ("employment", "Emploi durable"),
                         ("training", "Formation qualifiante"), ("training_counted", "dont comptées"),
                         ("total", "Total des sorties positives"), ("total_rsa", "dont bénéficiaires du RSA"),
                         ("by_committee", "dont décidées en comité"))])
    sections = [
        *objectives,
        BarChart(title="Objectifs et réalisations", labels=[o["label"] for o in figures["objectives"].values()
                                                            if isinstance(o["target"], int)],
                 series=[Series("Cible", [o["target"] for o in figures["objectives"].values() if isinstance(o["target"], int)]),
                         Series("Réalisé", [o["achieved"] or 0 for o in figures["objectives"].values()
                                            if isinstance(o["target"], int)])], kind="integer"),
        public, levels, prescribers, positive,
    ]
    breakdowns = figures.get("breakdowns") or {}
    for key, title in (("bassin", "Par bassin de vie"), ("structure", "Par structure"), ("referent", "Par référent")):
        rows = breakdowns.get(key) or []
        sections.append(Table(title=title, columns=[
            Column("name", "", "text"), Column("participants", "Participants", "integer"),
            Column("active", "En parcours", "integer"), Column("positive_exits", "Sorties positives", "integer")],
            rows=rows))
    if breakdowns.get("exit_kind"):
        sections.append(Table(title="Sorties par type", columns=[Column("label", "Type", "text"),
                                                                  Column("count", "Sorties", "integer")],
                              rows=[{"label": ExitKind(k).label if k in ExitKind.values else k, "count": n}
                                    for k, n in breakdowns["exit_kind"].items()]))
    sections.insert(1, Paragraph("Participants : parcours ouverts au moins un jour de la période (reports du protocole "
                                 "précédent compris). Taux : sorties ÷ participants, arrondis au plus proche.",
                                 title="Méthode"))
    return Report(title=f"Tableau de bord — {figures['name']}",
                  subtitle=f"Période du {format_date(date.fromisoformat(figures['period']['start']))} au "
                           f"{format_date(date.fromisoformat(figures['period']['end']))}, "
                           f"situation au {format_date(date.fromisoformat(figures['as_of']))}",
                  sections=sections, generated_on=generated_on,
                  notes=["Calculé par Levier à partir des parcours enregistrés."])
