"""PDF rendering through WeasyPrint (needs Pango: skipped without it, except in CI)."""

import importlib.util
import shutil
import subprocess
import sys

import pytest

from levier.reporting.render import render_html, render_pdf, render_pdf_document

from .conftest import require_weasyprint
from .samples import TITLE, sample_report

pytestmark = pytest.mark.pango

BRAND_BLOCK = "RÉPUBLIQUE FRANÇAISE"


def pdf_text(pdf: bytes, document_html: str) -> str:
    """The PDF's text, whitespace collapsed: with pypdf when installed, else
    poppler's pdftotext, else from the boxes WeasyPrint lays out for the same
    document (the text that goes into the PDF)."""
    if importlib.util.find_spec("pypdf"):
        import io

        from pypdf import PdfReader

        text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    elif shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    else:
        weasyprint = require_weasyprint()
        document = weasyprint.HTML(string=document_html).render()
        assert len(document.pages) >= 1
        text = " ".join(
            box.text
            for page in document.pages
            for box in page._page_box.descendants()
            if isinstance(getattr(box, "text", None), str)
        )
    return " ".join(text.split())


@pytest.fixture(scope="module")
def pdfs():
    require_weasyprint()
    report = sample_report()
    return {
        brand: (render_pdf(report, brand=brand), render_pdf_document(report, brand=brand)) for brand in (False, True)
    }


def test_the_pdf_is_a_real_pdf_with_the_report_in_it(pdfs):
    pdf, document = pdfs[False]
    assert pdf.startswith(b"%PDF-")
    assert pdf.rstrip().endswith(b"%%EOF")
    text = pdf_text(pdf, document)
    assert TITLE in text
    assert "Aides versées par territoire" in text
    assert "Page 1 / 1" in text


def test_without_the_state_brand_nothing_of_its_identity_appears(pdfs):
    pdf, document = pdfs[False]
    assert BRAND_BLOCK not in pdf_text(pdf, document)
    assert "Marianne" not in document
    assert 'font-family: "DejaVu Sans", Arial, sans-serif;' in document


def test_with_the_state_brand_the_brand_block_and_marianne_appear(pdfs):
    pdf, document = pdfs[True]
    assert BRAND_BLOCK in pdf_text(pdf, document)
    assert 'font-family: "Marianne", "DejaVu Sans", Arial, sans-serif;' in document


def test_the_pdf_embeds_the_same_charts_as_the_page(pdfs):
    _, document = pdfs[False]
    html = render_html(sample_report())
    charts = [part.split("</svg>", 1)[0] for part in html.split("<svg")[1:]]
    assert len(charts) == 2
    assert all(chart in document for chart in charts)


def test_page_numbers_are_in_the_footer(pdfs):
    _, document = pdfs[False]
    assert 'content: "Page " counter(page) " / " counter(pages);' in document


def test_weasyprint_missing_skips_locally_and_fails_in_ci(monkeypatch):
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # makes `import weasyprint` raise ImportError
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="WeasyPrint indisponible"):
        require_weasyprint()
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="WeasyPrint indisponible"):
        require_weasyprint()


def test_a_library_weasyprint_warns_about_at_import_skips_too(monkeypatch, tmp_path):
    """A machine with Pango but without HarfBuzz-Subset: WeasyPrint warns at import (an error under
    `filterwarnings = error`); the guard says which libraries instead of failing the suite."""
    (tmp_path / "weasyprint.py").write_text(
        "import warnings\nwarnings.warn('harfbuzz-subset not found', DeprecationWarning)\n", encoding="utf-8")
    monkeypatch.delitem(sys.modules, "weasyprint", raising=False)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="HarfBuzz-Subset"):
        require_weasyprint()
