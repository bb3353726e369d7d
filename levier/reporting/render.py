"""Renderers: a Report (or one of its tables) as HTML, PDF, XLSX or CSV, and
the HTTP responses that send them."""

import csv
import io
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from django.contrib.staticfiles import finders
from django.http import HttpResponse, StreamingHttpResponse
from django.template.loader import render_to_string
from django.utils.http import content_disposition_header
from django.utils.safestring import SafeString
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from levier.core.formats import to_decimal

from .cells import column_decimals, plain_number
from .model import DATE, DECIMAL, EUROS, INTEGER, PERCENT, TEXT, Column, Report, Table, check_cell
from .presentation import report_context

PDF_CONTENT_TYPE = "application/pdf"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MARIANNE_FACES = (("dsfr/dist/fonts/Marianne-Regular.woff2", 400), ("dsfr/dist/fonts/Marianne-Bold.woff2", 700))


# HTML and PDF ---------------------------------------------------------------


def render_html(report: Report) -> SafeString:
    """The report as a <div class="levier-report"> fragment for a site page."""
    return render_to_string("reporting/report.html", report_context(report))


def _marianne_faces() -> list[dict]:
    """Marianne font files shipped with django-dsfr, as file URLs, when the
    static files finders can see them (else the PDF falls back to DejaVu)."""
    faces = []
    for path, weight in MARIANNE_FACES:
        found = finders.find(path)
        if found:
            faces.append({"url": Path(found).resolve().as_uri(), "weight": weight})
    return faces


def render_pdf_document(report: Report, *, brand: bool) -> str:
    """The standalone HTML document render_pdf hands to WeasyPrint."""
    context = {**report_context(report), "brand": brand, "font_faces": _marianne_faces() if brand else []}
    return render_to_string("reporting/report_pdf.html", context)


def render_pdf(report: Report, *, brand: bool) -> bytes:
    """An A4 PDF of the report; `brand` adds the State identity (Marianne)."""
    import weasyprint  # Imported here: it needs Pango, which only PDF rendering requires.

    document = render_pdf_document(report, brand=brand)
    return weasyprint.HTML(string=document, base_url=str(Path(__file__).parent)).write_pdf()


# XLSX ----------------------------------------------------------------------

FORBIDDEN_IN_SHEET_TITLE = re.compile(r"[\[\]:*?/\\]")
SHEET_TITLE_MAX = 31
RESERVED_SHEET_TITLES = frozenset({"history"})  # Excel keeps it for change tracking.


def sheet_title(title: str, taken: set[str]) -> str:
    """An Excel sheet title: ≤ 31 characters, none of []:*?/\\, no leading or
    trailing apostrophe, unique (Excel compares titles case-insensitively)."""
    base = FORBIDDEN_IN_SHEET_TITLE.sub("-", " ".join(title.split())).strip("' ") or "Tableau"
    candidate, number = base[:SHEET_TITLE_MAX].rstrip("' "), 1
    while candidate.casefold() in taken | RESERVED_SHEET_TITLES:
        number += 1
        suffix = f" ({number})"
        candidate = base[: SHEET_TITLE_MAX - len(suffix)].rstrip("' ") + suffix
    taken.add(candidate.casefold())
    return candidate


def number_format(column: Column, decimals: int | None) -> str:
    places = "." + "0" * decimals if decimals else ""
    if column.kind == EUROS:
        return '#,##0 "€"' if decimals == 0 else '#,##0.00 "€"'
    if column.kind == PERCENT:
        return f"0{places}%"
    if column.kind == INTEGER:
        return "#,##0"
    if column.kind == DECIMAL:
        return "General" if decimals is None else f"#,##0{places}"
    if column.kind == DATE:
        return "DD/MM/YYYY"
    return "General"


def _column_width(column: Column, table: Table) -> float:
    if column.kind == TEXT:
        longest = max((len(row.get(column.key) or "") for row in table.rows), default=0)
        return min(max(len(column.label), longest, 8) + 2, 60)
    return max(len(column.label) + 2, 14)


