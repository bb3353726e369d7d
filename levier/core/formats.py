"""French formats for what users read: amounts, numbers, dates.

Thousands are separated by a narrow no-break space (U+202F) and the euro sign
follows a no-break space (U+00A0), as French typography and Intl fr-FR do.
"""

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

THOUSANDS = "\u202f"
NBSP = "\u00a0"
CENT = Decimal("0.01")
UNIT = Decimal(1)


def to_decimal(value) -> Decimal:
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        raise TypeError("Les montants sont des Decimal, jamais des float.")
    return Decimal(value)


def _group(integer_digits: str) -> str:
    """'1325000' → '1 325 000' (narrow no-break spaces)."""
    return format(int(integer_digits), ",").replace(",", THOUSANDS) if len(integer_digits) > 3 else integer_digits


def format_number(value, decimals: int | None = None) -> str:
    """1325000 → '1 325 000'; Decimal('12.5') → '12,5'; decimals forces a scale."""
    if value is None:
        return ""
    number = to_decimal(value)
    if decimals is not None:
        number = number.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    sign = "-" if number < 0 else ""
    text = format(abs(number), "f")
    integer, _, fraction = text.partition(".")
    result = sign + _group(integer)
    return f"{result},{fraction}" if fraction else result


def format_euros(value, cents: bool | None = None) -> str:
    """Decimal('1325000') → '1 325 000 €'; Decimal('1801.8') → '1 801,80 €'.

    Cents are shown when the amount has some, or when `cents=True`.
    """
    if value is None:
        return ""
    amount = to_decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)
    show_cents = cents if cents is not None else amount != amount.to_integral_value()
    if not show_cents:  # the usual case, without the general path's text handling
        return f"{int(amount.quantize(UNIT, rounding=ROUND_HALF_UP)):,}{NBSP}€".replace(",", THOUSANDS)
    return f"{format_number(amount, 2)}{NBSP}€"


def format_percent(value, decimals: int = 0) -> str:
    """Decimal('0.425') → '43 %' (decimals=0) or '42,5 %' (decimals=1)."""
    if value is None:
        return ""
    return f"{format_number(to_decimal(value) * 100, decimals)}{NBSP}%"


def format_date(value) -> str:
    """date(2026, 11, 22) → '22/11/2026'."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        from django.utils import timezone

        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.strftime("%d/%m/%Y à %H:%M")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    raise TypeError(f"Date attendue, reçu {type(value).__name__}")
