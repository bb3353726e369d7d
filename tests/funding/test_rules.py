"""Revitalisation law at its boundaries (no database): who owes, how much, by when, what counts."""

from datetime import date
from decimal import Decimal

import pytest

from levier.core.errors import InvalidInput
from levier.funding import rules
from levier.funding.rules import revitalisation as law

SMIC_2024 = Decimal("1766.92")
D = Decimal


def case(**values) -> law.ObligationCase:
    base = {"procedure": "pse", "headcount": 1200, "jobs_eliminated": 100, "notified_on": date(2024, 3, 15),
            "monthly_smic": SMIC_2024, "as_of": date(2024, 4, 1)}
    return law.ObligationCase(**{**base, **values})


@pytest.mark.parametrize(("headcount", "group", "procedure", "kind"), [
    (1000, None, "pse", law.OBLIGATION), (999, None, "pse", law.VOLUNTARY), (999, 1000, "pse", law.OBLIGATION),
    (999, 999, "pse", law.VOLUNTARY), (50, None, "pse", law.VOLUNTARY), (49, None, "pse", law.NOT_CONCERNED),
    (49, 1000, "pse", law.OBLIGATION), (1000, None, "rcc", law.OBLIGATION), (999, None, "rcc", law.NOT_CONCERNED),
    (400, 5000, "rcc", law.OBLIGATION), (5000, None, "other", law.NOT_CONCERNED),
])
def test_who_is_bound_at_the_headcount_boundaries(headcount, group, procedure, kind):
    extra = {"validated_on": date(2024, 4, 2)} if procedure == "rcc" else {}
    values = {"agreed_amount": D("1000"), "amount_reason": "situation financière"} if kind == law.VOLUNTARY else {}
    result = law.obligation(case(headcount=headcount, group_headcount=group, procedure=procedure, **extra, **values))
    assert result.classification == kind and result.reasons[0]


def test_receivership_and_a_negative_prefect_decision_put_the_company_out():
    assert law.obligation(case(in_receivership=True)).classification == law.NOT_CONCERNED
    decided = law.obligation(case(validated_on=date(2024, 5, 2), subjection=law.Subjection(date(2024, 6, 20), False),
                                  as_of=date(2024, 7, 1)))
    assert decided.classification == law.NOT_SUBJECT and decided.amount_owed is None and not decided.treasury_due
    assert "D1233-38" in decided.reasons[0]


def test_the_floor_is_two_monthly_smic_per_job_net_of_reclassifications():
    result = law.obligation(case(jobs_eliminated=120, jobs_reclassified=20))
    assert result.jobs == 100 and result.minimum_amount == D("353384.00") == result.amount_owed
    assert result.amount_basis == "minimum" and result.treasury_amount_without_convention == D("706768.00")
    rate = law.obligation(case(jobs_eliminated=7, rate=D("2.35"), monthly_smic=D("1801.80")))
    assert rate.amount_owed == D("29639.61")  # 7 × 2,35 × 1 801,80 = 29 639,61 exactly, rounded half up


def test_below_the_floor_only_with_the_reason_the_administration_gives():
    with pytest.raises(InvalidInput) as exc:
        law.obligation(case(rate=D("1.99")))
    assert exc.value.errors[0].field == "rate" and "L1233-86" in exc.value.errors[0].message
    with pytest.raises(InvalidInput) as exc:
        law.obligation(case(agreed_amount=D("353383.99")))
    assert exc.value.errors[0].field == "agreed_amount"
    reduced = law.obligation(case(agreed_amount=D("100000.00"), amount_reason="Trésorerie négative (CODEFI)"))
    assert reduced.amount_basis == "reduced" and reduced.amount_owed == D("100000.00")
    assert law.obligation(case(agreed_amount=D("353384.00"))).amount_basis == "agreed"  # the floor itself: no reason


def test_a_company_of_50_to_999_agrees_its_amount_with_its_reason_and_no_floor():
    with pytest.raises(InvalidInput) as exc:
        law.obligation(case(headcount=300))
    assert exc.value.errors[0].field == "agreed_amount"
    assert law.obligation(case(headcount=300, validated_on=date(2024, 3, 20), agreed_amount=D("1"),
                               amount_reason="x")).decision_due_on is None  # D1233-38 concerns bound companies
    with pytest.raises(InvalidInput) as exc:
        law.obligation(case(headcount=300, agreed_amount=D("5000")))
    assert exc.value.errors[0].field == "amount_reason"
    voluntary = law.obligation(case(headcount=300, agreed_amount=D("0"), amount_reason="Pertes de trois exercices"))
    assert voluntary.amount_owed == D("0") and voluntary.minimum_amount is None
    assert voluntary.deadline is None and not voluntary.treasury_due


