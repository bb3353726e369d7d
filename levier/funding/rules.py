"""Pure rules of the money side: revitalisation conventions, loans, State aid, attribution.

Every amount is a Decimal in euros; every business date is an argument.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from levier.core.dates import add_months
from levier.core.formats import format_date, format_euros

CENT = Decimal("0.01")
OBLIGATION_HEADCOUNT = 1000  # Code du travail L1233-84 (companies or groups of at least 1 000 employees)
MINIMUM_RATE = Decimal("2")  # L1233-86: at least twice the monthly SMIC per job
HIGH_RATE = Decimal("4")
LOW_RATE_REASON = "capacité financière insuffisante"
TREASURY_MULTIPLE = Decimal("2")  # without a signed convention: twice the legal minimum
USUAL_MONTHS, FRAMEWORK_MONTHS = 36, 40
DE_MINIMIS_CEILING = Decimal("300000")  # Regulation (EU) 2023/2831, art. 3(2)
DE_MINIMIS_YEARS = 3


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


# ---------------------------------------------------------------- revitalisation conventions


@dataclass(frozen=True)
class Classification:
    kind: str  # "obligation" or "voluntary"
    reason: str


def classify_convention(*, headcount: int | None, procedure: str, in_receivership: bool) -> Classification:
    """Obligation (L1233-84): a company or group of at least 1 000 employees, after a PSE or an RCC,
    not in receivership or liquidation. Anything else is a voluntary convention (L1233-87):
    classified, never refused."""
    if in_receivership:
        return Classification("voluntary", "Entreprise en redressement ou en liquidation judiciaire : pas d'obligation (L1233-84).")
    if headcount is None or headcount < OBLIGATION_HEADCOUNT:
        shown = "inconnu" if headcount is None else str(headcount)
        return Classification("voluntary", f"Effectif de l'entreprise ou du groupe : {shown}, moins de 1 000 salariés (L1233-87).")
    if procedure not in ("pse", "rcc"):
        return Classification("voluntary", "Ni plan de sauvegarde de l'emploi ni rupture conventionnelle collective (L1233-87).")
    label = "plan de sauvegarde de l'emploi" if procedure == "pse" else "rupture conventionnelle collective"
    return Classification("obligation", f"Au moins 1 000 salariés et {label} : obligation de revitalisation (L1233-84).")


@dataclass(frozen=True)
class ConventionFigures:
    jobs: int
    amount_owed: Decimal
    treasury_amount: Decimal
    errors: tuple[tuple[str, str], ...]  # (field, message): the convention is refused
    warnings: tuple[str, ...]


def convention_figures(*, jobs_eliminated: int, jobs_reclassified: int, rate: Decimal, monthly_smic: Decimal,
                       rate_reason: str = "") -> ConventionFigures:
    """Jobs = eliminated − reclassified within the group; owed = jobs × rate × monthly SMIC, to the
    cent. The rate is at least 2 (L1233-86); below 2 only for insufficient financial capacity;
    above 4 is allowed with a warning. Without a signed convention the company pays the Treasury
    twice the legal minimum: 4 × the monthly SMIC per job."""
    errors, warnings = [], []
    if jobs_eliminated < 0:
        errors.append(("jobs_eliminated", "Le nombre d'emplois supprimés ne peut pas être négatif."))
    if jobs_reclassified < 0:
        errors.append(("jobs_reclassified", "Le nombre de reclassements ne peut pas être négatif."))
    elif jobs_reclassified > jobs_eliminated:
        errors.append(("jobs_reclassified", "Plus de reclassements dans le groupe que d'emplois supprimés."))
    if rate <= 0:
        errors.append(("rate", "Le taux (multiple du SMIC mensuel) doit être positif."))
    elif rate < MINIMUM_RATE and rate_reason.strip().lower() != LOW_RATE_REASON:
        errors.append(("rate", "Taux inférieur à 2 SMIC mensuels par emploi (L1233-86) : seulement avec le motif "
                               f"« {LOW_RATE_REASON} »."))
    elif rate > HIGH_RATE:
        warnings.append(f"Taux de {rate.normalize():f} SMIC par emploi : au-delà de 4, vérifier l'accord de l'entreprise.")
    jobs = max(jobs_eliminated - jobs_reclassified, 0)
    owed = cents(Decimal(jobs) * rate * monthly_smic) if not errors else Decimal("0.00")
    treasury = cents(Decimal(jobs) * TREASURY_MULTIPLE * MINIMUM_RATE * monthly_smic)
    return ConventionFigures(jobs, owed, treasury, tuple(errors), tuple(warnings))


def convention_duration_warnings(signed_on: date | None, ends_on: date | None, *, national_framework: bool) -> list[str]:
    """Usually up to 3 years; a national framework convention up to 40 months (warnings only)."""
    if signed_on is None or ends_on is None:
        return []
    limit = FRAMEWORK_MONTHS if national_framework else USUAL_MONTHS
    if ends_on > add_months(signed_on, limit):
        what = "une convention-cadre nationale" if national_framework else "une convention"
        return [f"Durée supérieure à {limit} mois pour {what} (du {format_date(signed_on)} au {format_date(ends_on)})."]
    return []


# ---------------------------------------------------------------- loans


@dataclass(frozen=True)
class Instalment:
    number: int
    due_on: date
    principal: Decimal


def loan_schedule(principal: Decimal, *, count: int, anchor: date, first_after_months: int,
                  months_between: int) -> list[Instalment]:
    """`count` instalments of principal ÷ count rounded down to the cent, the last one carrying
    the remainder so that the sum is exact. Due dates count months from `anchor` (so a loan signed
    on 31 January falls due on the last day of short months, then on the 31st again)."""
    if principal <= 0 or count <= 0:
        raise ValueError("principal and count must be positive")
    regular = (principal / count).quantize(CENT, rounding=ROUND_DOWN)
    last = principal - regular * (count - 1)
    return [
        Instalment(n + 1, add_months(anchor, first_after_months + n * months_between), last if n == count - 1 else regular)
        for n in range(count)
    ]


def schedule_for(principal: Decimal, *, signed_on: date, years: int, frequency: str, deferral_months: int = 0) -> list[Instalment]:
    """Monthly or quarterly over `years`, after an optional deferral: the first instalment falls one
    period after the end of the deferral."""
    months_between = {"monthly": 1, "quarterly": 3}[frequency]
    count = years * 12 // months_between
    return loan_schedule(principal, count=count, anchor=signed_on, first_after_months=deferral_months + months_between,
                         months_between=months_between)


def loan_grant_equivalent(schedule: list[Instalment], *, signed_on: date, annual_rate: Decimal,
                          loan_rate: Decimal = Decimal("0")) -> Decimal:
    """Gross grant equivalent of a below-market loan (Communication 2008/C 14/02): the interest
    saved at the reference rate, period by period on the outstanding principal, discounted at the
    same rate to the signature date. Rates are yearly fractions (0.0435 for 4,35 %)."""
    outstanding = sum((i.principal for i in schedule), Decimal("0"))
    saved, previous = Decimal("0"), signed_on
    spread = annual_rate - loan_rate
    for instalment in schedule:
        days = (instalment.due_on - previous).days
        interest = outstanding * spread * Decimal(days) / Decimal(365)
        years = Decimal((instalment.due_on - signed_on).days) / Decimal(365)
        saved += interest / (Decimal(1) + annual_rate) ** years
        outstanding -= instalment.principal
        previous = instalment.due_on
    return cents(saved)


# ---------------------------------------------------------------- de minimis


@dataclass(frozen=True)
class DeMinimisCheck:
    allowed: bool
    previous: Decimal
    requested: Decimal
    ceiling: Decimal
    since: date
    message: str


def de_minimis_check(*, previous_grants: list[tuple[date, Decimal]], requested: Decimal, on: date,
                     ceiling: Decimal = DE_MINIMIS_CEILING) -> DeMinimisCheck:
    """Regulation (EU) 2023/2831: at most 300 000 € of de minimis aid (gross grant equivalents) to a
    single undertaking over any period of three years — the three years ending on `on`."""
    since = _years_before(on, DE_MINIMIS_YEARS) + timedelta(days=1)
    previous = sum((amount for day, amount in previous_grants if since <= day <= on), Decimal("0.00"))
    allowed = previous + requested <= ceiling
    message = "" if allowed else (
        f"Plafond de minimis dépassé : {format_euros(previous, cents=True)} reçus depuis le {format_date(since)} "
        f"+ {format_euros(requested, cents=True)} demandés = {format_euros(previous + requested, cents=True)}, "
        f"au-delà de {format_euros(ceiling)} sur 3 ans (règlement (UE) 2023/2831)."
    )
    return DeMinimisCheck(allowed, previous, requested, ceiling, since, message)


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


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