def _write_table(workbook, table: Table, taken: set[str]) -> None:
    sheet = workbook.create_sheet(sheet_title(table.title, taken))
    for index, column in enumerate(table.columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = _column_width(column, table)
    sheet.freeze_panes = "A2"

    bold = Font(bold=True)
    header = []
    for column in table.columns:
        cell = WriteOnlyCell(sheet, value=column.label)
        cell.data_type = "s"
        cell.font = bold
        header.append(cell)
    sheet.append(header)

    formats = [number_format(column, column_decimals(column, table)) for column in table.columns]
    for row in table.rows:
        cells = []
        for column, fmt in zip(table.columns, formats, strict=True):
            cell = WriteOnlyCell(sheet, value=row.get(column.key))
            if column.kind == TEXT and cell.value is not None:
                cell.data_type = "s"  # "=…" is text from the data, never a formula.
            cell.number_format = fmt
            cells.append(cell)
        sheet.append(cells)


def render_xlsx(report: Report) -> bytes:
    """A workbook with one sheet per table: a bold header row, then values as
    typed numbers (Decimal kept as written) and dates with French formats."""
    workbook = Workbook(write_only=True)
    workbook.properties.title = report.title
    workbook.properties.creator = "Levier"
    taken: set[str] = set()
    for table in report.tables:
        _write_table(workbook, table, taken)
    if not report.tables:
        sheet = workbook.create_sheet(sheet_title(report.title, taken))
        sheet.append([report.title])
        sheet.append(["Ce rapport ne contient aucun tableau."])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# CSV -----------------------------------------------------------------------

BOM = "\ufeff"
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


class _Line:
    """A write-only file for csv.writer: hands back what it is given."""

    def write(self, text: str) -> str:
        return text


def csv_header(column: Column) -> str:
    """Units leave the cells (so spreadsheets read numbers) for the header."""
    if column.kind == EUROS and "€" not in column.label:
        return f"{column.label} (€)"
    if column.kind == PERCENT and "%" not in column.label:
        return f"{column.label} (%)"
    return column.label


def csv_value(value, column: Column) -> str:
    """Decimal comma, no grouping, percent as points (0.425 → 42,5), dates as
    22/11/2026; text that a spreadsheet would run as a formula is quoted off."""
    if value is None:
        return ""
    if column.kind == TEXT:
        return "'" + value if value.startswith(FORMULA_PREFIXES) else value
    if column.kind == PERCENT:
        return plain_number((to_decimal(value) * 100).normalize())
    if column.kind == DATE:
        return value.strftime("%d/%m/%Y")
    return plain_number(value)


def stream_csv(table: Table) -> Iterator[str]:
    """The table as CSV lines (';' separated, CRLF ended), the first one
    starting with a BOM so that Excel opens it as UTF-8."""
    return csv_lines(table.columns, table.rows)


def csv_lines(columns: list[Column], rows: Iterable[dict]) -> Iterator[str]:
    """CSV lines of rows read one at a time (an export too large to hold in a Table), with the same
    cells as `stream_csv`: every export's CSV goes through here, formulas quoted off."""
    writer = csv.writer(_Line(), delimiter=";")
    yield BOM + writer.writerow([csv_header(column) for column in columns])
    for number, row in enumerate(rows, start=1):
        for column in columns:
            check_cell(row.get(column.key), column.kind, f"ligne {number}, « {column.label} »")
        yield writer.writerow([csv_value(row.get(column.key), column) for column in columns])


# HTTP responses --------------------------------------------------------------


def csv_response(table: Table, filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(
        (line.encode("utf-8") for line in stream_csv(table)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def file_response(content: bytes, filename: str, content_type: str) -> HttpResponse:
    """A download: PDF_CONTENT_TYPE, XLSX_CONTENT_TYPE or any other type."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Content-Length"] = str(len(content))
    return response

