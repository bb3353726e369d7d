"""Exit rules of the PLIE protocols (seed 002), as one pure function.

    classify_exit(situation, parameters, monthly_smic_on=…) -> Classification

V = start + 6 calendar months, clipped to the month's end (2024-08-31 → 2025-02-28). A situation
"lasts 6 months" when it has no end date or ends on or after V − 1 day. An outcome is `positive`
only once its validation date is reached (`validated_on` ≤ `as_of`); before that it is `pending`, with
neither category nor validation date (only a positive exit counts in a category).
Business dates are arguments; nothing here reads the clock or the database.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from levier.core.dates import add_months, month_end
from levier.core.errors import InvalidInput
from levier.core.formats import format_date, format_euros, format_number

from .enums import POSITIVE_EXIT_KINDS

POSITIVE, PENDING, NOT_POSITIVE = "positive", "pending", "not_positive"
EMPLOYMENT, TRAINING, BUSINESS = "employment", "training", "business_creation"
KINDS = POSITIVE_EXIT_KINDS  # the situations the rules classify
SUBTYPES = ("common", "cddi_siae", "contrat_aide", "alternance")
ISO_MONTH = re.compile(r"\d{4}-\d{2}")  # AAAA-MM


@dataclass(frozen=True)
class ExitParameters:
    """A protocol's exit parameters (seed 002's values by default; editable per protocol)."""

    min_hours_per_month: Decimal = Decimal("76")
    interim_long_months: int = 9
    interim_long_hours: Decimal = Decimal("936")
    interim_short_months: int = 6
    interim_short_hours: Decimal = Decimal("624")
    months_to_last: int = 6
    # Contract subtypes that are pathway steps, not exits; the others count as common contracts.
    step_subtypes: tuple[str, ...] = ("cddi_siae",)
    micro_income_share_of_smic: Decimal = Decimal("0.5")


@dataclass(frozen=True)
class Situation:
    kind: str
    start_date: date
    as_of: date
    end_date: date | None = None
    contract_subtype: str = "common"
    hours_per_month: Decimal | None = None
    interim_hours: tuple[tuple[str, Decimal], ...] = ()  # ("2024-01", hours)
    qualifying: bool | None = None
    micro_entrepreneur: bool = False
    monthly_income_eur: Decimal | None = None


@dataclass(frozen=True)
class Classification:
    outcome: str
    category: str | None
    validated_on: date | None
    reasons: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"outcome": self.outcome, "category": self.category,
                "validated_on": self.validated_on.isoformat() if self.validated_on else None, "reasons": self.reasons}


class SituationError(ValueError):
    """Input that cannot be classified: (field, French message)."""

    def __init__(self, field_name: str, message: str):
        super().__init__(message)
        self.field, self.message = field_name, message


def validation_date(start: date, months: int = 6) -> date:
    """V: start + 6 calendar months, clipped to the month's end."""
    return add_months(start, months)


def classify_exit(s: Situation, p: ExitParameters = ExitParameters(), *,
                  monthly_smic_on: Callable[[date], Decimal] | None = None) -> Classification:
    """Classify one situation. `monthly_smic_on(day)` gives the monthly gross SMIC in force on a day
    (the foundation's table), for the micro-entrepreneur's income threshold."""
    if s.kind not in KINDS:
        raise SituationError("kind", f"Type de situation inconnu : « {s.kind} » (attendu : {', '.join(KINDS)}).")
    if s.end_date is not None and s.end_date < s.start_date:
        raise SituationError("end_date", "La date de fin précède la date de début.")
    if s.contract_subtype not in SUBTYPES:
        raise SituationError("contract_subtype", f"Sous-type de contrat inconnu : « {s.contract_subtype} ».")
    v = validation_date(s.start_date, p.months_to_last)
    lasts = s.end_date is None or s.end_date >= v - timedelta(days=1)
    if s.kind in ("cdi", "cdd"):
        return _contract(s, p, v, lasts)
    if s.kind == "interim":
        return _interim(s, p)
    if s.kind == "training":
        return _training(s, v)
    return _business(s, p, v, lasts, monthly_smic_on)


