"""One parser for what people and files give Levier (levier.core.parsing), at its boundaries."""

from datetime import date
from decimal import Decimal

import pytest

from levier.core.errors import InvalidInput
from levier.core.parsing import date_field, date_or, parse_day, parse_decimal, parse_iso_date


@pytest.mark.parametrize("text, day", [
    ("2024-02-29", date(2024, 2, 29)), (" 1900-01-01 ", date(1900, 1, 1)), ("2199-12-31", date(2199, 12, 31)),
])
def test_iso_dates_read_within_the_business_range(text, day):
    assert parse_iso_date(text) == day == parse_day(text)


@pytest.mark.parametrize("text", ["2023-02-29", "1899-12-31", "2200-01-01", "20240115", "2024-1-5", "", "demain"])
def test_impossible_or_out_of_range_iso_dates_are_refused(text):
    with pytest.raises(ValueError):
        parse_iso_date(text)


@pytest.mark.parametrize("text, day", [("29/02/2024", date(2024, 2, 29)), ("1/3/2014", date(2014, 3, 1))])
def test_french_dates_read_in_files_and_typed_dates(text, day):
    assert parse_day(text) == day


@pytest.mark.parametrize("text", ["31/06/2015", "29/02/2023", "01/01/1899", "2014/03/03", "03-03-2014"])
def test_impossible_french_dates_are_refused(text):
    with pytest.raises(ValueError):
        parse_day(text)


def test_an_optional_date_names_its_field_and_keeps_the_default_when_empty():
    assert date_field("", "on", default=date(2026, 1, 1)) == date(2026, 1, 1)
    assert date_field(None, "on") is None
    with pytest.raises(InvalidInput) as raised:
        date_field("2026-02-30", "due_on")
    assert [(e.field, e.message) for e in raised.value.errors] == [
        ("due_on", "Date invalide : « 2026-02-30 » (AAAA-MM-JJ attendu).")]


def test_a_page_date_falls_back_to_the_default_on_a_mistyped_link():
    assert date_or("2026-13-01", date(2026, 12, 4)) == date(2026, 12, 4)
    assert date_or("2025-06-30", date(2026, 12, 4)) == date(2025, 6, 30)


@pytest.mark.parametrize("text, number", [
    ("1 500,50", Decimal("1500.50")), ("1\u202f500.5", Decimal("1500.5")), (1500, Decimal(1500)), ("-3", Decimal(-3)),
])
def test_decimals_read_french_and_plain_forms(text, number):
    assert parse_decimal(text) == number


@pytest.mark.parametrize("text", ["NaN", "Infinity", "-inf", "1e12", "1,5,3", "", True, None, "12 abc"])
def test_non_finite_huge_or_malformed_decimals_are_refused(text):
    with pytest.raises(ValueError):
        parse_decimal(text)
