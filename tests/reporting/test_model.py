from datetime import date, datetime
from decimal import Decimal

import pytest

from levier.reporting.model import BarChart, Column, Report, Series, Table

AMOUNT = [Column("amount", "Montant", "euros")]


def test_float_amount_is_refused():
    with pytest.raises(TypeError, match="jamais des float"):
        Table("Aides", AMOUNT, [{"amount": 1325000.5}])


def test_float_in_a_chart_series_is_refused():
    with pytest.raises(TypeError, match="jamais des float"):
        Series("Montant", [Decimal("1"), 2.5])


def test_decimal_and_int_amounts_are_accepted():
    table = Table("Aides", AMOUNT, [{"amount": Decimal("1801.80")}, {"amount": 12}, {"amount": None}, {}])
    assert len(table.rows) == 4


def test_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="type inconnu"):
        Column("amount", "Montant", "money")


def test_cells_must_match_their_column_kind():
    with pytest.raises(TypeError, match="entier"):
        Table("Emplois", [Column("jobs", "Emplois", "integer")], [{"jobs": Decimal("1.5")}])
    with pytest.raises(TypeError, match="date"):
        Table("Versements", [Column("on", "Date", "date")], [{"on": datetime(2026, 11, 22, 10, 0)}])
    with pytest.raises(TypeError, match="texte"):
        Table("Territoires", [Column("name", "Nom")], [{"name": 13}])


def test_a_row_key_no_column_knows_is_refused():
    with pytest.raises(ValueError, match="colonnes inconnues amout"):
        Table("Aides", AMOUNT, [{"amout": Decimal("1")}])


def test_series_must_have_one_value_per_label():
    with pytest.raises(ValueError, match="2 valeurs pour 3 libellés"):
        BarChart("Emplois", ["A", "B", "C"], [Series("Créés", [1, 2])])


def test_a_report_knows_its_tables():
    table = Table("Aides", AMOUNT)
    report = Report("Bilan", sections=[table], generated_on=date(2026, 11, 22))
    assert report.tables == [table]
