"""A revitalisation case followed through its procedure: services and pages on the same rule."""

from datetime import date
from decimal import Decimal

import pytest

from levier.accounts.enums import Role
from levier.core.errors import InvalidInput
from levier.funding import conventions as service
from levier.funding.models import Convention, ConventionLog, ConventionStep, LedgerEntry
from levier.territories.models import Territory
from tests.factories import OrganisationFactory, UnitFactory, login, user_with_role

from .conftest import make_fund

D = Decimal


@pytest.fixture
def ddets(db):
    unit = UnitFactory(name="DDETS 94")
    return {"unit": unit, "user": user_with_role(Role.STEERING, unit)}


def spec(ddets, **values) -> service.ConventionInput:
    base = {"reference": f"CR-{Convention.objects.count() + 1}", "company": OrganisationFactory(), "owner_unit": ddets["unit"],
            "procedure": "pse", "headcount": 1500, "notified_on": date(2024, 3, 15), "jobs_eliminated": 50,
            "bassin": Territory.objects.get(kind="departement", code="94"), "validated_on": date(2024, 5, 2)}
    return service.ConventionInput(**{**base, **values})


def create(ddets, today=date(2024, 4, 1), **values) -> Convention:
    convention, _ = service.create_convention(by=ddets["user"], spec=spec(ddets, **values), today=today)
    return convention


def test_a_company_outside_the_law_is_refused_with_the_reason_on_its_field(ddets):
    for values, field in [({"headcount": 49}, "headcount"), ({"in_receivership": True}, "in_receivership"),
                          ({"procedure": "other"}, "procedure"), ({"procedure": "rcc", "headcount": 999}, "headcount")]:
        with pytest.raises(InvalidInput) as exc:
            create(ddets, **values)
        assert exc.value.errors[0].field == field, values
    assert not Convention.objects.exists()


def test_the_smic_of_the_notification_date_and_the_floor_are_recorded(ddets):
    before = create(ddets, notified_on=date(2024, 10, 31), validated_on=None)
    after = create(ddets, notified_on=date(2024, 11, 1), validated_on=None)
    assert before.monthly_smic == D("1766.92") and after.monthly_smic == D("1801.80")
    assert before.minimum_amount == D("176692.00") == before.amount_owed  # 2 × 1 766,92 × 50
    voluntary = create(ddets, headcount=300, agreed_amount=D("20000"), amount_reason="Pertes sur trois exercices")
    assert voluntary.kind == "voluntary" and voluntary.amount_owed == D("20000") and voluntary.minimum_amount is None


def test_a_prefect_deciding_the_company_is_not_subject_ends_the_case_with_its_author_and_reasons(ddets):
    convention = create(ddets)
    with pytest.raises(InvalidInput) as exc:
        service.decide_subjection(convention=convention, by=ddets["user"], decided_on=date(2024, 6, 1), subject=False,
                                  reasons=" ")
    assert exc.value.errors[0].field == "reasons"
    service.decide_subjection(convention=convention, by=ddets["user"], decided_on=date(2024, 6, 1), subject=False,
                              reasons="Bassin peu touché")
    convention.refresh_from_db()
    step = ConventionStep.objects.get(convention=convention)
    assert convention.status == "not_subject" and step.by == ddets["user"] and step.subject is False
    assert ConventionLog.objects.filter(convention=convention, to_status="not_subject").exists()
    with pytest.raises(InvalidInput):
        service.sign_convention(convention=convention, by=ddets["user"], signed_on=date(2024, 7, 1), ends_on=date(2027, 7, 1))


def test_without_a_convention_in_six_months_steering_records_the_collection_order_for_four_smic(ddets):
    convention = create(ddets)
    with pytest.raises(InvalidInput) as exc:  # the prefect has not said the company is subject
        service.issue_treasury_title(convention=convention, by=ddets["user"], issued_on=date(2024, 9, 16), reference="T-0")
    assert "D1233-38" in exc.value.errors[0].message
    service.decide_subjection(convention=convention, by=ddets["user"], decided_on=date(2024, 6, 1), subject=True,
                              reasons="Bassin fragile")
    with pytest.raises(InvalidInput) as exc:
        service.issue_treasury_title(convention=convention, by=ddets["user"], issued_on=date(2024, 9, 15), reference="T-1")
    assert exc.value.errors[0].field == "issued_on"  # the deadline's last day: not yet due
    step = service.issue_treasury_title(convention=convention, by=ddets["user"], issued_on=date(2024, 9, 16),
                                        reference="TP-2024-0042")
    convention.refresh_from_db()
    assert convention.status == "treasury" and step.amount == D("353384.00") == 4 * 50 * convention.monthly_smic


