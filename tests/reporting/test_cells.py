from datetime import date
from decimal import Decimal

import pytest

from levier.reporting.cells import column_decimals, format_cell, plain_number
from levier.reporting.model import Column, Table

NNBSP, NBSP = "\u202f", "\u00a0"


@pytest.mark.parametrize(
    ("value", "kind", "decimals", "expected"),
    [
        (Decimal("1325000"), "euros", None, f"1{NNBSP}325{NNBSP}000{NBSP}€"),
        (Decimal("1801.8"), "euros", None, f"1{NNBSP}801,80{NBSP}€"),
        (Decimal("1325000"), "euros", 2, f"1{NNBSP}325{NNBSP}000,00{NBSP}€"),
        (1250, "integer", None, f"1{NNBSP}250"),
        (Decimal("12.5"), "decimal", None, "12,5"),
        (Decimal("0.425"), "percent", None, f"43{NBSP}%"),
        (Decimal("0.425"), "percent", 1, f"42,5{NBSP}%"),
        (date(2026, 11, 22), "date", None, "22/11/2026"),
        ("Marseille", "text", None, "Marseille"),
        (None, "euros", None, ""),
    ],
)
def test_format_cell_reads_french(value, kind, decimals, expected):
    assert format_cell(value, kind, decimals) == expected


def test_format_cell_refuses_float():
    with pytest.raises(TypeError):
        format_cell(1325000.0, "euros")


def test_an_euros_column_shows_cents_everywhere_once_one_amount_has_some():
    column = Column("amount", "Montant", "euros")
    assert column_decimals(column, Table("A", [column], [{"amount": Decimal("10")}, {"amount": Decimal("2.5")}])) == 2
    assert column_decimals(column, Table("A", [column], [{"amount": Decimal("10.00")}, {"amount": None}])) == 0


def test_plain_number_has_a_decimal_comma_and_no_grouping():
    assert plain_number(Decimal("-1325000.50")) == "-1325000,50"
    assert plain_number(Decimal("1E+3")) == "1000"