def test_the_smic_is_the_one_of_the_notification_date():
    from levier.referential.rules import rate_in_force

    table = [(date(2023, 5, 1), D("1747.20")), (date(2024, 1, 1), D("1766.92"))]
    assert rate_in_force(table, date(2023, 12, 31)) == D("1747.20")
    assert rate_in_force(table, date(2024, 1, 1)) == D("1766.92")
    before = law.obligation(case(notified_on=date(2023, 12, 31), monthly_smic=rate_in_force(table, date(2023, 12, 31))))
    after = law.obligation(case(notified_on=date(2024, 1, 1), monthly_smic=rate_in_force(table, date(2024, 1, 1))))
    assert before.minimum_amount == D("349440.00") and after.minimum_amount == D("353384.00")
    assert before.smic_date == date(2023, 12, 31)


@pytest.mark.parametrize(("notified", "deadline"), [
    (date(2024, 1, 15), date(2024, 7, 15)), (date(2023, 8, 31), date(2024, 2, 29)), (date(2024, 8, 31), date(2025, 2, 28)),
    (date(2024, 12, 31), date(2025, 6, 30)),
])
def test_six_months_from_the_notification_end_on_the_same_day_or_the_month_end(notified, deadline):
    on_time = law.obligation(case(notified_on=notified, signed_on=deadline, as_of=deadline))
    assert on_time.deadline == deadline and on_time.signed_in_time is True and not on_time.treasury_due
    late = law.obligation(case(notified_on=notified, signed_on=date.fromordinal(deadline.toordinal() + 1),
                               as_of=date.fromordinal(deadline.toordinal() + 1)))
    assert late.signed_in_time is False and late.treasury_due


def test_an_rcc_runs_from_the_validation_of_its_agreement():
    with pytest.raises(InvalidInput) as exc:
        law.obligation(case(procedure="rcc"))
    assert exc.value.errors[0].field == "validated_on"
    rcc = law.obligation(case(procedure="rcc", notified_on=date(2024, 1, 10), validated_on=date(2024, 3, 20)))
    assert rcc.deadline == date(2024, 9, 20) and "L1237-19-10" in " ".join(rcc.reasons)


def test_the_treasury_is_owed_the_day_after_the_deadline_never_before():
    last_day = law.obligation(case(as_of=date(2024, 9, 15)))
    assert last_day.deadline == date(2024, 9, 15) and not last_day.treasury_due and last_day.treasury_amount is None
    assert last_day.warnings  # warned before the deadline
    next_day = law.obligation(case(as_of=date(2024, 9, 16)))
    assert next_day.treasury_due and next_day.treasury_amount == D("706768.00") == 4 * 100 * SMIC_2024
    assert next_day.treasury_since == date(2024, 9, 16) and "D1233-44" in next_day.reasons[-1]
    early = law.obligation(case(as_of=date(2024, 8, 14)))
    assert not any("pour signer" in w for w in early.warnings)  # more than a month before: no warning yet
    assert any("pour signer" in w for w in law.obligation(case(as_of=date(2024, 8, 15))).warnings)
    assert "Dernier jour" in " ".join(last_day.warnings)
    reduced = law.obligation(case(agreed_amount=D("1000"), amount_reason="incapacité", as_of=date(2024, 9, 16)))
    assert reduced.treasury_amount == D("706768.00")  # twice the legal minimum, whatever was agreed


@pytest.mark.parametrize(("commitments", "opposed", "as_of", "status", "treasury"), [
    ("353384.00", None, date(2024, 7, 10), "pending", False),  # the administration may still oppose
    ("353384.00", None, date(2024, 7, 11), "in_lieu", False),  # two months after the request, no opposition
    ("353383.99", None, date(2024, 10, 1), "insufficient", True),
    ("400000.00", date(2024, 7, 10), date(2024, 10, 1), "opposed", True),
])
def test_a_collective_agreement_takes_the_conventions_place_unless_opposed_in_two_months(commitments, opposed, as_of,
                                                                                          status, treasury):
    agreement = law.CollectiveAgreement(date(2024, 5, 10), D(commitments), opposed, "Actions hors du bassin" if opposed else "")
    result = law.obligation(case(agreement=agreement, as_of=as_of))
    assert result.agreement_status == status and result.treasury_due is treasury
    assert result.opposition_until == date(2024, 7, 10)


