"""Exit rules of seed 002 at their boundaries (pure function, no database)."""

from datetime import date
from decimal import Decimal

import pytest

from levier.pathways.rules import Situation, SituationError, classify_exit, validation_date

D = Decimal
SMIC = {date(2024, 7, 15): D("1766.92"), date(2025, 3, 1): D("1801.80")}


def smic_on(day):
    return D("1801.80") if day >= date(2024, 11, 1) else D("1766.92")


def classify(**fields):
    values = {"start_date": date(2024, 1, 15), "as_of": date(2024, 8, 1), **fields}
    return classify_exit(Situation(**values), monthly_smic_on=smic_on)


@pytest.mark.parametrize(("start", "v"), [(date(2024, 8, 31), date(2025, 2, 28)), (date(2024, 1, 15), date(2024, 7, 15)),
                                          (date(2023, 8, 31), date(2024, 2, 29)), (date(2024, 12, 31), date(2025, 6, 30))])
def test_v_is_six_calendar_months_clipped_to_the_month_end(start, v):
    assert validation_date(start) == v


@pytest.mark.parametrize(("hours", "outcome"), [(D("76"), "positive"), (D("75.99"), "not_positive"), (D("151.67"), "positive")])
def test_cdi_needs_76_hours_a_month_inclusive(hours, outcome):
    result = classify(kind="cdi", hours_per_month=hours)
    assert result.outcome == outcome
    if outcome == "positive":
        assert result.category == "employment" and result.validated_on == date(2024, 7, 15)


def test_cdi_is_pending_until_v_and_positive_on_v():
    pending = classify(kind="cdi", hours_per_month=D("80"), as_of=date(2024, 7, 14))
    # Not counted yet: neither category nor validation date; the reasons tell when it may be validated.
    assert (pending.outcome, pending.category, pending.validated_on) == ("pending", None, None)
    assert "15/07/2024" in pending.reasons[-1]
    on_v = classify(kind="cdi", hours_per_month=D("80"), as_of=date(2024, 7, 15))
    assert on_v.outcome == "positive" and on_v.validated_on == date(2024, 7, 15)


@pytest.mark.parametrize(("end", "outcome"), [(date(2024, 7, 14), "positive"), (date(2024, 7, 13), "not_positive")])
def test_a_cdd_lasts_6_months_when_it_ends_on_or_after_v_minus_one_day(end, outcome):
    assert classify(kind="cdd", hours_per_month=D("100"), end_date=end).outcome == outcome


def test_a_cdd_ending_too_early_is_not_positive_even_before_v():
    result = classify(kind="cdd", hours_per_month=D("100"), end_date=date(2024, 5, 1), as_of=date(2024, 3, 1))
    assert result.outcome == "not_positive"
    assert classify(kind="cdd", hours_per_month=D("100"), end_date=date(2024, 9, 1), as_of=date(2024, 3, 1)).outcome == "pending"


def test_contract_subtypes():
    step = classify(kind="cdd", hours_per_month=D("120"), end_date=date(2025, 1, 1), contract_subtype="cddi_siae")
    assert step.outcome == "not_positive" and "étape de parcours" in step.reasons[0]
    for subtype in ("contrat_aide", "alternance", "common"):
        assert classify(kind="cdd", hours_per_month=D("120"), end_date=date(2025, 1, 1), contract_subtype=subtype).outcome == "positive"


@pytest.mark.parametrize("fields", [
    {"kind": "cdd", "hours_per_month": D("100")},  # a CDD without end date
    {"kind": "cdi"},  # no hours
    {"kind": "freelance"},
    {"kind": "cdi", "hours_per_month": D("80"), "contract_subtype": "stage"},
    {"kind": "cdi", "hours_per_month": D("80"), "end_date": date(2024, 1, 1)},  # ends before it starts
    {"kind": "training"},  # no end date
])
def test_bad_input_names_the_field(fields):
    with pytest.raises(SituationError) as exc:
        classify(**fields)
    assert exc.value.field and exc.value.message


def months(*pairs):
    return tuple((m, D(str(h))) for m, h in pairs)


def test_interim_six_months_of_624_hours():
    hours = months(("2024-01", 100), ("2024-02", 104), ("2024-03", 104), ("2024-04", 104), ("2024-05", 104), ("2024-06", 108))
    result = classify(kind="interim", interim_hours=hours, as_of=date(2024, 7, 10))
    assert result.outcome == "positive" and result.validated_on == date(2024, 6, 30)  # 624 h reached in June
    short = months(("2024-01", 100), ("2024-02", 104), ("2024-03", 104), ("2024-04", 104), ("2024-05", 104), ("2024-06", 107))
    assert classify(kind="interim", interim_hours=short, as_of=date(2024, 7, 10)).outcome == "pending"  # 623 h, still on


