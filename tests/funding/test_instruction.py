"""Instruction: the declared workflow from submission to closure, roles, reasons, amounts."""

from datetime import date

import pytest
from django.core import mail

from levier.accounts.enums import Role
from levier.core.errors import InvalidInput
from levier.funding import instruction as flow
from levier.funding import ledger
from levier.funding.models import Instruction
from tests.factories import UnitFactory, UserFactory, user_with_role

from .conftest import PDF

LOAN = {"rating": "good", "collateral": "normal"}  # the borrower's rating and collateral: 100 bp of margin


def test_submission_opens_the_instruction_with_the_scheme_checklist(world):
    instruction = world["instruction"]
    assert instruction.status == "submitted" and instruction.operator == world["operator"]
    assert instruction.checklist == {"presentation": False, "kbis": False}


def test_the_whole_journey_to_closure(world, django_capture_on_commit_callbacks):
    i, instructor, applicant = world["instruction"], world["instructor"], world["applicant"]
    i = flow.fire(i, "start", by=instructor)
    i = flow.fire(i, "request_documents", by=instructor, on=date(2026, 11, 25), message="Bilan 2025", due_on=date(2026, 12, 10))
    assert flow.allowed_actions(applicant, i) == ["answer_documents", "withdraw"]
    i = flow.fire(i, "answer_documents", by=applicant, answer="Bilan joint par courriel")
    with pytest.raises(InvalidInput) as exc:
        flow.fire(i, "declare_eligible", by=instructor)
    assert {e.field for e in exc.value.errors} == {"checklist.presentation", "checklist.kbis"}
    i = flow.fire(i, "declare_eligible", by=instructor, checklist={"presentation": True, "kbis": True})
    i = flow.fire(i, "put_on_agenda", by=instructor, committee=world["committee"])
    i = flow.fire(i, "grant", by=instructor, on=date(2026, 12, 15), loan=LOAN)
    amounts = {c["kind"]: c["amount"] for c in i.decision}
    assert amounts == {"loan": "60000.00", "subsidy": "5000.00"}  # computed by the frozen rules (4 jobs)
    i = flow.fire(i, "sign_agreement", by=instructor, on=date(2027, 1, 10))
    loan, subsidy = sorted(i.application.commitments.all(), key=lambda c: c.kind)
    assert loan.instalments.count() == 60
    i = flow.fire(i, "disburse", by=instructor, on=date(2027, 1, 20), tranches={loan.reference: "30000.00", subsidy.reference: "2500.00"})
    with pytest.raises(InvalidInput):
        flow.fire(i, "start_follow_up", by=instructor)  # the second tranche is still due
    with pytest.raises(InvalidInput):  # a tranche above the commitment
        flow.fire(i, "disburse", by=instructor, on=date(2027, 6, 1), tranches={subsidy.reference: "2500.01"})
    i = flow.fire(i, "disburse", by=instructor, on=date(2027, 6, 1), tranches={loan.reference: "30000.00", subsidy.reference: "2500.00"})
    i = flow.fire(i, "start_follow_up", by=instructor)
    report = flow.declare_jobs(commitment=loan, by=applicant, reported_on=date(2028, 12, 20), cdi_headcount=45)
    assert report.jobs_created == 5
    with pytest.raises(InvalidInput) as exc:
        flow.fire(i, "close", by=instructor)
    assert len(exc.value.errors) >= 2  # jobs not verified, loan not repaid
    flow.verify_jobs(report=report, by=instructor, verified_jobs=4, on=date(2029, 1, 5))
    flow.declare_jobs(commitment=subsidy, by=applicant, reported_on=date(2028, 12, 20), cdi_headcount=45)
    flow.verify_jobs(report=subsidy.job_reports.get(), by=instructor, verified_jobs=4, on=date(2029, 1, 5))
    ledger.repay(commitment=loan, amount="60000.00", on=date(2029, 2, 1), note="Remboursement anticipé")
    with django_capture_on_commit_callbacks(execute=True):
        i = flow.fire(i, "close", by=instructor)
    assert i.status == "closed"
    assert [log.action for log in i.logs.all()][-3:] == ["disburse", "start_follow_up", "close"]
    assert any("Clôturée" in m.subject for m in mail.outbox) and mail.outbox[-1].to == ["dirigeante@mecanique-ivry.test"]


