import io
from datetime import datetime
from decimal import Decimal

import openpyxl
import pytest

from levier.reporting import render
from levier.reporting.model import Column, Report, Table
from levier.reporting.render import render_xlsx, sheet_title

from .samples import sample_report


def reopen(content: bytes):
    return openpyxl.load_workbook(io.BytesIO(content))


def test_one_sheet_per_table_with_a_bold_header():
    sheet = reopen(render_xlsx(sample_report()))["Aides versées par territoire"]
    header = next(sheet.iter_rows(max_row=1))
    assert [cell.value for cell in header] == [
        "Territoire",
        "Emplois créés",
        "Montant versé",
        "Taux de réalisation",
        "Dernier versement",
    ]
    assert all(cell.font.b for cell in header)


def test_values_are_exact_numbers_with_french_friendly_formats():
    sheet = reopen(render_xlsx(sample_report()))["Aides versées par territoire"]
    marseille, aix, third = (row for row in sheet.iter_rows(min_row=2))
    assert marseille[1].value == 1250 and marseille[1].number_format == "#,##0"
    assert Decimal(str(marseille[2].value)) == Decimal("1325000")
    assert Decimal(str(aix[2].value)) == Decimal("1801.80")
    assert Decimal(str(third[2].value)) == Decimal("-250.50")
    assert aix[2].number_format == '#,##0.00 "€"'
    assert Decimal(str(marseille[3].value)) == Decimal("0.425") and marseille[3].number_format == "0.0%"
    assert marseille[4].value == datetime(2026, 11, 22) and marseille[4].number_format == "DD/MM/YYYY"
    assert third[3].value is None


def test_text_that_looks_like_a_formula_stays_text():
    sheet = reopen(render_xlsx(sample_report()))["Aides versées par territoire"]
    cell = sheet["A4"]
    assert cell.data_type == "s"
    assert cell.value == '=HYPERLINK("http://exemple.invalid")'


def test_the_workbook_is_written_in_write_only_mode(monkeypatch):
    modes = []

    class SpyWorkbook(openpyxl.Workbook):
        def __init__(self, *args, **kwargs):
            modes.append(kwargs.get("write_only"))
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(render, "Workbook", SpyWorkbook)
    render_xlsx(sample_report())
    assert modes == [True]


def test_sheet_titles_are_short_clean_and_unique():
    taken: set[str] = set()
    first = sheet_title("Aides [2026] : emplois/territoires * détail ? \\ très long titre", taken)
    assert len(first) <= 31
    assert not set("[]:*?/\\") & set(first)
    second = sheet_title("Aides [2026] : emplois/territoires * détail ? \\ très long titre", taken)
    assert second != first and len(second) <= 31 and second.endswith(" (2)")
    assert sheet_title("AIDES", {"aides"}) == "AIDES (2)"
    assert sheet_title("'''", set()) == "Tableau"
    assert sheet_title("History", set()) == "History (2)"  # reserved by Excel


@pytest.mark.parametrize("kind", ["euros", "percent", "integer", "decimal", "date", "text"])
def test_a_report_without_rows_still_opens(kind):
    report = Report("Vide", sections=[Table("Rien", [Column("x", "X", kind)])])
    sheet = reopen(render_xlsx(report))["Rien"]
    assert sheet["A1"].value == "X"


def test_a_report_without_tables_still_gives_a_valid_workbook():
    workbook = reopen(render_xlsx(Report("Sans tableau")))
    assert workbook.sheetnames == ["Sans tableau"]