def test_interim_nine_months_of_936_hours_and_broken_continuity():
    nine = months(*[(f"2024-{m:02d}", 104) for m in range(1, 10)])
    result = classify(kind="interim", interim_hours=nine, as_of=date(2024, 10, 5), end_date=date(2024, 9, 30))
    assert result.outcome == "positive" and result.validated_on == date(2024, 6, 30)  # 6 × 104 = 624 in June already
    low = months(*[(f"2024-{m:02d}", 103) for m in range(1, 10)])  # 618 in 6 months, 927 in 9
    assert classify(kind="interim", interim_hours=low, as_of=date(2024, 10, 5), end_date=date(2024, 9, 30)).outcome == "not_positive"
    broken = months(("2024-01", 150), ("2024-02", 150), ("2024-03", 0), ("2024-04", 150), ("2024-05", 150), ("2024-06", 150),
                    ("2024-07", 150))
    gap = classify(kind="interim", interim_hours=broken, as_of=date(2024, 8, 5), end_date=date(2024, 7, 31))
    assert gap.outcome == "not_positive"
    missing = months(("2024-01", 150), ("2024-02", 150), ("2024-04", 150), ("2024-05", 150), ("2024-06", 150), ("2024-07", 150))
    assert classify(kind="interim", interim_hours=missing, as_of=date(2024, 8, 5), end_date=date(2024, 7, 31)).outcome == "not_positive"


def test_interim_validation_in_the_month_of_as_of_waits_for_its_last_day():
    hours = months(*[(f"2024-{m:02d}", 110) for m in range(1, 7)])
    result = classify(kind="interim", interim_hours=hours, as_of=date(2024, 6, 20))
    assert result.outcome == "pending" and result.validated_on is None


@pytest.mark.parametrize("month", ["2023-12", "2024-09", "2024-13"])
def test_interim_months_outside_the_range_are_errors(month):
    with pytest.raises(SituationError) as exc:
        classify(kind="interim", interim_hours=months((month, 10)), as_of=date(2024, 8, 1))
    assert exc.value.field == "interim_hours[0].month"


def test_training():
    positive = classify(kind="training", qualifying=True, end_date=date(2024, 7, 15))
    assert positive.outcome == "positive" and positive.category == "training" and positive.validated_on == date(2024, 1, 15)
    assert classify(kind="training", qualifying=True, end_date=date(2024, 7, 14)).outcome == "not_positive"
    assert classify(kind="training", qualifying=False, end_date=date(2025, 7, 14)).outcome == "not_positive"
    unsaid = classify(kind="training", end_date=date(2025, 7, 14))  # only a training declared qualifying is an exit
    assert unsaid.outcome == "not_positive" and "non déclarée qualifiante" in unsaid.reasons[0]
    assert classify(kind="training", qualifying=True, end_date=date(2025, 1, 1), as_of=date(2024, 1, 10)).outcome == "pending"


def test_business_creation_and_the_micro_entrepreneur_income():
    assert classify(kind="business_creation", as_of=date(2024, 7, 14)).outcome == "pending"
    created = classify(kind="business_creation", as_of=date(2024, 7, 15))
    assert created.outcome == "positive" and created.category == "business_creation"
    assert classify(kind="business_creation", end_date=date(2024, 7, 13)).outcome == "not_positive"
    half = D("883.46")  # half of 1 766,92 € in force on 15/07/2024
    assert classify(kind="business_creation", micro_entrepreneur=True, monthly_income_eur=half).outcome == "positive"
    assert classify(kind="business_creation", micro_entrepreneur=True, monthly_income_eur=half - D("0.01")).outcome == "not_positive"
    late = classify(kind="business_creation", micro_entrepreneur=True, start_date=date(2024, 9, 1), as_of=date(2025, 3, 1),
                    monthly_income_eur=D("900.90"))
    assert late.outcome == "positive"  # V = 01/03/2025: half of 1 801,80 €
    with pytest.raises(SituationError) as exc:
        classify(kind="business_creation", micro_entrepreneur=True)
    assert exc.value.field == "monthly_income_eur"
    assert classify(kind="business_creation", micro_entrepreneur=True, as_of=date(2024, 3, 1)).outcome == "pending"


def test_micro_entrepreneur_threshold_is_compared_exactly_when_half_the_smic_has_three_decimals():
    odd = lambda day: D("1823.03")  # noqa: E731 — half is 911,515 €
    situation = {"kind": "business_creation", "micro_entrepreneur": True, "start_date": date(2024, 1, 15),
                 "as_of": date(2024, 8, 1)}
    below = classify_exit(Situation(**situation, monthly_income_eur=D("911.51")), monthly_smic_on=odd)
    assert below.outcome == "not_positive" and "911,52" in below.reasons[0]  # shown rounded half-up
    assert classify_exit(Situation(**situation, monthly_income_eur=D("911.515")), monthly_smic_on=odd).outcome == "positive"