def test_roles_states_and_reasons(world, django_capture_on_commit_callbacks):
    i, instructor, applicant = world["instruction"], world["instructor"], world["applicant"]
    with pytest.raises(InvalidInput):
        flow.fire(i, "start", by=applicant)  # the applicant does not instruct
    other = user_with_role(Role.OPERATOR_INSTRUCTOR, UnitFactory())
    with pytest.raises(InvalidInput):
        flow.fire(i, "start", by=other)  # another operator's instructor neither
    with pytest.raises(InvalidInput):
        flow.fire(i, "grant", by=instructor, on=date(2026, 12, 1))  # not from "submitted"
    i = flow.fire(i, "start", by=instructor)
    with pytest.raises(InvalidInput) as exc:
        flow.fire(i, "declare_ineligible", by=instructor, reason="  ")
    assert exc.value.errors[0].field == "reason"
    with django_capture_on_commit_callbacks(execute=True):
        i = flow.fire(i, "declare_ineligible", by=instructor, reason="Effectif au-delà du plafond.")
    assert Instruction.objects.get(pk=i.pk).reason == "Effectif au-delà du plafond."
    assert "Motif : Effectif au-delà du plafond." in mail.outbox[-1].body


def test_edited_amounts_need_a_justification_and_committee_members_see_their_agenda(world):
    i, instructor = world["instruction"], world["instructor"]
    for action in ("start",):
        i = flow.fire(i, action, by=instructor)
    i = flow.fire(i, "declare_eligible", by=instructor, checklist={"presentation": True, "kbis": True})
    i = flow.fire(i, "put_on_agenda", by=instructor, committee=world["committee"])
    banker = UserFactory(email="banquier@exemple.test")
    from levier.accounts.services import grant_membership

    grant_membership(user=banker, unit=world["fund"].owner_unit, role=Role.COMMITTEE_MEMBER, by=None)
    assert not Instruction.objects.visible_to(banker).exists()
    world["committee"].members.add(banker)
    assert list(Instruction.objects.visible_to(banker)) == [i]
    flow.declare_conflict(instruction=i, by=banker, note="Administrateur de la banque de l'entreprise")
    edited = [{"kind": "loan", "amount": "45000.00"}, {"kind": "subsidy", "amount": "5000.00"}]
    with pytest.raises(InvalidInput) as exc:
        flow.fire(i, "grant", by=instructor, on=date(2026, 12, 15), amounts=edited, loan=LOAN)
    assert exc.value.errors[0].field == "justification"
    i = flow.fire(i, "grant", by=instructor, on=date(2026, 12, 15), amounts=edited, justification="Besoin revu en comité.",
                  loan=LOAN)
    assert {c["kind"]: c["amount"] for c in i.decision} == {"loan": "45000.00", "subsidy": "5000.00"}


def test_withdrawal_before_signature_only(world):
    i, instructor, applicant = world["instruction"], world["instructor"], world["applicant"]
    assert "withdraw" not in flow.allowed_actions(instructor, i)  # the applicant's decision
    i = flow.fire(i, "withdraw", by=applicant, reason="Projet abandonné")
    assert i.status == "withdrawn" and flow.allowed_actions(applicant, i) == []


def test_adjourned_files_come_back_to_the_next_agenda(world):
    i, instructor = world["instruction"], world["instructor"]
    i = flow.fire(i, "start", by=instructor)
    i = flow.fire(i, "declare_eligible", by=instructor, checklist={"presentation": True, "kbis": True})
    i = flow.fire(i, "put_on_agenda", by=instructor, committee=world["committee"])
    i = flow.fire(i, "adjourn", by=instructor, reason="Plan de financement à compléter")
    assert i.status == "eligible" and i.committee is None
    with pytest.raises(InvalidInput):
        flow.fire(i, "refuse", by=instructor, reason="x")  # not on an agenda any more


