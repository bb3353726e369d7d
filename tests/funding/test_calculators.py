"""The rules as JSON: the command line and the API answer the same, bad input gets the common error body,
and the pages' figures are the JSON's for the same facts."""

import json
import subprocess
import sys
from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from levier.funding import calculators
from levier.funding.models import BaseRate

OBLIGATION = {"procedure": "pse", "headcount": 640, "group_headcount": 4100, "jobs_eliminated": 180,
              "jobs_reclassified": 20, "notified_on": "2024-10-15", "validated_on": "2024-12-16",
              "prefect_decision": {"decided_on": "2025-02-10", "subject": True}, "as_of": "2025-04-16"}
LOAN = {"principal": "10000.00", "months": 12, "frequency": "yearly", "first_due_on": "2025-01-15",
        "granted_on": "2024-01-15", "base_rate_percent": "4.11", "rating": "weak", "collateral": "normal"}
DE_MINIMIS = {"grant_date": "2025-03-15", "amount": "100000.00", "regulation": "general", "applicant": "552100554",
              "links": [{"controller": "732829320", "controlled": "552100554"}],
              "previous_aids": [{"date": "2022-03-15", "amount": "80000.00", "regulation": "1407/2013"},
                                {"date": "2022-03-16", "amount": "150000.00", "regulation": "1407/2013",
                                 "beneficiary": "732829320"},
                                {"date": "2024-06-01", "amount": "60000.00", "regulation": "2023/2831",
                                 "beneficiary": "444608442"}]}


def cli(action: str, body, tmp_path) -> dict:
    path = tmp_path / f"{action}.json"
    path.write_text(json.dumps(body), encoding="utf-8")
    out = StringIO()
    call_command("funding", action, str(path), stdout=out)
    return json.loads(out.getvalue())


@pytest.mark.parametrize(("action", "url", "body"), [
    ("obligation", "/api/v1/funding/obligation", OBLIGATION), ("loan", "/api/v1/funding/loan", LOAN),
    ("de-minimis", "/api/v1/funding/de-minimis", DE_MINIMIS)])
def test_the_command_and_the_api_answer_the_same(client, db, tmp_path, action, url, body):
    response = client.post(url, body, content_type="application/json")
    assert response.status_code == 200
    assert response.json() == cli(action, body, tmp_path)


def test_the_documented_examples_give_the_documented_figures(db):
    obligation = calculators.obligation(OBLIGATION, today=date(2026, 1, 1))
    assert (obligation["classification"], obligation["jobs"], obligation["monthly_smic"], obligation["minimum_amount"],
            obligation["deadline"], obligation["treasury_amount"]) == (
        "obligation", 160, "1766.92", "565414.40", "2025-04-15", "1130828.80")
    loan = calculators.loan(LOAN)
    assert (loan["reference_rate_percent"], loan["discount_rate_percent"], loan["gross_grant_equivalent"]) == (
        "8.11", "5.11", "771.57")
    check = calculators.de_minimis_check(DE_MINIMIS)
    assert (check["regulation"], check["window"], check["previous"], check["allowed"]) == (
        "2023/2831", {"from": "2022-03-16", "to": "2025-03-15"}, "150000.00", True)
    assert check["single_undertaking"] == ["552100554", "732829320"] and len(check["not_counted"]) == 2


@pytest.mark.parametrize(("url", "body", "field"), [
    ("/api/v1/funding/obligation", {**OBLIGATION, "notified_on": "20241015"}, "notified_on"),
    ("/api/v1/funding/obligation", {**OBLIGATION, "headcount": "mille"}, "headcount"),
    ("/api/v1/funding/obligation", {**OBLIGATION, "in_receivership": "non"}, "in_receivership"),
    ("/api/v1/funding/obligation", {**OBLIGATION, "effectif": 3}, "effectif"),
    ("/api/v1/funding/obligation", {**OBLIGATION, "prefect_decision": {"decided_on": "2025-02-10"}},
     "prefect_decision.subject"),
    ("/api/v1/funding/obligation", {**OBLIGATION, "collective_agreement": {"requested_on": "2025-01-10", "commitments":
                                    "600000", "opposed_on": "2025-02-01", "opposition_reason": " "}},
     "collective_agreement.opposition_reason"),
    ("/api/v1/funding/obligation", {**OBLIGATION, "notified_on": "9999-10-01"}, "notified_on"),
    ("/api/v1/funding/obligation", {**OBLIGATION, "agreed_amount": "1e26"}, "agreed_amount"),
    ("/api/v1/funding/loan", {**LOAN, "months": 120000}, "months"),
    ("/api/v1/funding/loan", {**LOAN, "base_rate_percent": "-150"}, "base_rate_percent"),
    ("/api/v1/funding/loan", {**LOAN, "principal": "0"}, "principal"),
    ("/api/v1/funding/loan", {**LOAN, "principal": "NaN"}, "principal"),
    ("/api/v1/funding/loan", {**LOAN, "months": 18}, "months"),
    ("/api/v1/funding/loan", {k: v for k, v in LOAN.items() if k not in ("rating", "collateral")}, "rating"),
    ("/api/v1/funding/loan", {**LOAN, "principal": "0.05", "months": 60, "frequency": "monthly"}, "principal"),
    ("/api/v1/funding/de-minimis", {**DE_MINIMIS, "regulation": "1407/2013"}, "regulation"),
    ("/api/v1/funding/de-minimis", {**DE_MINIMIS, "fiscal_year_end": "02-30"}, "fiscal_year_end"),
    ("/api/v1/funding/de-minimis", {**DE_MINIMIS, "previous_aids": [{"date": "2024-01-01", "amount": "-3",
                                                                      "regulation": "general"}]}, "previous_aids[0].amount"),
    ("/api/v1/funding/de-minimis", [1, 2], "body"),
])
def test_bad_input_is_refused_naming_the_field(client, db, url, body, field):
    response = client.post(url, body, content_type="application/json")
    assert response.status_code == 400
    assert field in [e["field"] for e in response.json()["errors"]], response.json()


