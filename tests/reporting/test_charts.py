import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest

from levier.reporting.charts import PALETTE, render_bar_chart
from levier.reporting.model import BarChart, Series

from .samples import jobs_chart

SVG = "{http://www.w3.org/2000/svg}"
NNBSP, NBSP = "\u202f", "\u00a0"


def parse(markup: str) -> ET.Element:
    return ET.fromstring(markup)  # The SVG is well-formed XML, whatever the labels hold.


def bars(svg: ET.Element) -> list[ET.Element]:
    return [rect for rect in svg.iter(f"{SVG}rect") if rect.get("class") == "levier-chart__bar"]


def test_one_bar_per_value_with_its_french_value_in_a_title():
    svg = parse(render_bar_chart(jobs_chart(), chart_id="emplois"))
    titles = [bar.find(f"{SVG}title").text for bar in bars(svg)]
    assert len(titles) == 6  # 3 labels × 2 series
    assert f"Marseille, Créés{NBSP}: 1{NNBSP}250" in titles
    assert f"Marseille, Prévus{NBSP}: 1{NNBSP}400" in titles
    assert f"Arles, Créés{NBSP}: 0" in titles


def test_euro_values_are_labelled_in_french():
    chart = BarChart("Montants", ["Marseille", "Aix"], [Series("Montant", [Decimal("1325000"), Decimal("1801.8")])], kind="euros")
    svg = parse(render_bar_chart(chart))
    assert [bar.find(f"{SVG}title").text for bar in bars(svg)] == [
        f"Marseille{NBSP}: 1{NNBSP}325{NNBSP}000{NBSP}€",
        f"Aix{NBSP}: 1{NNBSP}801,80{NBSP}€",
    ]
    labels = [text.text for text in svg.iter(f"{SVG}text")]
    assert f"1{NNBSP}325{NNBSP}000{NBSP}€" in labels


def test_the_chart_is_an_accessible_image():
    svg = parse(render_bar_chart(jobs_chart(), chart_id="emplois"))
    assert svg.get("role") == "img"
    assert svg.get("aria-labelledby") == "emplois-titre emplois-desc"
    assert svg.find(f"{SVG}title").get("id") == "emplois-titre"
    assert svg.find(f"{SVG}title").text == "Emplois créés et prévus"
    desc = svg.find(f"{SVG}desc")
    assert desc.get("id") == "emplois-desc"
    assert f"Marseille{NBSP}: Créés 1{NNBSP}250, Prévus 1{NNBSP}400" in desc.text


def test_bars_are_grouped_and_the_legend_names_each_series():
    svg = parse(render_bar_chart(jobs_chart()))
    fills = [bar.get("fill") for bar in bars(svg)]
    assert fills == [PALETTE[0], PALETTE[1]] * 3
    texts = [text.text for text in svg.iter(f"{SVG}text")]
    assert "Créés" in texts and "Prévus" in texts


def test_bar_lengths_follow_the_values():
    chart = BarChart("Emplois", ["A", "B"], [Series("Créés", [100, 50])], kind="integer")
    long, short = (float(bar.get("width")) for bar in bars(parse(render_bar_chart(chart))))
    assert long == pytest.approx(2 * short, rel=0.01)


def test_every_text_is_escaped():
    chart = BarChart("<script>alert(1)</script>", ["<b>A & B</b>"], [Series("\"Série\" <i>", [1])], kind="integer")
    markup = render_bar_chart(chart)
    assert "<script>" not in markup and "<b>" not in markup and "<i>" not in markup
    svg = parse(markup)
    assert svg.find(f"{SVG}title").text == "<script>alert(1)</script>"
    assert bars(svg)[0].find(f"{SVG}title").text.startswith("<b>A & B</b>")


def test_negative_values_and_empty_charts_render():
    chart = BarChart("Solde", ["A", "B"], [Series("Solde", [-20, 40])], kind="integer")
    negative, positive = bars(parse(render_bar_chart(chart)))
    assert float(negative.get("x")) + float(negative.get("width")) == pytest.approx(float(positive.get("x")), abs=0.1)
    empty = parse(render_bar_chart(BarChart("Rien", [], [Series("Créés", [])])))
    assert bars(empty) == []
    assert "Aucune donnée à afficher." in [text.text for text in empty.iter(f"{SVG}text")]


def test_long_labels_wrap_and_stay_whole_in_the_description():
    label = " ".join(["Communauté d'agglomération"] * 6)
    chart = BarChart("Emplois", [label], [Series("Créés", [3])], kind="integer")
    svg = parse(render_bar_chart(chart))
    lines = [tspan.text for tspan in svg.iter(f"{SVG}tspan")]
    assert len(lines) == 3 and lines[-1].endswith("…")
    assert label in svg.find(f"{SVG}desc").text


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


@pytest.mark.parametrize("colour", PALETTE)
def test_every_bar_colour_contrasts_with_the_white_background(colour):
    assert (1 + 0.05) / (_luminance(colour) + 0.05) >= 3  # WCAG 1.4.11, non-text contrast
