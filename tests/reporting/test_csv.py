import inspect
from datetime import date
from decimal import Decimal

from django.http import HttpResponse, StreamingHttpResponse

from levier.reporting.model import Column, Table
from levier.reporting.render import PDF_CONTENT_TYPE, csv_response, file_response, stream_csv

from .samples import aid_table


def test_csv_streams_lines_with_a_bom_first():
    lines = stream_csv(aid_table())
    assert inspect.isgenerator(lines)
    first = next(lines)
    assert first.startswith("\ufeffTerritoire;")
    assert all("\ufeff" not in line for line in lines)


def test_csv_reads_french_numbers_and_dates():
    lines = list(stream_csv(aid_table()))
    assert lines[0] == "\ufeffTerritoire;Emplois créés;Montant versé (€);Taux de réalisation (%);Dernier versement\r\n"
    assert lines[1] == "Marseille;1250;1325000;42,5;22/11/2026\r\n"
    assert lines[2] == "Aix-en-Provence;310;1801,8;90;03/01/2026\r\n"


def test_csv_quotes_off_formulas_and_quotes_separators():
    table = Table(
        "Texte",
        [Column("name", "Nom"), Column("amount", "Montant", "euros")],
        [{"name": "=1+1", "amount": Decimal("-5.5")}, {"name": "Aix; Arles", "amount": None}],
    )
    lines = list(stream_csv(table))
    assert lines[1] == "'=1+1;-5,5\r\n"
    assert lines[2] == '"Aix; Arles";\r\n'


def test_csv_response_streams_an_attachment():
    response = csv_response(aid_table(), "aides-2026.csv")
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="aides-2026.csv"'
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbfTerritoire;")
    assert "Marseille;1250;1325000;42,5;22/11/2026".encode() in body


def test_file_response_is_a_download():
    response = file_response(b"%PDF-1.7 ...", "bilan-2026.pdf", PDF_CONTENT_TYPE)
    assert isinstance(response, HttpResponse)
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="bilan-2026.pdf"'
    assert response["Content-Length"] == "12"
    assert response.content == b"%PDF-1.7 ..."


def test_non_ascii_filenames_are_encoded():
    response = file_response(b"x", "bilan été.pdf", PDF_CONTENT_TYPE)
    assert response["Content-Disposition"] == "attachment; filename*=utf-8''bilan%20%C3%A9t%C3%A9.pdf"


def test_dates_alone():
    table = Table("Dates", [Column("on", "Date", "date")], [{"on": date(2026, 1, 3)}])
    assert list(stream_csv(table))[1] == "03/01/2026\r\n"