def test_signed_late_the_treasury_payment_stays_due_and_is_said(ddets):
    convention = create(ddets)
    warnings = service.sign_convention(convention=convention, by=ddets["user"], signed_on=date(2024, 9, 16),
                                       ends_on=date(2027, 9, 16))
    assert any("Trésor" in w for w in warnings)
    assert service.obligation_of(Convention.objects.get(pk=convention.pk), as_of=date(2024, 10, 1)).treasury_due


def test_a_collective_agreement_takes_the_place_two_months_after_the_request_unless_opposed(ddets):
    convention = create(ddets)
    service.request_agreement(convention=convention, by=ddets["user"], requested_on=date(2024, 6, 10),
                              commitments=D("200000.00"), reference="Accord de groupe du 3 juin 2024")
    with pytest.raises(InvalidInput) as exc:
        service.confirm_agreement_in_lieu(convention=convention, by=ddets["user"], on=date(2024, 8, 10))
    assert "jusqu'au 10/08/2024" in exc.value.errors[0].message
    with pytest.raises(InvalidInput) as exc:
        service.oppose_agreement(convention=convention, by=ddets["user"], opposed_on=date(2024, 8, 11), reasons="Trop tard")
    assert exc.value.errors[0].field == "opposed_on"
    assert not ConventionStep.objects.filter(kind="agreement_opposition").exists()  # nothing half saved
    service.confirm_agreement_in_lieu(convention=convention, by=ddets["user"], on=date(2024, 8, 11))
    convention.refresh_from_db()
    assert convention.status == "agreement_in_lieu"
    assert not service.obligation_of(convention, as_of=date(2025, 1, 1)).treasury_due


def test_an_opposed_or_insufficient_agreement_leaves_the_treasury_due(ddets):
    opposed = create(ddets)
    service.request_agreement(convention=opposed, by=ddets["user"], requested_on=date(2024, 6, 10),
                              commitments=D("200000.00"), reference="Accord d'entreprise")
    service.oppose_agreement(convention=opposed, by=ddets["user"], opposed_on=date(2024, 7, 1),
                             reasons="Actions hors du bassin d'emploi")
    assert service.obligation_of(opposed, as_of=date(2024, 9, 16)).treasury_due
    low = create(ddets)
    service.request_agreement(convention=low, by=ddets["user"], requested_on=date(2024, 6, 10),
                              commitments=D("176691.99"), reference="Accord d'établissement")
    assert service.obligation_of(low, as_of=date(2024, 9, 16)).agreement_status == "insufficient"


def test_measures_count_as_d1233_41_says_and_a_remainder_goes_where_the_convention_says(ddets):
    convention = create(ddets)
    service.decide_subjection(convention=convention, by=ddets["user"], decided_on=date(2024, 6, 1), subject=True,
                              reasons="Bassin fragile")
    service.sign_convention(convention=convention, by=ddets["user"], signed_on=date(2024, 7, 1), ends_on=date(2027, 6, 30))
    with pytest.raises(InvalidInput) as exc:
        service.add_measure(convention=convention, by=ddets["user"], spec=service.MeasureInput(
            kind="action", label="Étude", done_on=date(2024, 5, 1), value=D("5000")))
    assert exc.value.errors[0].field == "anticipation"
    service.add_measure(convention=convention, by=ddets["user"], spec=service.MeasureInput(
        kind="loan", label="Prêt à une PME", done_on=date(2024, 9, 1), value=D("40000"), principal=D("100000"),
        jobs_created=4))
    service.add_measure(convention=convention, by=ddets["user"], spec=service.MeasureInput(
        kind="real_estate", label="Cession d'un atelier", done_on=date(2024, 10, 1), value=D("150000"),
        transfer_price=D("50000")))
    summary = service.convention_summary(Convention.objects.get(pk=convention.pk))
    assert [v.counted for v in summary.valuation.measures] == [D("30000.00"), D("53007.60")]  # 30 % each cap
    assert summary.jobs_created == 4 and summary.remainder == D("176692.00") - D("83007.60")
    fund = make_fund("fonds-reliquat")
    with pytest.raises(InvalidInput) as exc:
        service.close_convention(convention=convention, by=ddets["user"], closed_on=date(2027, 7, 1))
    assert exc.value.errors[0].field == "remainder_use"
    service.close_convention(convention=convention, by=ddets["user"], closed_on=date(2027, 7, 1), remainder_use="fund",
                             fund=fund)
    entry = LedgerEntry.objects.get(fund=fund)
    assert entry.amount == D("93684.40") and entry.financer.convention_id == convention.pk
    assert Convention.objects.get(pk=convention.pk).status == "closed"


