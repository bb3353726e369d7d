"""A report turned into what the templates display: formatted text only.

Shared by the HTML fragment and the PDF document, so both read the same.
"""

import hashlib
from dataclasses import dataclass

from django.utils.safestring import SafeString

from levier.core.formats import format_date

from .cells import column_decimals, format_cell
from .charts import render_bar_chart
from .model import BarChart, Paragraph, Report, Table


@dataclass(frozen=True)
class Cell:
    text: str
    numeric: bool


@dataclass(frozen=True)
class TableView:
    title: str
    headers: list[Cell]
    rows: list[list[Cell]]
    footnote: str
    kind: str = "table"


@dataclass(frozen=True)
class ChartView:
    title: str
    svg: SafeString
    kind: str = "chart"


@dataclass(frozen=True)
class ParagraphView:
    title: str
    text: str
    kind: str = "paragraph"


def table_view(table: Table) -> TableView:
    decimals = [column_decimals(column, table) for column in table.columns]
    return TableView(
        title=table.title,
        headers=[Cell(column.label, column.numeric) for column in table.columns],
        rows=[
            [
                Cell(format_cell(row.get(column.key), column.kind, places), column.numeric)
                for column, places in zip(table.columns, decimals, strict=True)
            ]
            for row in table.rows
        ],
        footnote=table.footnote,
    )


def section_view(section, index: int, prefix: str):
    if isinstance(section, Table):
        return table_view(section)
    if isinstance(section, BarChart):
        return ChartView(section.title, render_bar_chart(section, chart_id=f"{prefix}-{index}"))
    if isinstance(section, Paragraph):
        return ParagraphView(section.title, section.text)
    raise TypeError(f"Section inconnue {type(section).__name__}.")


def report_context(report: Report) -> dict:
    # Chart ids depend on the report's content, so two reports on one page do
    # not share ids while the markup stays reproducible.
    digest = hashlib.sha1(f"{report.title}|{report.generated_on}".encode(), usedforsecurity=False).hexdigest()
    prefix = f"rapport-{digest[:8]}"
    return {
        "report": report,
        "generated_on": format_date(report.generated_on),
        "sections": [section_view(section, index, prefix) for index, section in enumerate(report.sections, 1)],
    }
