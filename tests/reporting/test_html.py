from levier.reporting.charts import render_bar_chart
from levier.reporting.render import render_html

from .samples import jobs_chart, sample_report

NNBSP, NBSP = "\u202f", "\u00a0"


def test_the_fragment_is_a_report_div_not_a_page():
    html = render_html(sample_report())
    assert html.lstrip().startswith('<div class="levier-report">')
    assert "<html" not in html and "<body" not in html and "<script" not in html
    assert "<h2>Bilan de l&#x27;emploi 2026</h2>" in html
    assert "<h3>Synthèse</h3>" in html
    assert "Rapport généré le 22/11/2026" in html


def test_tables_use_dsfr_markup_with_column_headers():
    html = render_html(sample_report())
    assert '<div class="fr-table' in html
    assert "<caption>Aides versées par territoire</caption>" in html
    assert '<th scope="col">Territoire</th>' in html
    assert '<th scope="col" class="fr-cell--right">Montant versé</th>' in html


def test_euros_are_formatted_in_french_and_right_aligned():
    html = render_html(sample_report())
    # One amount has cents, so the whole column shows them.
    assert f'<td class="fr-cell--right levier-number">1{NNBSP}325{NNBSP}000,00{NBSP}€</td>' in html
    assert f'<td class="fr-cell--right levier-number">1{NNBSP}801,80{NBSP}€</td>' in html
    assert f'<td class="fr-cell--right levier-number">42,5{NBSP}%</td>' in html
    assert "<td>22/11/2026</td>" in html


def test_user_text_is_escaped():
    html = render_html(sample_report())
    assert "<b>de l" not in html
    assert "&lt;b&gt;de l&#x27;année&lt;/b&gt;" in html


def test_charts_are_inline_svg_without_javascript():
    html = render_html(sample_report())
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg" class="levier-chart" role="img"') == 2
    assert "<h3>Emplois créés et prévus</h3>" in html
    # The same drawing as the chart module's, ids aside.
    body = render_bar_chart(jobs_chart(), chart_id="x").split("</desc>", 1)[1]
    assert body in html


def test_notes_close_the_report():
    html = render_html(sample_report())
    assert "<h3>Notes</h3>" in html
    assert "<li>Montants en euros courants.</li>" in html