def test_an_instructor_enters_a_paper_file(world, client):
    from levier.aids.models import Scheme
    from tests.factories import OrganisationFactory, login

    company = OrganisationFactory(name="Menuiserie de Vitry (fictive)")
    login(client, world["instructor"])
    form = {"scheme": str(Scheme.objects.get(slug="alixio").pk), "siren": company.siren, "commune": "94081",
            "headcount": "30", "naf": "16.23Z", "jobs": "6"}
    response = client.post("/fonds/instruction/dossier-papier/", form, follow=True)
    instruction = Instruction.objects.get(application__organisation=company)
    assert instruction.paper and instruction.status == "submitted"
    assert {c["kind"]: c["amount"] for c in instruction.application.evaluation["components"]} == {
        "loan": "90000.00", "subsidy": "10000.00"}
    assert instruction.application.number in response.content.decode()
    applicant = user_with_role(Role.COMPANY, UnitFactory())
    from levier.aids.applications import record_paper_application

    with pytest.raises(InvalidInput):
        record_paper_application(scheme=Scheme.objects.get(slug="alixio"), organisation=company, by=applicant, answers={})


def test_instruction_changes_are_in_the_audit_trail(world):
    from auditlog.models import LogEntry

    i = flow.fire(world["instruction"], "start", by=world["instructor"])
    entries = LogEntry.objects.get_for_object(i)
    assert any("status" in (e.changes_dict or {}) for e in entries)


def test_a_descriptive_scheme_is_granted_the_amount_set_by_the_committee(db, client):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command

    from levier.aids import applications
    from levier.aids.models import Scheme
    from levier.funding.models import Committee, Fund, FundFinancer, FundOperator, FundScheme
    from tests.factories import OrganisationFactory, login


    call_command("organisations", "load-reference")
    call_command("aids", "load-reference")
    scheme = Scheme.objects.get(slug="fonds-airbus-developpement")  # "Montants fixés par le comité"
    fund = Fund.objects.create(slug="fonds-airbus", name="Fonds Airbus", manager=scheme.operator, owner_unit=UnitFactory())
    FundScheme.objects.create(fund=fund, scheme=scheme)
    operator = FundOperator.objects.create(fund=fund, operator=scheme.operator, unit=scheme.owner_unit)
    financer = FundFinancer.objects.create(fund=fund, organisation=OrganisationFactory(), kind="revitalisation")
    ledger.receive_contribution(financer=financer, amount="100000.00", on=date(2026, 1, 2))
    ledger.allocate(operator=operator, amount="100000.00", on=date(2026, 1, 2))
    committee = Committee.objects.create(fund=fund, held_on=date(2026, 12, 15), title="Comité")
    from decimal import Decimal

    from levier.funding.models import BaseRate

    BaseRate.objects.create(effective_from=date(2026, 1, 1), rate=Decimal("0.03"), source="test")
    applicant = user_with_role(Role.COMPANY, OrganisationFactory().main_unit())
    draft = applications.start_application(scheme=scheme, by=applicant, answers={
        "beneficiary": {"kind": "company", "commune": "13001", "headcount": 20}})
    for document in scheme.required_documents:
        applications.add_document(application=draft, by=applicant, document_key=document["key"],
                                  uploaded=SimpleUploadedFile("p.pdf", PDF))
    instruction = applications.submit_application(application=draft, by=applicant, today=date(2026, 11, 22)).instruction
    instructor = user_with_role(Role.OPERATOR_INSTRUCTOR, scheme.owner_unit)
    instruction = flow.fire(instruction, "start", by=instructor)
    instruction = flow.fire(instruction, "declare_eligible", by=instructor, checklist={k: True for k in instruction.checklist})
    flow.fire(instruction, "put_on_agenda", by=instructor, committee=committee)
    login(client, instructor)
    page = client.get(f"/fonds/instruction/{instruction.pk}/").content.decode()
    assert "montant fixé par le comité" in page
    refused = client.post(f"/fonds/instruction/{instruction.pk}/grant/", follow=True, data={
        "free_kind": "subsidy", "free_amount": "30000", "free_de_minimis": "general", "on": "2026-12-15",
        "justification": "Montant décidé par le comité d'engagement."}).content.decode()
    assert "déclaration de minimis du demandeur manque" in refused  # de minimis aid needs the declaration first
    declaration = {"aids-TOTAL_FORMS": "1", "aids-INITIAL_FORMS": "0", "links-TOTAL_FORMS": "0", "links-INITIAL_FORMS": "0",
                   "aids-0-granted_on": "2025-04-02", "aids-0-amount": "12 000,50", "aids-0-regime": "general",
                   "aids-0-grantor": "Région Sud", "certify": "on"}
    client.post(f"/aides/demandes/{instruction.application_id}/de-minimis/", declaration)  # entered from the paper file
    assert instruction.application.declared_aids.get().amount == Decimal("12000.50")
    response = client.post(f"/fonds/instruction/{instruction.pk}/grant/", follow=True, data={
        "free_kind": "loan", "free_amount": "30000", "free_legal_basis": "de minimis", "free_de_minimis": "general",
        "rating": "satisfactory", "collateral": "high", "on": "2026-12-15",
        "justification": "Montant décidé par le comité d'engagement."})
    instruction.refresh_from_db()
    assert instruction.status == "granted", [str(m) for m in response.context["messages"]]
    assert instruction.decision[0]["amount"] == "30000.00"


