"""Pure rules of the money side: amounts, attribution; the law's rules in their own modules.

- `revitalisation`: who owes a revitalisation contribution, how much, by when, what counts (Code du travail);
- `loans`: schedules, reference and discount rates, gross grant equivalent (communication 2008/C 14/02);
- `de_minimis`: the ceilings of the de minimis regulations for a single undertaking.

Every amount is a Decimal in euros; every business date is an argument.
"""

from decimal import ROUND_DOWN, Decimal

from levier.core.dates import add_months  # noqa: F401  (the rules' calendar, re-exported for callers)
from levier.core.money import CENT, cents  # noqa: F401

from . import de_minimis, loans, revitalisation  # noqa: F401


# ---------------------------------------------------------------- attribution


def pro_rata(amount: Decimal, weights: dict, *, unit: Decimal = CENT) -> dict:
    """Split `amount` in proportion to `weights` (the contributions each financer had paid into the
    fund by the commitment date), to the cent, the shares summing exactly to `amount` (largest
    remainders first, ties by key)."""
    total = sum(weights.values(), Decimal("0"))
    if total <= 0:
        return {}
    raw = {key: amount * weight / total for key, weight in weights.items()}
    shares = {key: value.quantize(unit, rounding=ROUND_DOWN) for key, value in raw.items()}
    left = int((amount - sum(shares.values(), Decimal("0"))) / unit)
    for key in sorted(raw, key=lambda k: (-(raw[k] - shares[k]), str(k)))[:left]:
        shares[key] += unit
    return shares


def ratio(numerator: Decimal, denominator: Decimal) -> Decimal | None:
    """A ratio, or None when its divisor is zero."""
    return None if not denominator else numerator / denominator
