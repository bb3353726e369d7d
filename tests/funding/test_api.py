"""Funding API: scoped reads and the instruction's transitions with the shared error body."""

import pytest

from tests.factories import login


def test_transitions_through_the_api(client, world):
    login(client, world["instructor"])
    url = f"/api/v1/funding/applications/{world['instruction'].pk}/transitions"
    response = client.post(url, {"action": "start"}, content_type="application/json")
    assert response.status_code == 200 and response.json()["status"] == "under_instruction"
    assert "declare_eligible" in response.json()["allowed_actions"]
    refused = client.post(url, {"action": "declare_ineligible", "reason": ""}, content_type="application/json")
    assert refused.status_code == 400
    assert refused.json() == {"errors": [{"field": "reason", "message": "Le motif est obligatoire : le demandeur doit savoir pourquoi."}]}
    wrong_state = client.post(url, {"action": "sign_agreement"}, content_type="application/json")
    assert wrong_state.status_code == 400 and wrong_state.json()["errors"][0]["field"] == "action"


def test_the_applicant_cannot_instruct_and_reads_only_its_own(client, world):
    login(client, world["applicant"])
    url = f"/api/v1/funding/applications/{world['instruction'].pk}/transitions"
    assert client.post(url, {"action": "start"}, content_type="application/json").status_code == 403
    listing = client.get("/api/v1/funding/applications/").json()
    assert [row["number"] for row in listing["results"]] == [world["instruction"].application.number]
    assert listing["results"][0]["allowed_actions"] == ["withdraw"]
    funds = client.get("/api/v1/funding/funds/").json()
    assert funds["results"] == []  # a company sees no fund's accounts


def test_fund_balances_come_from_the_ledger(client, world):
    login(client, world["instructor"])
    fund = client.get("/api/v1/funding/funds/fonds-94/").json()
    assert fund["balance"] == {"received": "500000.00", "allocated": "500000.00", "returned": "0.00", "available": "0.00"}