def test_an_unreadable_body_and_a_bad_file_exit_2_with_the_common_body(client, db, tmp_path):
    response = client.post("/api/v1/funding/loan", "{principal", content_type="application/json")
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "body"
    bad = tmp_path / "bad.json"
    bad.write_text("[1,", encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "levier.cli", "funding", "loan", str(bad)], capture_output=True, text=True,
                         env={"DJANGO_SETTINGS_MODULE": "config.settings.test", "PATH": ""})
    assert run.returncode == 2 and json.loads(run.stderr)["errors"][0]["field"] == "case"


def test_the_convention_page_and_the_json_agree_on_the_same_facts(client, db):
    from levier.accounts.enums import Role
    from levier.funding import conventions
    from levier.territories.models import Territory
    from tests.factories import OrganisationFactory, UnitFactory, login, user_with_role

    unit = UnitFactory()
    user = user_with_role(Role.STEERING, unit)
    convention, _ = conventions.create_convention(by=user, today=date(2024, 11, 1), spec=conventions.ConventionInput(
        reference="CR-1", company=OrganisationFactory(), owner_unit=unit, procedure="rcc", headcount=700,
        group_headcount=1800, notified_on=date(2024, 2, 1), validated_on=date(2024, 4, 30), jobs_eliminated=90,
        jobs_reclassified=12, bassin=Territory.objects.get(kind="departement", code="94")))
    body = calculators.obligation({"procedure": "rcc", "headcount": 700, "group_headcount": 1800, "jobs_eliminated": 90,
                                   "jobs_reclassified": 12, "notified_on": "2024-02-01", "validated_on": "2024-04-30",
                                   "as_of": "2024-11-01"}, today=date(2024, 11, 1))
    state = conventions.obligation_of(convention, as_of=date(2024, 11, 1))
    assert body["deadline"] == state.deadline.isoformat() == "2024-10-30"  # six months from the RCC's validation
    assert body["treasury_amount"] == f"{state.treasury_amount:.2f}" and body["amount_owed"] == f"{convention.amount_owed:.2f}"
    login(client, user)
    import time_machine

    with time_machine.travel(date(2024, 11, 1)):
        page = client.get(f"/fonds/conventions/{convention.pk}/").content.decode()
    assert "30/10/2024" in page and "551\u202f279,04" in page  # 4 × 1 766,92 × 78


def test_a_commitments_loan_and_the_json_loan_agree(db):
    from levier.funding import ledger
    from levier.funding.models import FundFinancer
    from levier.funding.services import Grant, grant
    from tests.factories import OrganisationFactory

    from .conftest import make_fund, make_operator

    BaseRate.objects.create(effective_from=date(2024, 1, 1), rate=Decimal("0.0411"), source="test")
    fund = make_fund("fonds-pret")
    operator = make_operator(fund)
    financer = FundFinancer.objects.create(fund=fund, organisation=OrganisationFactory(), kind="state")
    ledger.receive_contribution(financer=financer, amount="50000", on=date(2024, 1, 1))
    ledger.allocate(operator=operator, amount="50000", on=date(2024, 1, 1))
    commitment = grant(Grant(operator=operator, kind="loan", amount=Decimal("45000"), committed_on=date(2024, 3, 10),
                             reference="P-1", beneficiary=OrganisationFactory(), loan_months=60, loan_deferral_months=6,
                             loan_rate=Decimal("0.005"), rating="satisfactory", collateral="normal"))
    body = calculators.loan({"principal": "45000", "months": 60, "first_due_on": commitment.first_due_on.isoformat(),
                             "granted_on": "2024-03-10", "rate_percent": "0.5", "rating": "satisfactory",
                             "collateral": "normal"})
    assert body["gross_grant_equivalent"] == f"{commitment.gross_grant_equivalent:.2f}"
    assert (commitment.margin_bp, commitment.reference_rate, commitment.discount_rate) == (
        220, Decimal("0.06310"), Decimal("0.05110"))
    assert commitment.first_due_on == date(2024, 10, 10)  # six months of deferral, then one month
    assert [f"{i.interest:.2f}" for i in commitment.instalments.all()[:2]] == [s["interest"] for s in body["schedule"][:2]]