def _dated(category: str, validated_on: date, as_of: date, reasons: list[str]) -> Classification:
    """Positive once the validation date is reached; pending before — counted in no category yet, with
    neither category nor validation date (the date it may be validated on is given in the reasons)."""
    if validated_on <= as_of:
        return Classification(POSITIVE, category, validated_on, reasons + [f"Sortie positive validée le {format_date(validated_on)}."])
    return Classification(PENDING, None, None, reasons + [f"Validation possible le {format_date(validated_on)}."])


def _contract(s: Situation, p: ExitParameters, v: date, lasts: bool) -> Classification:
    label = "CDI" if s.kind == "cdi" else "CDD"
    if s.kind == "cdd" and s.end_date is None:
        raise SituationError("end_date", "Un CDD a une date de fin.")
    if s.hours_per_month is None:
        raise SituationError("hours_per_month", f"Nombre d'heures par mois du {label} obligatoire.")
    if s.contract_subtype in p.step_subtypes:
        return Classification(NOT_POSITIVE, None, None, [
            "Contrat à durée déterminée d'insertion en SIAE : étape de parcours, pas une sortie."
            if s.contract_subtype == "cddi_siae" else "Ce contrat est une étape de parcours pour ce protocole, pas une sortie."])
    hours = f"{format_number(s.hours_per_month)} h par mois"
    if s.hours_per_month < p.min_hours_per_month:
        return Classification(NOT_POSITIVE, None, None, [
            f"{label} de {hours} : moins de {format_number(p.min_hours_per_month)} h par mois (mi-temps requis)."])
    if not lasts:
        return Classification(NOT_POSITIVE, None, None, [
            f"{label} de {hours} terminé le {format_date(s.end_date)}, avant 6 mois (le {format_date(v - timedelta(days=1))})."])
    reasons = [f"{label} de {hours} (au moins {format_number(p.min_hours_per_month)} h), commencé le "
               f"{format_date(s.start_date)}, qui dure 6 mois."]
    return _dated(EMPLOYMENT, v, s.as_of, reasons)


def _months(s: Situation) -> dict[tuple[int, int], Decimal]:
    months: dict[tuple[int, int], Decimal] = {}
    first, last = (s.start_date.year, s.start_date.month), (s.as_of.year, s.as_of.month)
    for index, (text, hours) in enumerate(s.interim_hours):
        where = f"interim_hours[{index}]"
        try:
            if not ISO_MONTH.fullmatch(text):
                raise ValueError
            year, month = int(text[:4]), int(text[5:])
            date(year, month, 1)
        except (ValueError, TypeError):
            raise SituationError(f"{where}.month", f"Mois invalide : « {text} » (AAAA-MM attendu).") from None
        if hours < 0:
            raise SituationError(f"{where}.hours", "Les heures ne peuvent pas être négatives.")
        if (year, month) < first:
            raise SituationError(f"{where}.month", f"Mois {text} antérieur au début de la mission ({format_date(s.start_date)}).")
        if (year, month) > last:
            raise SituationError(f"{where}.month", f"Mois {text} postérieur à la date d'évaluation ({format_date(s.as_of)}).")
        if (year, month) in months:
            raise SituationError(f"{where}.month", f"Mois {text} en double.")
        months[(year, month)] = hours
    return months