def _queries(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("url", ["/fonds/", "/fonds/fonds-94/", "/fonds/conventions/", "/fonds/instruction/",
                                 "/api/v1/funding/funds/", "/api/v1/funding/commitments/", "/api/v1/funding/entries/",
                                 "/api/v1/funding/applications/"])
def test_list_pages_make_the_same_number_of_queries_for_more_rows(client, world, url):
    from datetime import date
    from decimal import Decimal

    from levier.funding import ledger
    from levier.funding.models import Convention, Fund, FundFinancer, FundOperator
    from levier.funding.services import Grant, grant
    from levier.territories.models import Territory
    from tests.factories import OrganisationFactory, UnitFactory

    from .conftest import make_fund

    from levier.accounts.enums import Role
    from tests.factories import user_with_role

    login(client, user_with_role(Role.ADMINISTRATOR, UnitFactory()))

    def add(n):
        for _ in range(n):
            fund = make_fund(f"fonds-{Fund.objects.count()}")
            financer = FundFinancer.objects.create(fund=fund, organisation=OrganisationFactory(), kind="state")
            operator = FundOperator.objects.create(fund=fund, operator=OrganisationFactory(), unit=UnitFactory())
            ledger.receive_contribution(financer=financer, amount="100.00", on=date(2026, 1, 1))
            ledger.allocate(operator=operator, amount="100.00", on=date(2026, 1, 1))
            grant(Grant(operator=world["operator"], kind="subsidy", amount=Decimal("10"), committed_on=date(2026, 2, 1),
                        reference=f"ENG-{Fund.objects.count()}", beneficiary=OrganisationFactory()))
            Convention.objects.create(
                reference=f"CR-{Fund.objects.count()}", company=OrganisationFactory(), owner_unit=world["fund"].owner_unit,
                kind="obligation", classification_reason="test", procedure="pse", notified_on=date(2025, 1, 1),
                jobs_eliminated=10, bassin=Territory.objects.get(kind="departement", code="94"), rate=Decimal("2"),
                monthly_smic=Decimal("1801.80"), amount_owed=Decimal("36036.00"))

    add(2)
    few = _queries(client, url)
    add(6)
    assert _queries(client, url) == few


def test_the_state_service_records_signs_and_closes_a_convention(client, db):
    from decimal import Decimal

    from levier.accounts.enums import Role
    from levier.funding.models import Convention, ConventionStep, LedgerEntry
    from tests.factories import OrganisationFactory, UnitFactory, user_with_role

    from .conftest import make_fund

    ddets = UnitFactory(name="DDETS 94")
    login(client, user_with_role(Role.STEERING, ddets))
    company = OrganisationFactory(name="Groupe industriel (fictif)")
    form = {"reference": "CR-94-2025-001", "siren": company.siren, "procedure": "pse", "headcount": "800",
            "group_headcount": "3000", "notified_on": "2025-03-03", "validated_on": "2025-05-12", "jobs_eliminated": "120",
            "jobs_reclassified": "20", "bassin": "94", "rate": "1.5", "amount_reason": ""}
    refused = client.post("/fonds/conventions/nouvelle/", form)
    assert refused.status_code == 200 and "ne peut pas en assurer la charge" in refused.content.decode()
    assert not Convention.objects.exists()
    client.post("/fonds/conventions/nouvelle/", {**form, "rate": "4.5"}, follow=True)
    convention = Convention.objects.get()
    assert convention.kind == "obligation" and convention.amount_owed == convention.monthly_smic * 450
    assert convention.minimum_amount == convention.monthly_smic * 200
    url = f"/fonds/conventions/{convention.pk}/"
    page = client.get(url).content.decode()
    assert "03/09/2025" in page  # signed at the latest six months after the notification
    client.post(url + "decision/", {"decided_on": "2025-06-30", "subject": "oui", "reasons": "Bassin fragile"})
    step = ConventionStep.objects.get(kind="subjection")
    assert step.subject and step.by is not None and step.reasons == "Bassin fragile"
    client.post(url + "sign/", {"signed_on": "2025-06-02", "ends_on": "2028-06-30"})
    convention.refresh_from_db()
    assert convention.status == "signed"
    client.post(url + "measure/", {"kind": "action", "label": "Essaimage", "done_on": "2026-01-15", "value": "100000",
                                   "jobs_created": "12"})
    still_owed = client.post(url + "close/", {"closed_on": "2028-07-01"}, follow=True).content.decode()
    assert "Reliquat de" in still_owed and Convention.objects.get().status == "signed"  # a remainder needs its use
    fund = make_fund("fonds-du-94")
    client.post(url + "close/", {"closed_on": "2028-07-01", "remainder_use": "fund", "fund": fund.pk})
    convention.refresh_from_db()
    remainder = convention.amount_owed - Decimal(100000)
    assert convention.status == "closed" and convention.remainder == remainder and convention.remainder_use == "fund"
    entry = LedgerEntry.objects.get(fund=fund)
    assert entry.kind == "contribution_received" and entry.amount == remainder  # into the fund, not the Treasury


def test_administrators_set_funds_and_committees_up_but_never_edit_the_ledger(client, world):
    from levier.accounts.enums import Role
    from levier.funding.models import LedgerEntry
    from tests.factories import UnitFactory, user_with_role

    admin = user_with_role(Role.ADMINISTRATOR, UnitFactory())
    login(client, admin)
    for url in ("/admin/funding/fund/", f"/admin/funding/fund/{world['fund'].pk}/change/", "/admin/funding/committee/add/",
                "/admin/funding/baserate/", "/admin/funding/ledgerentry/"):
        assert client.get(url).status_code == 200, url
    entry = LedgerEntry.objects.first()
    assert client.get("/admin/funding/ledgerentry/add/").status_code == 403
    # The fund's organisation, unit and perimeter are searched as typed, not listed in full in the page.
    add = client.get("/admin/funding/fund/add/").content.decode()
    assert add.count("admin-autocomplete") >= 3 and world["fund"].manager.name not in add
    assert client.post(f"/admin/funding/ledgerentry/{entry.pk}/delete/", {"post": "yes"}).status_code == 403


def test_the_whole_instruction_through_the_api(client, world):
    from levier.funding.models import Instruction

    login(client, world["instructor"])
    url = f"/api/v1/funding/applications/{world['instruction'].pk}/transitions"

    def fire(**body):
        response = client.post(url, body, content_type="application/json")
        assert response.status_code == 200, response.json()
        return response.json()

    fire(action="start")
    fire(action="declare_eligible", checklist={"presentation": True, "kbis": True})
    fire(action="put_on_agenda", committee=world["committee"].pk)
    granted = fire(action="grant", on="2026-12-15", justification="Comité : prêt réduit",
                   amounts=[{"kind": "loan", "amount": "45000.00", "legal_basis": "de minimis"},
                            {"kind": "subsidy", "amount": "5000.00", "legal_basis": "de minimis"}],
                   rating="good", collateral="normal")
    assert [d["amount"] for d in granted["decision"]] == ["45000.00", "5000.00"]
    fire(action="sign_agreement", on="2027-01-10")
    loan = granted["decision"][0]["commitment"]
    too_much = client.post(url, {"action": "disburse", "on": "2027-01-20", "tranches": {loan: "45000.001"}},
                           content_type="application/json")
    assert too_much.status_code == 400 and too_much.json()["errors"][0]["field"] == "amount"
    fire(action="disburse", on="2027-01-20", tranches={loan: "20000.00"})
    assert Instruction.objects.get(pk=world["instruction"].pk).status == "disbursing"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_grants_through_the_api_never_pass_the_de_minimis_ceiling(referential, world):
    """Fifty files of one company in committee, each granted 10 000 € of de minimis aid through the
    instruction's API by fifty requests at the same moment: the single undertaking's lock lets 30 pass
    (300 000 €), the others are refused with the ceiling's message, and nothing is half-granted."""
    import threading
    from datetime import date
    from decimal import Decimal

    from django.db import connection
    from django.test import Client

    from levier.aids.applications import record_paper_application
    from levier.funding import instruction as flow
    from levier.funding.models import Commitment, Instruction

    from .conftest import ANSWERS

    instructor, first = world["instructor"], world["instruction"]
    company, scheme = first.application.organisation, first.application.scheme
    files = [first] + [record_paper_application(scheme=scheme, organisation=company, by=instructor, answers=ANSWERS,
                                                today=date(2026, 11, 23)).instruction for _ in range(49)]
    for instruction in files:
        instruction = flow.fire(instruction, "start", by=instructor)
        instruction = flow.fire(instruction, "declare_eligible", by=instructor,
                                checklist={key: True for key in instruction.checklist})
        flow.fire(instruction, "put_on_agenda", by=instructor, committee=world["committee"])
        if instruction.application.de_minimis_declared_on is None:
            flow.declare_for_applicant(instruction=instruction, by=instructor, aids=[], links=[], on=date(2026, 11, 24))
    barrier = threading.Barrier(len(files))
    answers = []

    def grant(instruction):
        client = Client()
        login(client, instructor)
        try:
            barrier.wait()
            response = client.post(
                f"/api/v1/funding/applications/{instruction.pk}/transitions", content_type="application/json",
                data={"action": "grant", "on": "2026-12-15", "justification": "Subvention seule",
                      "amounts": [{"kind": "subsidy", "amount": "10000.00", "legal_basis": "de minimis"}]})
            answers.append((response.status_code, response.json()))
        finally:
            connection.close()

    threads = [threading.Thread(target=grant, args=(i,)) for i in files]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(code for code, _ in answers).count(200) == 30
    refusals = [body for code, body in answers if code != 200]
    assert len(refusals) == 20 and all(code == 400 for code, _ in answers if code != 200)
    assert all(body["errors"][0]["message"].startswith("Plafond de minimis dépassé") for body in refusals)
    granted = Commitment.objects.filter(beneficiary=company)
    assert sum(c.gross_grant_equivalent for c in granted) == Decimal("300000.00") and granted.count() == 30
    assert Instruction.objects.filter(pk__in=[i.pk for i in files], status="granted").count() == 30
    assert Instruction.objects.filter(pk__in=[i.pk for i in files], status="in_committee").count() == 20


@pytest.mark.parametrize("amount", ["NaN", "0", "0.00", "-5000.00", "1e30", "Infinity"])
def test_a_grant_of_no_positive_finite_amount_is_refused_and_nothing_is_committed(client, world, amount):
    """docs/funding-rules.md section 5: the field is named, the file stays in committee, no commitment."""
    from levier.funding.models import Commitment, Instruction

    login(client, world["instructor"])
    url = f"/api/v1/funding/applications/{world['instruction'].pk}/transitions"
    for body in ({"action": "start"}, {"action": "declare_eligible", "checklist": {"presentation": True, "kbis": True}},
                 {"action": "put_on_agenda", "committee": world["committee"].pk}):
        assert client.post(url, body, content_type="application/json").status_code == 200
    committed = Commitment.objects.count()
    response = client.post(url, {"action": "grant", "on": "2026-12-15", "justification": "Comité",
                                 "amounts": [{"kind": "subsidy", "amount": amount, "legal_basis": "de minimis"}]},
                           content_type="application/json")
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == ["amounts[0].amount"]
    assert Instruction.objects.get(pk=world["instruction"].pk).status == "in_committee"
    assert Commitment.objects.count() == committed


@pytest.mark.parametrize("body", ["3.5", "[1, 2]", '"start"', "null", "true"])
def test_a_transition_body_that_is_not_an_object_is_refused_with_the_body_named(client, world, body):
    login(client, world["instructor"])
    response = client.post(f"/api/v1/funding/applications/{world['instruction'].pk}/transitions", body,
                           content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"errors": [{"field": "body", "message": "Le corps de la requête doit être un objet JSON "
                                                                       "({…}), pas une valeur isolée ni une liste."}]}
