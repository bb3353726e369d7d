"""Loans: the repayment schedule, the reference and discount rates, the gross grant equivalent (pure).

Commission communication on the revision of the method for setting the reference and discount rates
(OJ C 14, 19.1.2008, p. 6, "2008/C 14/02"):
- the reference rate is the base rate (published by the Commission for each Member State) plus a
  margin chosen in the communication's table by the borrower's rating and the collateral offered,
  from 60 to 1 000 basis points;
- the discount rate, used to compute present values, is the base rate plus 100 basis points.

The gross grant equivalent (GGE) of a loan below the market rate is the present value, at the grant
date, of the interest saved: over the real schedule, for each period, the outstanding principal
× (reference rate − rate charged) × the period's length in years, discounted at the discount rate.
A period's length counts whole months as twelfths of a year and the days beyond a whole month as
days/365; discount factors are (1 + discount rate)^(years since the grant).
Rates here are yearly fractions (Decimal("0.0407") for 4,07 %); amounts are euros to the cent.
"""

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, localcontext

from levier.core.dates import add_months
from levier.core.errors import FieldError, InvalidInput
from levier.core.formats import format_euros

CENT = Decimal("0.01")
BASIS_POINT = Decimal("0.0001")
DISCOUNT_MARGIN_BP = 100  # 2008/C 14/02: discount rate = base rate + 100 bp

VERY_GOOD, GOOD, SATISFACTORY, WEAK, BAD = "very_good", "good", "satisfactory", "weak", "bad"  # AAA-A, BBB, BB, B, CCC-
HIGH, NORMAL, LOW = "high", "normal", "low"
# The communication's table of loan margins, in basis points: rating → collateral → margin.
MARGINS_BP = {
    VERY_GOOD: {HIGH: 60, NORMAL: 75, LOW: 100},
    GOOD: {HIGH: 75, NORMAL: 100, LOW: 220},
    SATISFACTORY: {HIGH: 100, NORMAL: 220, LOW: 400},
    WEAK: {HIGH: 220, NORMAL: 400, LOW: 650},
    BAD: {HIGH: 400, NORMAL: 650, LOW: 1000},
}
RATINGS, COLLATERALS = tuple(MARGINS_BP), (HIGH, NORMAL, LOW)
FREQUENCIES = {"monthly": 1, "quarterly": 3, "half_yearly": 6, "yearly": 12}  # months between instalments


def margin_bp(rating: str, collateral: str) -> int:
    """The margin of the communication's table (KeyError for an unknown rating or collateral)."""
    return MARGINS_BP[rating][collateral]


def reference_rate(base_rate: Decimal, margin: int) -> Decimal:
    return base_rate + margin * BASIS_POINT


def discount_rate(base_rate: Decimal) -> Decimal:
    return base_rate + DISCOUNT_MARGIN_BP * BASIS_POINT


# ---------------------------------------------------------------- schedule


@dataclass(frozen=True)
class Instalment:
    number: int
    due_on: date
    principal: Decimal
    interest: Decimal = Decimal("0.00")
    outstanding_after: Decimal = Decimal("0.00")


def schedule(principal: Decimal, *, count: int, first_due_on: date, months_between: int = 1,
             annual_rate: Decimal = Decimal(0), granted_on: date | None = None) -> list[Instalment]:
    """`count` instalments of principal ÷ count rounded down to the cent, the last one carrying the
    remainder so that the sum is exact; due dates count months from `first_due_on` (so a loan first due
    on 31 January falls due on the last day of short months, then on the 31st again). The interest of
    each instalment is the outstanding principal × the rate × the period (from `granted_on`, or one period
    before the first instalment, for the first), rounded to the cent. Refused (field named) when a
    regular instalment would round to 0 €."""
    errors = []
    if principal <= 0:
        errors.append(FieldError("principal", "Le montant du prêt doit être strictement positif."))
    if count <= 0:
        errors.append(FieldError("months", "La durée de remboursement doit compter au moins une échéance."))
    if annual_rate < 0:
        errors.append(FieldError("rate_percent", "Le taux du prêt ne peut pas être négatif."))
    if errors:
        raise InvalidInput(errors)
    regular = (principal / count).quantize(CENT, rounding=ROUND_DOWN)
    if regular <= 0:
        raise InvalidInput.single("principal", f"Échéances arrondies à 0 € : {format_euros(principal, cents=True)} ne se "
                                               f"remboursent pas en {count} échéances.")
    start = granted_on or add_months(first_due_on, -months_between)
    if start > first_due_on:
        raise InvalidInput.single("granted_on", "La première échéance ne peut précéder l'octroi du prêt.")
    rows, outstanding, previous = [], principal, 0
    dates = [add_months(first_due_on, n * months_between) for n in range(count)]
    for number, due_on in enumerate(dates, start=1):
        part = regular if number < count else principal - regular * (count - 1)
        elapsed = years_between(start, due_on)
        interest = (outstanding * annual_rate * (elapsed - previous)).quantize(CENT, rounding=ROUND_HALF_UP)
        outstanding -= part
        rows.append(Instalment(number, due_on, part, interest, outstanding))
        previous = elapsed
    return rows


def years_between(start: date, end: date) -> Decimal:
    """Whole months from `start` as twelfths, the rest in days/365 (31/01 → 29/02 is one month)."""
    months = (end.year - start.year) * 12 + end.month - start.month
    while months > 0 and add_months(start, months) > end:
        months -= 1
    rest = (end - add_months(start, months)).days
    return Decimal(months) / 12 + Decimal(rest) / 365


# ---------------------------------------------------------------- gross grant equivalent


@dataclass(frozen=True)
class GrantEquivalent:
    base_rate: Decimal
    margin_bp: int
    reference_rate: Decimal
    discount_rate: Decimal
    interest_at_reference: Decimal
    interest_charged: Decimal
    value: Decimal


def grant_equivalent(instalments: list[Instalment], *, granted_on: date, base_rate: Decimal, margin: int,
                     annual_rate: Decimal = Decimal(0)) -> GrantEquivalent:
    """GGE = Σ outstanding × (reference rate − rate charged) × period ÷ (1 + discount rate)^t, over the
    schedule, to the cent (2008/C 14/02). Never negative: a loan at or above the reference rate holds no aid."""
    reference, discount = reference_rate(base_rate, margin), discount_rate(base_rate)
    outstanding = sum((i.principal for i in instalments), Decimal(0))
    saved = at_reference = charged = Decimal(0)
    previous = Decimal(0)
    with localcontext() as context:
        context.prec = 34
        for instalment in instalments:
            elapsed = years_between(granted_on, instalment.due_on)
            period = elapsed - previous
            at_reference += outstanding * reference * period
            charged += outstanding * annual_rate * period
            saved += outstanding * (reference - annual_rate) * period / (Decimal(1) + discount) ** elapsed
            outstanding -= instalment.principal
            previous = elapsed
    value = max(saved, Decimal(0)).quantize(CENT, rounding=ROUND_HALF_UP)
    return GrantEquivalent(base_rate, margin, reference, discount, at_reference.quantize(CENT, rounding=ROUND_HALF_UP),
                           charged.quantize(CENT, rounding=ROUND_HALF_UP), value)
