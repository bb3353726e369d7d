from datetime import date, datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from levier.core.errors import FieldError, InvalidInput, errors_from_validation_error
from levier.core.formats import format_date, format_euros, format_number, format_percent

NNBSP, NBSP = "\u202f", "\u00a0"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("1325000"), f"1{NNBSP}325{NNBSP}000{NBSP}€"),
        (Decimal("1801.8"), f"1{NNBSP}801,80{NBSP}€"),
        (Decimal("225000.00"), f"225{NNBSP}000{NBSP}€"),
        (Decimal("-15000"), f"-15{NNBSP}000{NBSP}€"),
        (Decimal("0.005"), f"0,01{NBSP}€"),
        (999, f"999{NBSP}€"),
    ],
)
def test_amounts_in_french(value, expected):
    assert format_euros(value) == expected


def test_float_amounts_are_refused():
    with pytest.raises(TypeError):
        format_euros(1325000.0)


def test_numbers_percent_and_dates():
    assert format_number(34875) == f"34{NNBSP}875"
    assert format_number(Decimal("12.5")) == "12,5"
    assert format_percent(Decimal("0.42")) == f"42{NBSP}%"
    assert format_percent(Decimal("0.425"), 1) == f"42,5{NBSP}%"
    assert format_date(date(2026, 11, 22)) == "22/11/2026"
    assert format_date(datetime(2026, 11, 22, 9, 5)) == "22/11/2026 à 09:05"


def test_error_body_shape():
    exc = InvalidInput([FieldError("project.net_cdi_jobs_24m", "Doit être positif.")])
    assert exc.as_body() == {"errors": [{"field": "project.net_cdi_jobs_24m", "message": "Doit être positif."}]}


def test_django_validation_errors_become_field_errors():
    errors = errors_from_validation_error(ValidationError({"siret": ["Invalide."], "__all__": ["Global."]}), prefix="etab")
    assert {(e.field, e.message) for e in errors} == {("etab.siret", "Invalide."), ("etab", "Global.")}
