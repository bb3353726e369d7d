"""Bar charts drawn server side as inline SVG.

The same markup goes into the HTML page and the PDF: no JavaScript, nothing
fetched. Bars are horizontal so long French labels (territories, sectors)
stay readable; several series are drawn as grouped bars with a legend.
Screen readers get the chart title, a description listing every value and,
on each bar, a <title> with its formatted value.
"""

import hashlib
import textwrap
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .cells import format_cell
from .model import BarChart

# French State design system (DSFR) colours, each at least 3:1 against white
# (WCAG 1.4.11), ordered so that neighbours differ in hue and lightness.
PALETTE = (
    "#000091",  # bleu France sun-113
    "#6a6af4",  # bleu France main-525
    "#e1000f",  # rouge Marianne main-472
    "#006a6f",  # vert archipel sun-391
    "#b34000",  # warning-425
    "#a558a0",  # violet glycine main-494
    "#18753c",  # success-425
)
TEXT_COLOUR = "#161616"
AXIS_COLOUR = "#3a3a3a"

WIDTH = 720
PADDING = 8
LABEL_SIZE = 13
VALUE_SIZE = 12
LINE_HEIGHT = 16
CHAR_WIDTH = 0.6  # average glyph width, in em: a generous estimate for sans-serif fonts
SWATCH = 12
BAR_GAP = 2
GROUP_GAP = 12
MAX_LABEL_LINES = 3


def _text_width(text: str, size: int) -> float:
    return len(text) * size * CHAR_WIDTH


