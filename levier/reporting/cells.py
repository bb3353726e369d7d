"""How one value reads in a report (HTML, PDF, chart labels), in French."""

from decimal import Decimal

from levier.core.formats import CENT, format_date, format_euros, format_number, format_percent, to_decimal

from .model import DATE, DECIMAL, EUROS, INTEGER, PERCENT, TEXT, Column, Table


def format_cell(value, kind: str, decimals: int | None = None) -> str:
    """Decimal('1325000') as euros → '1 325 000 €'; Decimal('0.425') as percent
    with decimals=1 → '42,5 %'; date(2026, 11, 22) → '22/11/2026'; None → ''.

    For euros, decimals=0 hides cents, any other number shows them, None shows
    them only when the amount has some.
    """
    if isinstance(value, float):
        raise TypeError("Les nombres sont des Decimal ou des int, jamais des float.")
    if value is None:
        return ""
    if kind == TEXT:
        return str(value)
    if kind == INTEGER:
        return format_number(value)
    if kind == DECIMAL:
        return format_number(value, decimals)
    if kind == EUROS:
        return format_euros(value, cents=None if decimals is None else decimals > 0)
    if kind == PERCENT:
        return format_percent(value, decimals or 0)
    if kind == DATE:
        return format_date(value)
    raise ValueError(f"Type de cellule inconnu « {kind} ».")


def _has_cents(value) -> bool:
    amount = to_decimal(value).quantize(CENT)
    return amount != amount.to_integral_value()


def column_decimals(column: Column, table: Table) -> int | None:
    """The decimals every cell of a column is shown with: an euros column shows
    cents on every row as soon as one amount has some, so figures line up."""
    if column.kind == EUROS and column.decimals is None:
        values = (row.get(column.key) for row in table.rows)
        return 2 if any(value is not None and _has_cents(value) for value in values) else 0
    if column.kind == PERCENT and column.decimals is None:
        return 0
    return column.decimals


def plain_number(value: int | Decimal) -> str:
    """A number as French spreadsheets read it: decimal comma, no grouping,
    no unit. Decimal('-1325000.50') → '-1325000,50'."""
    return format(to_decimal(value), "f").replace(".", ",")