def test_an_amendment_extends_and_committees_follow_the_signature(ddets):
    convention = create(ddets)
    service.sign_convention(convention=convention, by=ddets["user"], signed_on=date(2024, 7, 1), ends_on=date(2027, 6, 30))
    with pytest.raises(InvalidInput):
        service.record_committee(convention=convention, by=ddets["user"], held_on=date(2024, 6, 30), minutes="Avant")
    service.record_committee(convention=convention, by=ddets["user"], held_on=date(2025, 5, 1), minutes="Bilan d'étape")
    assert service.committee_due_on(Convention.objects.get(pk=convention.pk)) == date(2026, 5, 1)
    with pytest.raises(InvalidInput):
        service.amend(convention=convention, by=ddets["user"], signed_on=date(2027, 5, 1), ends_on=date(2027, 6, 1),
                      reasons="Raccourcir")
    service.amend(convention=convention, by=ddets["user"], signed_on=date(2027, 5, 1), ends_on=date(2028, 6, 30),
                  reasons="Actions en cours")
    assert Convention.objects.get(pk=convention.pk).ends_on == date(2028, 6, 30)


def test_the_page_shows_the_deadline_the_treasury_amount_and_the_committee_warning(client, ddets):
    import time_machine

    convention = create(ddets)
    service.decide_subjection(convention=convention, by=ddets["user"], decided_on=date(2024, 6, 1), subject=True,
                              reasons="Bassin fragile")
    login(client, ddets["user"])
    url = f"/fonds/conventions/{convention.pk}/"
    with time_machine.travel(date(2024, 9, 1)):
        page = client.get(url).content.decode()
    assert "15/09/2024" in page and "Plus que 14 jours" in page
    with time_machine.travel(date(2024, 9, 16)):
        page = client.get(url).content.decode()
        assert "353\u202f384\xa0€" in page and "Titre de perception" in page
        client.post(url + "treasury_title/", {"issued_on": "2024-09-16", "reference": "TP-42"})
    assert Convention.objects.get(pk=convention.pk).status == "treasury"
    signed = create(ddets)
    service.sign_convention(convention=signed, by=ddets["user"], signed_on=date(2024, 7, 1), ends_on=date(2027, 6, 30))
    with time_machine.travel(date(2025, 7, 2)):
        page = client.get(f"/fonds/conventions/{signed.pk}/").content.decode()
    assert "Comité de suivi attendu depuis le 01/07/2025" in page


def test_the_company_reads_its_convention_without_the_agents_names(client, ddets):
    convention = create(ddets)
    service.decide_subjection(convention=convention, by=ddets["user"], decided_on=date(2024, 6, 1), subject=True,
                              reasons="Bassin fragile")
    company_user = user_with_role(Role.COMPANY, convention.company.main_unit())
    login(client, company_user)
    page = client.get(f"/fonds/conventions/{convention.pk}/").content.decode()
    assert "Bassin fragile" in page and ddets["user"].email not in page and "Enregistrer la décision" not in page
    assert client.post(f"/fonds/conventions/{convention.pk}/sign/", {"signed_on": "2024-07-01",
                                                                    "ends_on": "2027-07-01"}).status_code == 403