def test_an_opposition_needs_reasons_and_the_two_months():
    late = law.CollectiveAgreement(date(2024, 5, 10), D("400000"), date(2024, 7, 11), "Trop tard")
    result = law.obligation(case(agreement=late, as_of=date(2024, 10, 1)))
    assert result.agreement_status == "in_lieu" and not result.treasury_due  # a late opposition has no effect
    assert any("sans effet" in w for w in result.warnings)
    silent = law.CollectiveAgreement(date(2024, 5, 10), D("400000"), date(2024, 6, 1), " ")
    with pytest.raises(InvalidInput) as exc:
        law.obligation(case(agreement=silent, as_of=date(2024, 7, 1)))
    assert exc.value.errors[0].field == "agreement.opposition_reason"


def test_the_treasury_is_due_from_the_opposition_when_the_agreement_was_pending_at_the_deadline():
    agreement = law.CollectiveAgreement(date(2024, 9, 10), D("400000"), date(2024, 10, 20), "Actions hors du bassin")
    pending = law.obligation(case(agreement=agreement, as_of=date(2024, 10, 1)))
    assert pending.agreement_status == "pending" and not pending.treasury_due  # the opposition is not there yet
    opposed = law.obligation(case(agreement=agreement, as_of=date(2024, 11, 1)))
    assert opposed.treasury_due and opposed.treasury_since == date(2024, 10, 20)


def test_what_happens_after_the_date_of_the_answer_has_not_happened_yet():
    ahead = law.obligation(case(signed_on=date(2024, 9, 1), as_of=date(2024, 8, 1)))
    assert ahead.signed_in_time is None
    assert law.obligation(case(jobs_eliminated=0)).classification == law.NOT_CONCERNED
    nothing = law.obligation(case(jobs_reclassified=100, as_of=date(2025, 1, 1)))
    assert nothing.jobs == 0 and not nothing.treasury_due  # no job to pay for


def test_an_rcc_is_described_in_its_own_articles():
    rcc = law.obligation(case(procedure="rcc", validated_on=date(2024, 4, 2), as_of=date(2024, 11, 1)))
    text = " ".join(rcc.reasons)
    assert "L1237-19-11" in text and "L1233-86" not in text and "postes repourvus" in text


def test_all_the_errors_come_at_once():
    with pytest.raises(InvalidInput) as exc:
        law.obligation(case(headcount=300))
    assert {e.field for e in exc.value.errors} == {"agreed_amount", "amount_reason"}


def test_an_agreement_presented_after_the_deadline_cannot_take_the_place():
    result = law.obligation(case(agreement=law.CollectiveAgreement(date(2024, 9, 16), D("400000")), as_of=date(2025, 1, 1)))
    assert result.agreement_status == "late" and result.treasury_due


def test_the_prefects_decision_is_due_within_two_months_of_the_validation_one_month_before_july_2023():
    assert law.decision_due_on(date(2023, 7, 3)) == date(2023, 9, 3)
    assert law.decision_due_on(date(2023, 7, 2)) == date(2023, 8, 2)
    late = law.obligation(case(validated_on=date(2024, 4, 10), subjection=law.Subjection(date(2024, 6, 11), True)))
    assert late.decision_due_on == date(2024, 6, 10) and late.warnings


def test_inconsistent_dates_and_counts_are_refused_naming_the_field():
    for values, field in [({"jobs_reclassified": 101}, "jobs_reclassified"), ({"jobs_eliminated": -1}, "jobs_eliminated"),
                          ({"signed_on": date(2024, 3, 14)}, "signed_on"), ({"group_headcount": 10}, "group_headcount"),
                          ({"rate": D("2"), "agreed_amount": D("1")}, "rate"), ({"procedure": "lock-out"}, "procedure")]:
        with pytest.raises(InvalidInput) as exc:
            law.obligation(case(**values))
        assert exc.value.errors[0].field == field, values


# ---------------------------------------------------------------- what counts (D1233-41)


def measure(kind="action", done_on=date(2025, 3, 1), value="10000", **extra):
    return law.Measure(kind=kind, done_on=done_on, value=D(value), **extra)


