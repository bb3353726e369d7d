"""Rules of the money side, at their boundaries (no database)."""

from datetime import date
from decimal import Decimal

import pytest

from levier.funding import rules

SMIC_2024 = Decimal("1766.92")


@pytest.mark.parametrize(("headcount", "procedure", "receivership", "kind"), [
    (1000, "pse", False, "obligation"), (999, "pse", False, "voluntary"), (5000, "rcc", False, "obligation"),
    (5000, "other", False, "voluntary"), (5000, "pse", True, "voluntary"), (None, "pse", False, "voluntary"),
])
def test_classification_is_never_a_refusal(headcount, procedure, receivership, kind):
    result = rules.classify_convention(headcount=headcount, procedure=procedure, in_receivership=receivership)
    assert result.kind == kind and result.reason


def test_obligation_is_jobs_times_rate_times_smic_to_the_cent():
    figures = rules.convention_figures(jobs_eliminated=120, jobs_reclassified=20, rate=Decimal("3"), monthly_smic=SMIC_2024)
    assert figures.jobs == 100
    assert figures.amount_owed == Decimal("530076.00")
    assert figures.treasury_amount == Decimal("706768.00")  # 4 × SMIC × 100
    odd = rules.convention_figures(jobs_eliminated=7, jobs_reclassified=0, rate=Decimal("2.35"), monthly_smic=Decimal("1801.80"))
    assert odd.amount_owed == Decimal("29639.61")  # 29 639,61 exactly after rounding half-up


@pytest.mark.parametrize(("rate", "reason", "error", "warning"), [
    ("2", "", False, False), ("1.99", "", True, False), ("1.5", "capacité financière insuffisante", False, False),
    ("4", "", False, False), ("4.01", "", False, True), ("0", "", True, False),
])
def test_rate_bounds(rate, reason, error, warning):
    figures = rules.convention_figures(jobs_eliminated=10, jobs_reclassified=0, rate=Decimal(rate), monthly_smic=SMIC_2024,
                                       rate_reason=reason)
    assert bool(figures.errors) is error
    assert bool(figures.warnings) is warning


def test_durations_warn_but_never_refuse():
    assert rules.convention_duration_warnings(date(2024, 1, 15), date(2027, 1, 15), national_framework=False) == []
    assert rules.convention_duration_warnings(date(2024, 1, 15), date(2027, 1, 16), national_framework=False)
    assert rules.convention_duration_warnings(date(2024, 1, 15), date(2027, 5, 15), national_framework=True) == []
    assert rules.convention_duration_warnings(date(2024, 1, 15), date(2027, 5, 16), national_framework=True)


def test_schedule_rounds_down_and_the_last_instalment_carries_the_remainder():
    schedule = rules.schedule_for(Decimal("100000.00"), signed_on=date(2024, 1, 31), years=5, frequency="monthly")
    assert len(schedule) == 60
    assert schedule[0].principal == Decimal("1666.66") and schedule[-1].principal == Decimal("1667.06")
    assert sum(i.principal for i in schedule) == Decimal("100000.00")
    assert schedule[0].due_on == date(2024, 2, 29) and schedule[1].due_on == date(2024, 3, 31)
    assert schedule[-1].due_on == date(2029, 1, 31)
    quarterly = rules.schedule_for(Decimal("45000"), signed_on=date(2024, 1, 10), years=5, frequency="quarterly",
                                   deferral_months=6)
    assert len(quarterly) == 20 and quarterly[0].due_on == date(2024, 10, 10)
    assert sum(i.principal for i in quarterly) == Decimal("45000")


def test_grant_equivalent_of_a_zero_rate_loan():
    schedule = rules.schedule_for(Decimal("60000"), signed_on=date(2024, 1, 1), years=5, frequency="monthly")
    gge = rules.loan_grant_equivalent(schedule, signed_on=date(2024, 1, 1), annual_rate=Decimal("0.05"))
    # About 60 000 × 5 % × 2,5 years of average outstanding, discounted: between 6 000 and 7 600 €.
    assert Decimal("6000") < gge < Decimal("7600")
    assert rules.loan_grant_equivalent(schedule, signed_on=date(2024, 1, 1), annual_rate=Decimal("0")) == 0


def test_de_minimis_over_three_rolling_years():
    history = [(date(2021, 6, 1), Decimal("200000")), (date(2023, 6, 1), Decimal("50000"))]
    ok = rules.de_minimis_check(previous_grants=history, requested=Decimal("250000"), on=date(2024, 6, 1))
    assert ok.allowed and ok.previous == Decimal("50000")  # 2021 is out of the 3 years
    refused = rules.de_minimis_check(previous_grants=history, requested=Decimal("100000"), on=date(2024, 5, 31))
    assert not refused.allowed and "300\u202f000" in refused.message and "350\u202f000,00" in refused.message
    edge = rules.de_minimis_check(previous_grants=[(date(2021, 6, 2), Decimal("1"))], requested=Decimal("300000"),
                                  on=date(2024, 6, 1))
    assert not edge.allowed  # 02/06/2021 lies within the three years ending on 01/06/2024


def test_pro_rata_sums_exactly():
    shares = rules.pro_rata(Decimal("100.00"), {"etat": Decimal("1"), "metropole": Decimal("1"), "cdc": Decimal("1")})
    assert sum(shares.values()) == Decimal("100.00")
    assert sorted(shares.values()) == [Decimal("33.33"), Decimal("33.33"), Decimal("33.34")]
    assert rules.pro_rata(Decimal("10"), {}) == {}


def test_ratio_with_a_zero_divisor_is_none():
    assert rules.ratio(Decimal("10"), Decimal("0")) is None