def test_the_instructor_opens_the_applicants_pieces_once_the_file_has_moved_on(world, client):
    """The application's own page stops showing it to the instructor after submission; the
    instruction page's links keep the pieces within reach, and only for those who see the file."""
    from tests.factories import login

    i = flow.fire(world["instruction"], "start", by=world["instructor"])
    document = i.application.documents.get(document_key="kbis")
    login(client, world["instructor"])
    page = client.get(f"/fonds/instruction/{i.pk}/").content.decode()
    url = f"/fonds/instruction/{i.pk}/pieces/{document.pk}/"
    assert url in page
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    login(client, user_with_role(Role.OPERATOR_INSTRUCTOR, UnitFactory()))
    assert client.get(url).status_code == 404


def _followed_loan(world):
    i, instructor = world["instruction"], world["instructor"]
    i = flow.fire(i, "start", by=instructor)
    i = flow.fire(i, "declare_eligible", by=instructor, checklist={"presentation": True, "kbis": True})
    i = flow.fire(i, "put_on_agenda", by=instructor, committee=world["committee"])
    i = flow.fire(i, "grant", by=instructor, on=date(2026, 12, 15), loan=LOAN)
    i = flow.fire(i, "sign_agreement", by=instructor, on=date(2027, 1, 10))
    return next(c for c in i.application.commitments.all() if c.kind == "loan")


def test_jobs_are_declared_by_the_beneficiary_and_verified_by_the_operator_only(world):
    from django.core.exceptions import PermissionDenied

    loan, instructor, applicant = _followed_loan(world), world["instructor"], world["applicant"]
    outsider = user_with_role(Role.OPERATOR_INSTRUCTOR, UnitFactory())
    with pytest.raises(PermissionDenied):
        flow.declare_jobs(commitment=loan, by=outsider, reported_on=date(2028, 12, 20), cdi_headcount=45)
    report = flow.declare_jobs(commitment=loan, by=applicant, reported_on=date(2028, 12, 20), cdi_headcount=45)
    assert report.declared_by == applicant
    with pytest.raises(PermissionDenied):  # the company does not verify its own declaration
        flow.verify_jobs(report=report, by=applicant, verified_jobs=5, on=date(2029, 1, 5))
    with pytest.raises(PermissionDenied):
        flow.verify_jobs(report=report, by=outsider, verified_jobs=5, on=date(2029, 1, 5))
    with pytest.raises(InvalidInput) as exc:
        flow.verify_jobs(report=report, by=instructor, verified_jobs=4, on=date(2028, 12, 19))
    assert exc.value.errors[0].field == "verified_on"
    with pytest.raises(InvalidInput) as exc:
        flow.verify_jobs(report=report, by=instructor, verified_jobs=46, on=date(2029, 1, 5))
    assert exc.value.errors[0].field == "verified_jobs"
    report = flow.verify_jobs(report=report, by=instructor, verified_jobs=4, on=date(2028, 12, 20))
    assert (report.verified_jobs, report.verified_by, report.verified_on) == (4, instructor, date(2028, 12, 20))


def test_job_declarations_name_each_wrong_field(world):
    loan = _followed_loan(world)
    with pytest.raises(InvalidInput) as exc:
        flow.declare_jobs(commitment=loan, by=world["applicant"], reported_on=date(2028, 12, 20), cdi_headcount=-1,
                          qpv_resident_jobs=-2)
    assert {e.field for e in exc.value.errors} == {"cdi_headcount", "qpv_resident_jobs"}
    with pytest.raises(InvalidInput) as exc:
        flow.declare_jobs(commitment=loan, by=world["applicant"], reported_on=date(2028, 12, 20), cdi_headcount=3,
                          qpv_resident_jobs=4)
    assert "pas plus que l'effectif" in exc.value.errors[0].message
    assert not loan.job_reports.exists()