def test_a_loan_counts_its_forecast_cost_within_30_percent_of_the_sums_lent():
    valued = law.value_measures([measure("loan", value="30000.00", principal=D("100000")),
                                 measure("loan", value="30000.01", principal=D("100000"))],
                                contribution=D("1000000"), signed_on=date(2025, 1, 1))
    assert [v.counted for v in valued.measures] == [D("30000.00"), D("30000.00")]


def test_real_estate_counts_market_value_less_price_within_30_percent_of_the_contribution_since_july_2023():
    measures = [measure("real_estate", value="500000", transfer_price=D("300000")),
                measure("real_estate", done_on=date(2025, 6, 1), value="200000", transfer_price=D("50000"))]
    capped = law.value_measures(measures, contribution=D("1000000"), signed_on=date(2025, 1, 1))
    assert [v.counted for v in capped.measures] == [D("200000.00"), D("100000.00")]  # 300 000 in all at most
    before = law.value_measures(measures, contribution=D("1000000"), signed_on=date(2025, 1, 1), real_estate_capped=False)
    assert before.total == D("350000.00")
    below = law.value_measures([measure("real_estate", value="100000", transfer_price=D("150000"))],
                               contribution=D("1000000"), signed_on=date(2025, 1, 1))
    assert below.total == 0  # sold above its market value: no aid to count


def test_measures_before_the_signature_count_only_on_their_ground():
    signed = date(2025, 1, 1)
    decision = date(2024, 11, 15)
    cases = [
        (measure(done_on=date(2024, 12, 1)), False),
        (measure(done_on=date(2024, 12, 1), anticipation="engaged"), True),
        (measure(done_on=date(2022, 1, 1), anticipation="gpec"), True),
        (measure(done_on=date(2022, 11, 15), anticipation="voluntary_framework"), True),  # first day of the two years
        (measure(done_on=date(2022, 11, 14), anticipation="voluntary_framework"), False),
        (measure(done_on=date(2024, 11, 16), anticipation="voluntary_framework"), False),  # after the decision
    ]
    for item, counts in cases:
        valued = law.value_measures([item], contribution=D("1000000"), signed_on=signed, decision_on=decision,
                                    framework_on=date(2023, 6, 1))
        assert (valued.total > 0) is counts, item
    no_document = law.value_measures([measure(done_on=date(2024, 1, 1), anticipation="voluntary_framework")],
                                     contribution=D("1000000"), signed_on=signed, decision_on=decision)
    assert no_document.total == 0 and "document-cadre" in no_document.measures[0].reason


def test_the_follow_up_committee_meets_at_least_once_a_year():
    assert law.committee_due_on(None, []) is None
    assert law.committee_due_on(date(2024, 3, 1), []) == date(2025, 3, 1)
    assert law.committee_due_on(date(2024, 3, 1), [date(2024, 12, 5)]) == date(2025, 12, 5)
    assert law.committee_due_on(date(2024, 3, 1), [date(2024, 12, 5)], ends_on=date(2025, 6, 30)) == date(2025, 6, 30)


def test_durations_warn_but_never_refuse():
    assert law.duration_warnings(date(2024, 1, 15), date(2027, 1, 15), national_framework=False) == []
    assert law.duration_warnings(date(2024, 1, 15), date(2027, 1, 16), national_framework=False)
    assert law.duration_warnings(date(2024, 1, 15), date(2027, 5, 15), national_framework=True) == []
    assert law.duration_warnings(date(2024, 1, 15), date(2027, 5, 16), national_framework=True)


def test_a_national_framework_covers_three_departements_and_its_local_conventions_follow_in_four_months():
    assert law.framework_check(departements=2, signed_on=None, local_signatures={}, as_of=date(2025, 1, 1)).errors
    ok = law.framework_check(departements=3, signed_on=date(2025, 1, 10), local_signatures={"L1": date(2025, 5, 10)},
                             as_of=date(2025, 6, 1))
    assert not ok.errors and not ok.warnings and ok.local_due_on == date(2025, 5, 10)
    late = law.framework_check(departements=3, signed_on=date(2025, 1, 10),
                               local_signatures={"L1": date(2025, 5, 11), "L2": None}, as_of=date(2025, 6, 1))
    assert late.late_locals == ("L1", "L2")


def test_attribution_splits_to_the_cent():
    shares = rules.pro_rata(D("100.00"), {"a": D(1), "b": D(1), "c": D(1)})
    assert sum(shares.values()) == D("100.00") and sorted(shares.values()) == [D("33.33"), D("33.33"), D("33.34")]
