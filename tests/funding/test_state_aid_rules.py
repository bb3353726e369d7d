"""Loans (reference and discount rates, gross grant equivalent) and the de minimis ceilings, at their
boundaries (no database)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from levier.core.errors import InvalidInput
from levier.funding.rules import de_minimis as dm
from levier.funding.rules import loans

D = Decimal


# ---------------------------------------------------------------- loans


def test_the_table_of_margins_and_the_discount_rate():
    assert loans.margin_bp("very_good", "high") == 60 and loans.margin_bp("bad", "low") == 1000
    assert loans.margin_bp("satisfactory", "high") == loans.margin_bp("good", "normal") == 100
    assert loans.margin_bp("weak", "normal") == 400
    assert loans.reference_rate(D("0.0411"), 400) == D("0.0811")
    assert loans.discount_rate(D("0.0411")) == D("0.0511")  # base + 100 bp, whatever the margin
    assert loans.discount_rate(D("-0.0031")) == D("0.0069")


def test_the_schedule_rounds_down_and_the_last_instalment_carries_the_remainder():
    schedule = loans.schedule(D("100000.00"), count=60, first_due_on=date(2024, 2, 29))
    assert schedule[0].principal == D("1666.66") and schedule[-1].principal == D("1667.06")
    assert sum(i.principal for i in schedule) == D("100000.00") and schedule[-1].outstanding_after == 0
    assert schedule[1].due_on == date(2024, 3, 29) and schedule[-1].due_on == date(2029, 1, 29)
    month_ends = loans.schedule(D("300"), count=3, first_due_on=date(2024, 1, 31))
    assert [i.due_on for i in month_ends] == [date(2024, 1, 31), date(2024, 2, 29), date(2024, 3, 31)]
    quarterly = loans.schedule(D("45000"), count=20, first_due_on=date(2024, 10, 10), months_between=3)
    assert quarterly[1].due_on == date(2025, 1, 10) and sum(i.principal for i in quarterly) == D("45000")


def test_a_loan_whose_instalments_would_round_to_zero_is_refused():
    with pytest.raises(InvalidInput) as exc:
        loans.schedule(D("0.59"), count=60, first_due_on=date(2024, 2, 1))
    assert exc.value.errors[0].field == "principal" and "0 €" in exc.value.errors[0].message
    assert loans.schedule(D("0.60"), count=60, first_due_on=date(2024, 2, 1))[0].principal == D("0.01")
    for principal, count, field in [(D("0"), 12, "principal"), (D("-5"), 12, "principal"), (D("100"), 0, "months")]:
        with pytest.raises(InvalidInput) as exc:
            loans.schedule(principal, count=count, first_due_on=date(2024, 2, 1))
        assert exc.value.errors[0].field == field


def test_a_bullet_loan_gross_grant_equivalent_by_hand():
    """10 000 € repaid in one instalment a year after the grant, at 0 %: interest saved at the reference rate
    (8,11 %), discounted one year at the discount rate (5,11 %): 811 ÷ 1,0511 = 771,57 €."""
    schedule = loans.schedule(D("10000"), count=1, first_due_on=date(2025, 1, 15), granted_on=date(2024, 1, 15))
    result = loans.grant_equivalent(schedule, granted_on=date(2024, 1, 15), base_rate=D("0.0411"), margin=400)
    assert result.reference_rate == D("0.0811") and result.discount_rate == D("0.0511")
    assert result.interest_at_reference == D("811.00") and result.value == D("771.57")


def test_the_gross_grant_equivalent_sums_the_interest_saved_over_the_real_schedule():
    granted = date(2024, 1, 1)
    schedule = loans.schedule(D("12000"), count=12, first_due_on=date(2024, 2, 1), annual_rate=D("0.01"),
                              granted_on=granted)
    result = loans.grant_equivalent(schedule, granted_on=granted, base_rate=D("0.0411"), margin=400,
                                    annual_rate=D("0.01"))
    expected = sum((12000 - 1000 * (k - 1)) * (0.0811 - 0.01) / 12 / 1.0511 ** (k / 12) for k in range(1, 13))
    assert abs(float(result.value) - expected) < 0.01
    assert schedule[0].interest == D("10.00")  # 12 000 × 1 % ÷ 12
    at_reference = loans.grant_equivalent(schedule, granted_on=granted, base_rate=D("0.0411"), margin=400,
                                          annual_rate=D("0.0811"))
    assert at_reference.value == 0  # a loan at the reference rate holds no aid
    discounted_at_reference = sum((12000 - 1000 * (k - 1)) * 0.0711 / 12 / 1.0811 ** (k / 12) for k in range(1, 13))
    assert abs(float(result.value) - discounted_at_reference) > 0.5  # the discount rate, not the reference rate


def test_a_deferred_first_instalment_counts_the_whole_first_period():
    granted = date(2024, 1, 1)
    schedule = loans.schedule(D("1200"), count=1, first_due_on=date(2024, 7, 1), granted_on=granted)
    result = loans.grant_equivalent(schedule, granted_on=granted, base_rate=D("0.03"), margin=100)
    assert result.interest_at_reference == D("24.00")  # six months at 4 % on 1 200 €


def test_years_between_counts_months_then_days():
    assert loans.years_between(date(2024, 1, 31), date(2024, 2, 29)) == D(1) / 12
    assert loans.years_between(date(2024, 1, 1), date(2024, 1, 31)) == D(30) / 365
    assert loans.years_between(date(2024, 1, 15), date(2025, 1, 15)) == 1


# ---------------------------------------------------------------- de minimis


def aid(day, amount, regime="general"):
    return dm.Aid(day, D(amount), regime)


def test_the_regulation_switches_on_the_first_of_january_2024():
    old = dm.check(aid(date(2023, 12, 31), "200000"), [])
    new = dm.check(aid(date(2024, 1, 1), "200000"), [])
    assert old.regulation.number == "1407/2013" and old.main.ceiling == D("200000")
    assert new.regulation.number == "2023/2831" and new.main.ceiling == D("300000")
    assert not dm.check(aid(date(2023, 12, 31), "200000.01"), []).allowed
    assert dm.check(aid(date(2024, 1, 1), "300000.00"), []).allowed
    assert dm.regulation_for("general", date(2024, 1, 1)).number == "2023/2831"
    # A scheme under 1407/2013 stays covered six months more (art. 7(4)) when the aid names it.
    assert dm.regulation_for("1407/2013", date(2024, 6, 30)).ceiling == D("200000")
    with pytest.raises(InvalidInput) as exc:
        dm.regulation_for("1407/2013", date(2024, 7, 1))
    assert exc.value.errors[0].field == "regulation" and "2023/2831" in exc.value.errors[0].message
    assert dm.regulation_for("2023/2831", date(2024, 1, 1)).ceiling == D("300000")


def test_three_fiscal_years_under_1407_2013_calendar_or_the_undertakings_own():
    assert dm.window(dm.regulation_on("general", date(2023, 6, 15)), date(2023, 6, 15)) == (date(2021, 1, 1),
                                                                                            date(2023, 12, 31))
    june = (6, 30)
    regulation = dm.regulation_on("general", date(2023, 3, 15))
    assert dm.window(regulation, date(2023, 3, 15), june) == (date(2020, 7, 1), date(2023, 6, 30))
    assert dm.window(regulation, date(2023, 6, 30), june) == (date(2020, 7, 1), date(2023, 6, 30))
    assert dm.window(regulation, date(2023, 7, 1), june) == (date(2021, 7, 1), date(2024, 6, 30))
    feb = (2, 29)  # a fiscal year ending "29 February" ends on the 28th in common years
    assert dm.fiscal_year_of(date(2023, 3, 1), feb) == (date(2023, 3, 1), date(2024, 2, 29))
    assert dm.fiscal_year_of(date(2023, 2, 28), feb) == (date(2022, 3, 1), date(2023, 2, 28))
    calendar = dm.check(aid(date(2023, 6, 15), "100000"), [aid(date(2020, 12, 31), "150000"), aid(date(2021, 1, 1), "100000")])
    assert calendar.main.previous == D("100000") and calendar.allowed
    own_year = dm.check(aid(date(2023, 6, 15), "100000"), [aid(date(2020, 12, 31), "150000")], fiscal_year_end=june)
    assert own_year.main.previous == D("150000") and not own_year.allowed  # 2020-07-01 → 2023-06-30 holds it


def test_any_three_years_under_2023_2831_counted_back_from_the_grant():
    on = date(2025, 3, 15)
    assert dm.window(dm.regulation_on("general", on), on) == (date(2022, 3, 16), on)
    assert dm.three_years_back(date(2024, 2, 29)) == date(2021, 3, 1)
    first_day = dm.check(aid(on, "100000"), [aid(date(2022, 3, 16), "200000.01")])
    assert not first_day.allowed and first_day.main.previous == D("200000.01")
    day_before = dm.check(aid(on, "100000"), [aid(date(2022, 3, 15), "200000.01")])
    assert day_before.allowed and day_before.not_counted  # outside, and said so
    same_day = dm.check(aid(on, "100000"), [aid(on, "200000")])
    assert same_day.allowed and same_day.main.total == D("300000")


def test_earlier_1407_aid_counts_under_2023_2831_and_a_new_aid_over_the_ceiling_is_refused_whole():
    result = dm.check(aid(date(2024, 6, 1), "150000"), [aid(date(2022, 6, 1), "150000"), aid(date(2023, 1, 1), "0.01")])
    assert not result.allowed and result.main.total == D("300000.01") and "dépassé" in result.reason


def test_road_freight_for_hire_has_100000_under_1407_and_no_special_ceiling_after():
    assert not dm.check(aid(date(2023, 5, 1), "100000.01"), [], road_freight=True).allowed
    assert dm.check(aid(date(2023, 5, 1), "100000.00"), [], road_freight=True).allowed
    assert dm.check(aid(date(2024, 5, 1), "250000"), [], road_freight=True).allowed


def test_other_de_minimis_regulations_have_their_own_ceilings_and_count_towards_the_general_one():
    agri = dm.check(aid(date(2023, 5, 1), "20000.01", "agriculture"), [])
    assert not agri.allowed and agri.main.ceiling == D("20000")
    assert dm.check(aid(date(2025, 5, 1), "50000", "agriculture"), []).allowed  # 2024/3118: 50 000 € from 16/12/2024
    assert dm.check(aid(date(2019, 3, 13), "15000.01", "agriculture"), []).main.ceiling == D("15000")
    fisheries = dm.check(aid(date(2024, 5, 1), "30000.01", "fisheries"), [])
    assert not fisheries.allowed
    general = dm.check(aid(date(2024, 5, 1), "290000"), [aid(date(2023, 5, 1), "15000", "agriculture")])
    assert not general.allowed  # agricultural de minimis counts towards the general 300 000 €
    with_general = dm.check(aid(date(2024, 5, 1), "15000", "agriculture"), [aid(date(2023, 5, 1), "290000")])
    assert not with_general.allowed and len(with_general.ceilings) == 2
    sgei = dm.check(aid(date(2024, 5, 1), "750000.01", "sgei"), [])
    assert not sgei.allowed and sgei.main.ceiling == D("750000")
    apart = dm.check(aid(date(2024, 5, 1), "290000"), [aid(date(2023, 5, 1), "700000", "sgei")])
    assert apart.allowed and len(apart.ceilings) == 1  # from 2024, SGEI and general de minimis cumulate freely
    assert dm.check(aid(date(2024, 5, 1), "700000", "sgei"), [aid(date(2023, 5, 1), "290000")]).allowed
    before = dm.check(aid(date(2023, 5, 1), "150000"), [aid(date(2022, 5, 1), "350000.01", "sgei")])
    assert not before.allowed and len(before.ceilings) == 2  # until 2023: both within the SGEI 500 000 €
    assert not dm.check(aid(date(2023, 5, 1), "350000.01", "sgei"), [aid(date(2022, 5, 1), "150000")]).allowed


def test_the_single_undertaking_is_every_enterprise_linked_by_control_directly_or_not():
    links = [("parent", "a"), ("parent", "b"), ("b", "b1"), ("other-parent", "other")]
    assert dm.single_undertaking("a", links) == {"a", "parent", "b", "b1"}
    assert dm.single_undertaking("other", links) == {"other", "other-parent"}
    assert dm.single_undertaking("alone", links) == {"alone"}


@pytest.mark.parametrize("days", [0, 1, 364, 365, 366, 1095, 1096])
def test_the_rolling_window_over_several_dates(days):
    on = date(2025, 7, 1)
    previous = on - timedelta(days=days)
    result = dm.check(aid(on, "1"), [aid(previous, "300000")])
    inside = previous >= dm.three_years_back(on)
    assert result.allowed is not inside
