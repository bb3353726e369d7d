"""The Copil report: the demo reproduces the prefecture's figures from records; scopes and formats."""

import json
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command

from levier.core.errors import InvalidInput
from levier.funding import copil, ledger
from levier.funding.demo import load_copil_demo
from levier.funding.models import Commitment, JobReport, LedgerEntry
from levier.funding.services import Grant, grant
from tests.factories import OrganisationFactory


@pytest.fixture
def demo(db):
    call_command("organisations", "load-reference")
    call_command("aids", "load-reference")
    return load_copil_demo()


def test_the_demo_reproduces_the_copil_of_12_april_2023_from_records(demo, capsys):
    call_command("funding", "copil-report", "--all", "--format", "json")
    body = json.loads(capsys.readouterr().out)
    assert body["committed_eur"] == "1325000.00"
    assert body["companies"] == 170
    assert body["jobs_created"] == 1100
    # Records, not typed totals: the ledger and the job declarations hold these figures.
    entries = LedgerEntry.objects.filter(kind="commitment")
    assert sum(e.amount for e in entries) == Decimal("1325000.00") and entries.count() == 170
    assert JobReport.objects.count() == 170
    assert {row["key"] for row in body["by_operator"]} == {"ADIE", "Airbus Développement", "Pays d'Aix Développement"}
    assert sum(Decimal(row["committed_eur"]) for row in body["by_operator"]) == Decimal("1325000.00")
    assert body["cost_per_job_created_eur"] == "1204.55"  # 1 325 000 ÷ 1 100, rounded half-up
    assert Decimal(body["in_kind_eur"]) > 0
    assert len(body["beneficiaries"]) == 170
    for key in ("by_scheme", "by_naf_section", "by_size", "by_qpv", "by_rural"):
        assert sum(row["companies"] for row in body[key]) >= 170


def test_scopes_and_periods(demo):
    ampa = copil.copil_figures(copil.Scope(fund="ampa"))
    assert ampa["committed_eur"] == Decimal("600000.00") and ampa["companies"] == 60
    year = copil.copil_figures(copil.Scope(start=date(2020, 1, 1), end=date(2020, 12, 31)))
    assert Decimal(0) < year["committed_eur"] < Decimal("1325000")
    metropole = copil.copil_figures(copil.Scope(financer="200054807"))
    assert metropole["notes"] and Decimal(0) < metropole["committed_eur"] < ampa["committed_eur"]
    bdr = copil.copil_figures(copil.Scope(territory="departement:13"))
    assert bdr["committed_eur"] == Decimal("1325000.00")
    with pytest.raises(InvalidInput):
        copil.copil_figures(copil.Scope(fund="inconnu"))
    with pytest.raises(InvalidInput):
        copil.copil_figures(copil.Scope(start=date(2022, 1, 1), end=date(2021, 1, 1)))


def test_a_company_helped_twice_counts_once_and_its_jobs_once(financer, operator, reference_rate):
    ledger.receive_contribution(financer=financer, amount="100000.00", on=date(2024, 1, 1))
    ledger.allocate(operator=operator, amount="100000.00", on=date(2024, 1, 1))
    company = OrganisationFactory()
    common = {"operator": operator, "committed_on": date(2024, 2, 1), "beneficiary": company}
    loan = grant(Grant(kind="loan", amount=Decimal("45000"), reference="A-1", jobs_planned=3, rating="good",
                       collateral="normal", **common))
    subsidy = grant(Grant(kind="subsidy", amount=Decimal("5000"), reference="A-2", jobs_planned=3, **common))
    for commitment in (loan, subsidy):
        JobReport.objects.create(commitment=commitment, reported_on=date(2025, 2, 1), cdi_headcount=13, jobs_created=3)
    ledger.decommit(commitment=subsidy, amount="1000.00", on=date(2024, 6, 1))
    figures = copil.copil_figures(copil.Scope(fund=operator.fund.slug))
    assert figures["companies"] == 1 and figures["jobs_created"] == 3
    assert figures["committed_eur"] == Decimal("49000.00")
    assert figures["leverage"] == Decimal("0")
    empty = copil.copil_figures(copil.Scope(fund=operator.fund.slug, start=date(2030, 1, 1)))
    assert empty["cost_per_job_created_eur"] is None and empty["leverage"] is None
    assert copil.as_json(empty)["leverage"] is None and copil.as_json(figures)["committed_eur"] == "49000.00"
    assert Commitment.objects.count() == 2


def test_pdf_and_xlsx_formats(demo, tmp_path):
    from tests.reporting.conftest import require_weasyprint

    require_weasyprint()
    pdf, xlsx = tmp_path / "copil.pdf", tmp_path / "copil.xlsx"
    call_command("funding", "copil-report", "--fund", "ampa", "--format", "pdf", "--output", str(pdf))
    call_command("funding", "copil-report", "--fund", "ampa", "--format", "xlsx", "--output", str(xlsx))
    assert pdf.read_bytes().startswith(b"%PDF") and len(pdf.read_bytes()) > 10_000
    from django.utils import timezone

    from levier.funding.copil_report import build_report
    from levier.reporting.render import render_pdf_document

    document = render_pdf_document(build_report(copil.copil_figures(copil.Scope(fund="ampa")),
                                                generated_on=timezone.localdate()), brand=True)
    assert document.count("<svg") >= 2 and "Emplois prévus et créés par opérateur" in document
    from openpyxl import load_workbook

    sheets = load_workbook(xlsx).sheetnames
    assert any("Chiffres" in name for name in sheets)


def test_a_convention_summary_counts_its_share_of_the_funds_jobs(demo):
    from levier.funding.models import Convention
    from levier.funding.conventions import convention_summary

    airbus = convention_summary(Convention.objects.get(reference="CR-13-2019-002"))
    assert airbus.paid_into_funds == Decimal("600000.00") and airbus.jobs_created == 500  # sole financer of its fund
    chimie = convention_summary(Convention.objects.get(reference="CR-13-2018-004"))
    assert chimie.jobs_created == 267  # 420 jobs of AMPA × 440 000 / 690 000, rounded down
    assert chimie.owed == Convention.objects.get(reference="CR-13-2018-004").amount_owed