def _px(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")


def _wrap(label: str, width: float) -> list[str]:
    """Split a label into at most MAX_LABEL_LINES lines that fit `width`."""
    chars = max(4, int(width / (LABEL_SIZE * CHAR_WIDTH)))
    lines = textwrap.wrap(label, chars, break_long_words=True) or [""]
    if len(lines) > MAX_LABEL_LINES:
        lines = lines[:MAX_LABEL_LINES]
        lines[-1] = lines[-1][: chars - 1].rstrip() + "…"
    return lines


def _default_id(chart: BarChart) -> str:
    digest = hashlib.sha1(repr(chart).encode(), usedforsecurity=False).hexdigest()
    return f"graphique-{digest[:10]}"


def describe(chart: BarChart) -> str:
    """The text alternative: every value, label by label."""
    if not chart.labels:
        return "Aucune donnée à afficher."
    values = [[format_cell(v, chart.kind, chart.decimals) for v in s.values] for s in chart.series]
    parts = []
    for index, label in enumerate(chart.labels):
        if len(chart.series) == 1:
            parts.append(f"{label}\u00a0: {values[0][index]}")
        else:
            detail = ", ".join(f"{s.name} {values[n][index]}" for n, s in enumerate(chart.series))
            parts.append(f"{label}\u00a0: {detail}")
    kind = "Graphique en barres horizontales groupées" if len(chart.series) > 1 else "Graphique en barres horizontales"
    return f"{kind}. " + " ; ".join(parts) + "."


def _legend(chart: BarChart, top: float) -> tuple[list[str], float]:
    """Legend items flowing on as many rows as needed; returns (markup, bottom)."""
    parts, x, y = [], PADDING, top
    for index, series in enumerate(chart.series):
        item_width = SWATCH + 6 + _text_width(series.name, LABEL_SIZE) + 20
        if x > PADDING and x + item_width > WIDTH - PADDING:
            x, y = PADDING, y + LINE_HEIGHT + 4
        colour = PALETTE[index % len(PALETTE)]
        parts.append(
            f'<rect x="{_px(x)}" y="{_px(y + 2)}" width="{SWATCH}" height="{SWATCH}" fill="{colour}"/>'
            f'<text x="{_px(x + SWATCH + 6)}" y="{_px(y + 13)}" font-size="{LABEL_SIZE}" fill="{TEXT_COLOUR}">'
            f"{escape(series.name)}</text>"
        )
        x += item_width
    return parts, y + LINE_HEIGHT + 12


def _svg(chart: BarChart, chart_id: str, height: float, body: list[str]) -> SafeString:
    chart_id = escape(chart_id)
    height = round(height)
    return mark_safe(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="levier-chart" role="img" '
        f'aria-labelledby="{chart_id}-titre {chart_id}-desc" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}">'
        f'<title id="{chart_id}-titre">{escape(chart.title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(describe(chart))}</desc>' + "".join(body) + "</svg>"
    )


def render_bar_chart(chart: BarChart, *, chart_id: str | None = None) -> SafeString:
    """The chart as an <svg role="img"> element, every text escaped."""
    chart_id = chart_id or _default_id(chart)
    parts, top = _legend(chart, PADDING)
    if not chart.labels:
        parts.append(
            f'<text x="{PADDING}" y="{_px(top + LABEL_SIZE)}" font-size="{LABEL_SIZE}" fill="{TEXT_COLOUR}">'
            "Aucune donnée à afficher.</text>"
        )
        return _svg(chart, chart_id, top + LINE_HEIGHT + PADDING, parts)

    formatted = [[format_cell(v, chart.kind, chart.decimals) for v in s.values] for s in chart.series]
    numbers = [Decimal(v) for s in chart.series for v in s.values]
    low, high = min(Decimal(0), *numbers), max(Decimal(0), *numbers)
    span = float(high - low) or 1.0

    label_width = min(max(_text_width(label, LABEL_SIZE) for label in chart.labels), WIDTH * 0.35)
    value_width = max(_text_width(text, VALUE_SIZE) for row in formatted for text in row) + 6
    negative_room = value_width if low < 0 else 0
    plot_left = PADDING + label_width + 8 + negative_room
    plot_width = WIDTH - PADDING - value_width - plot_left

    def x_of(value) -> float:
        return plot_left + float(Decimal(value) - low) / span * plot_width

    bar = 18 if len(chart.series) == 1 else 14
    bars_height = len(chart.series) * bar + (len(chart.series) - 1) * BAR_GAP
    y = top
    for index, label in enumerate(chart.labels):
        lines = _wrap(label, label_width)
        group_height = max(bars_height, len(lines) * LINE_HEIGHT)
        first_line = y + group_height / 2 - (len(lines) - 1) * LINE_HEIGHT / 2 + LABEL_SIZE * 0.35
        tspans = "".join(
            f'<tspan x="{_px(PADDING + label_width)}" y="{_px(first_line + n * LINE_HEIGHT)}">{escape(line)}</tspan>'
            for n, line in enumerate(lines)
        )
        parts.append(f'<text text-anchor="end" font-size="{LABEL_SIZE}" fill="{TEXT_COLOUR}">{tspans}</text>')
        bar_y = y + (group_height - bars_height) / 2
        for n, series in enumerate(chart.series):
            value, text = series.values[index], formatted[n][index]
            start, end = sorted((x_of(0), x_of(value)))
            name = f"{label}, {series.name}" if len(chart.series) > 1 else label
            parts.append(
                f'<rect class="levier-chart__bar" x="{_px(start)}" y="{_px(bar_y)}" width="{_px(end - start)}" '
                f'height="{bar}" fill="{PALETTE[n % len(PALETTE)]}"><title>{escape(name)}\u00a0: {escape(text)}</title></rect>'
            )
            anchor, text_x = ("end", start - 4) if value < 0 else ("start", end + 4)
            parts.append(
                f'<text x="{_px(text_x)}" y="{_px(bar_y + bar / 2 + VALUE_SIZE * 0.35)}" text-anchor="{anchor}" '
                f'font-size="{VALUE_SIZE}" fill="{TEXT_COLOUR}">{escape(text)}</text>'
            )
            bar_y += bar + BAR_GAP
        y += group_height + GROUP_GAP

    bottom = y - GROUP_GAP + 4
    zero = _px(x_of(0))
    parts.append(f'<line x1="{zero}" y1="{_px(top - 4)}" x2="{zero}" y2="{_px(bottom)}" stroke="{AXIS_COLOUR}"/>')
    return _svg(chart, chart_id, bottom + PADDING, parts)