def _interim(s: Situation, p: ExitParameters) -> Classification:
    months = _months(s)
    if s.contract_subtype in p.step_subtypes:
        return Classification(NOT_POSITIVE, None, None, ["Mission d'insertion : étape de parcours, pas une sortie."])
    ordered: list[tuple[int, int]] = []
    year, month = s.start_date.year, s.start_date.month
    while (year, month) <= (s.as_of.year, s.as_of.month):
        ordered.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    rules = ((p.interim_short_months, p.interim_short_hours), (p.interim_long_months, p.interim_long_hours))
    for end_index, (year, month) in enumerate(ordered):
        for length, threshold in rules:
            window = ordered[end_index - length + 1:end_index + 1] if end_index + 1 >= length else []
            hours = [months.get(m, Decimal(0)) for m in window]
            if window and all(h > 0 for h in hours) and sum(hours) >= threshold:
                first = window[0]
                reasons = [f"Intérim en continu : {length} mois consécutifs de {first[1]:02d}/{first[0]} à {month:02d}/{year}, "
                           f"{format_number(sum(hours))} h (au moins {format_number(threshold)} h)."]
                return _dated(EMPLOYMENT, month_end(year, month), s.as_of, reasons)
    if s.end_date is None or s.end_date >= s.as_of:
        return Classification(PENDING, None, None, [
            f"Intérim en cours : pas encore {p.interim_short_months} mois consécutifs pour {format_number(p.interim_short_hours)} h "
            f"ni {p.interim_long_months} mois pour {format_number(p.interim_long_hours)} h."])
    return Classification(NOT_POSITIVE, None, None, [
        f"Intérim terminé le {format_date(s.end_date)} sans {p.interim_short_months} mois consécutifs pour "
        f"{format_number(p.interim_short_hours)} h ni {p.interim_long_months} mois pour {format_number(p.interim_long_hours)} h "
        "(un mois sans heures interrompt la continuité)."])


def _training(s: Situation, v: date) -> Classification:
    if s.end_date is None:
        raise SituationError("end_date", "Une formation a une date de fin.")
    if not s.qualifying:  # only a training declared qualifying can be an exit; unsaid is not declared
        return Classification(NOT_POSITIVE, None, None, [
            "Formation non qualifiante : étape de parcours, pas une sortie." if s.qualifying is False else
            "Formation non déclarée qualifiante : étape de parcours, pas une sortie."])
    if s.end_date < v:
        return Classification(NOT_POSITIVE, None, None, [
            f"Formation qualifiante terminée le {format_date(s.end_date)} : 6 mois au moins requis (jusqu'au {format_date(v)})."])
    return _dated(TRAINING, s.start_date, s.as_of, [
        f"Formation qualifiante de plus de 6 mois, du {format_date(s.start_date)} au {format_date(s.end_date)}."])


def _business(s: Situation, p: ExitParameters, v: date, lasts: bool, monthly_smic_on) -> Classification:
    if not lasts:
        return Classification(NOT_POSITIVE, None, None, [
            f"Activité arrêtée le {format_date(s.end_date)}, avant 6 mois (le {format_date(v - timedelta(days=1))})."])
    reasons = [f"Création ou reprise d'entreprise le {format_date(s.start_date)}, en activité depuis 6 mois."]
    if s.micro_entrepreneur and s.as_of >= v:
        if s.monthly_income_eur is None:
            raise SituationError("monthly_income_eur", "Micro-entrepreneur : revenu mensuel moyen des 6 mois avant la "
                                                       "validation obligatoire.")
        if monthly_smic_on is None:
            raise SituationError("as_of", "Barème du SMIC indisponible.")
        # Compared exactly (half of 1 823,03 € is 911,515 €); rounded only to be shown.
        try:
            smic = monthly_smic_on(v)
        except InvalidInput:  # the table's field is its date; here it follows from the start date
            raise SituationError("start_date", f"Aucune valeur du SMIC connue au {format_date(v)}, date de validation "
                                               "(6 mois après le début).") from None
        exact = smic * p.micro_income_share_of_smic
        threshold = exact.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        if s.monthly_income_eur < exact:
            return Classification(NOT_POSITIVE, None, None, [
                f"Micro-entreprise : revenu mensuel moyen de {format_euros(s.monthly_income_eur)}, sous la moitié du SMIC "
                f"mensuel brut au {format_date(v)} ({format_euros(threshold)})."])
        reasons.append(f"Micro-entreprise : revenu mensuel moyen de {format_euros(s.monthly_income_eur)}, au moins la "
                       f"moitié du SMIC mensuel brut au {format_date(v)} ({format_euros(threshold)}).")
    return _dated(BUSINESS, v, s.as_of, reasons)
