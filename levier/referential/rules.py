"""Pure rules over reference tables."""

from collections.abc import Iterable
from datetime import date
from decimal import Decimal


def rate_in_force(rates: Iterable[tuple[date, Decimal]], on: date) -> Decimal | None:
    """The value whose date of effect is the latest on or before `on`, or None before the first."""
    in_force = None
    for effective, value in sorted(rates):
        if effective <= on:
            in_force = value
        else:
            break
    return in_force
