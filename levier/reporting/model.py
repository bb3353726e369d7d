"""What a report is made of, whatever it is rendered to.

Domains compute figures and describe them with these plain objects;
levier.reporting.render turns them into an HTML fragment, a PDF, a workbook
or a CSV stream. Numbers are int or Decimal, never float: a float raises
TypeError as soon as the object is built.
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.utils import timezone

TEXT = "text"
INTEGER = "integer"
DECIMAL = "decimal"
EUROS = "euros"
PERCENT = "percent"
DATE = "date"

KINDS = frozenset({TEXT, INTEGER, DECIMAL, EUROS, PERCENT, DATE})
NUMERIC_KINDS = frozenset({INTEGER, DECIMAL, EUROS, PERCENT})


def check_number(value, where: str, *, integer: bool = False) -> None:
    """Refuse float (and anything else that is not an exact number)."""
    if isinstance(value, float):
        raise TypeError(f"{where} : les nombres sont des Decimal ou des int, jamais des float.")
    allowed = (int,) if integer else (int, Decimal)
    if isinstance(value, bool) or not isinstance(value, allowed):
        expected = "un entier (int)" if integer else "un nombre (Decimal ou int)"
        raise TypeError(f"{where} : {expected} attendu, reçu {type(value).__name__}.")
    if isinstance(value, Decimal) and not value.is_finite():
        raise ValueError(f"{where} : nombre fini attendu, reçu {value}.")


def check_cell(value, kind: str, where: str) -> None:
    """A cell is None (left empty) or a value of its column's kind."""
    if value is None:
        return
    if kind == TEXT:
        if not isinstance(value, str):
            raise TypeError(f"{where} : texte (str) attendu, reçu {type(value).__name__}.")
    elif kind == DATE:
        if isinstance(value, datetime) or not isinstance(value, date):
            raise TypeError(f"{where} : date (datetime.date) attendue, reçu {type(value).__name__}.")
    else:
        check_number(value, where, integer=kind == INTEGER)


def _check_decimals(decimals: int | None, where: str) -> None:
    if decimals is not None and (isinstance(decimals, bool) or not isinstance(decimals, int) or decimals < 0):
        raise ValueError(f"{where} : decimals doit être un entier positif ou None.")


@dataclass(frozen=True)
class Column:
    """`decimals`: digits after the comma. None means: percent → 0, decimal → as
    given, euros → cents for the whole column as soon as one amount has some."""

    key: str
    label: str
    kind: str = TEXT
    decimals: int | None = None

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"Colonne « {self.key} » : type inconnu « {self.kind} » ({', '.join(sorted(KINDS))}).")
        _check_decimals(self.decimals, f"Colonne « {self.key} »")

    @property
    def numeric(self) -> bool:
        return self.kind in NUMERIC_KINDS


@dataclass(frozen=True)
class Table:
    """Rows are dicts keyed by column key; a missing key leaves the cell empty."""

    title: str
    columns: list[Column]
    rows: list[dict] = field(default_factory=list)
    footnote: str = ""

    def __post_init__(self):
        if not self.columns:
            raise ValueError(f"Tableau « {self.title} » : au moins une colonne est nécessaire.")
        keys = [column.key for column in self.columns]
        if len(set(keys)) != len(keys):
            raise ValueError(f"Tableau « {self.title} » : clés de colonnes en double.")
        known = set(keys)
        for number, row in enumerate(self.rows, start=1):
            if not isinstance(row, dict):
                raise TypeError(f"Tableau « {self.title} », ligne {number} : dict attendu.")
            unknown = set(row) - known
            if unknown:
                raise ValueError(
                    f"Tableau « {self.title} », ligne {number} : colonnes inconnues {', '.join(sorted(map(str, unknown)))}."
                )
            for column in self.columns:
                check_cell(row.get(column.key), column.kind, f"Tableau « {self.title} », ligne {number}, « {column.label} »")


@dataclass(frozen=True)
class Series:
    name: str
    values: list[Decimal | int]

    def __post_init__(self):
        for index, value in enumerate(self.values):
            check_number(value, f"Série « {self.name} », valeur {index + 1}")


@dataclass(frozen=True)
class BarChart:
    """One bar per label and series; `kind` and `decimals` format the values
    as a Column of the same kind would."""

    title: str
    labels: list[str]
    series: list[Series]
    kind: str = DECIMAL
    decimals: int | None = None

    def __post_init__(self):
        if self.kind not in NUMERIC_KINDS:
            raise ValueError(f"Graphique « {self.title} » : type numérique attendu, reçu « {self.kind} ».")
        _check_decimals(self.decimals, f"Graphique « {self.title} »")
        if not self.series:
            raise ValueError(f"Graphique « {self.title} » : au moins une série est nécessaire.")
        for series in self.series:
            if len(series.values) != len(self.labels):
                raise ValueError(
                    f"Graphique « {self.title} » : la série « {series.name} » a {len(series.values)} valeurs "
                    f"pour {len(self.labels)} libellés."
                )


@dataclass(frozen=True)
class Paragraph:
    text: str
    title: str = ""


Section = Table | BarChart | Paragraph


@dataclass(frozen=True)
class Report:
    title: str
    subtitle: str = ""
    sections: list[Section] = field(default_factory=list)
    generated_on: date = field(default_factory=timezone.localdate)
    notes: list[str] = field(default_factory=list)

    def __post_init__(self):
        for section in self.sections:
            if not isinstance(section, (Table, BarChart, Paragraph)):
                raise TypeError(f"Rapport « {self.title} » : section inconnue {type(section).__name__}.")

    @property
    def tables(self) -> list[Table]:
        return [section for section in self.sections if isinstance(section, Table)]
