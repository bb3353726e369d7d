from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from levier.core.errors import InvalidInput
from levier.referential.rules import rate_in_force
from levier.referential.services import load_smic, monthly_smic_on

RATES = [(date(2024, 1, 1), Decimal("1766.92")), (date(2024, 11, 1), Decimal("1801.80"))]


@pytest.mark.parametrize(
    ("on", "expected"),
    [(date(2023, 12, 31), None), (date(2024, 1, 1), Decimal("1766.92")), (date(2024, 10, 31), Decimal("1766.92")),
     (date(2024, 11, 1), Decimal("1801.80")), (date(2030, 1, 1), Decimal("1801.80"))],
)
def test_the_rate_in_force_is_the_latest_on_or_before_the_date(on, expected):
    assert rate_in_force(RATES, on) == expected


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("on", "expected"),
    [(date(2024, 10, 31), "1766.92"), (date(2024, 11, 1), "1801.80"), (date(2025, 12, 31), "1801.80"),
     (date(2026, 1, 1), "1823.03"), (date(2013, 4, 12), "1430.22")],
)
def test_monthly_gross_smic_35h_by_date(on, expected):
    assert monthly_smic_on(on) == Decimal(expected)


@pytest.mark.django_db
def test_before_the_table_starts_the_date_is_refused():
    with pytest.raises(InvalidInput) as exc:
        monthly_smic_on(date(1990, 1, 1))
    assert exc.value.errors[0].field == "date"


@pytest.mark.django_db
def test_loading_is_idempotent_and_the_command_prints_the_value():
    assert load_smic() == load_smic()
    out = StringIO()
    call_command("referential", "smic", "2024-12-01", stdout=out)
    assert "1\u202f801,80\u00a0€" in out.getvalue()


@pytest.mark.django_db
def test_a_malformed_table_is_refused_whole(tmp_path):
    bad = tmp_path / "smic.json"
    bad.write_text('{"source": "x", "rates": [{"effective_date": "2030-01-01", "monthly_gross": "2000"}, '
                   '{"effective_date": "2031-13-01", "monthly_gross": "-1"}]}')
    with pytest.raises(InvalidInput) as exc:
        load_smic(path=bad)
    assert exc.value.errors[0].field == "rates[1]"
    assert monthly_smic_on(date(2030, 6, 1)) != Decimal("2000")
