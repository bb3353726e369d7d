"""Pure rules on organisations: identifiers and size category."""

import re
from dataclasses import dataclass, field
from decimal import Decimal

from stdnum.exceptions import ValidationError as StdnumError
from stdnum.fr import siren as stdnum_siren
from stdnum.fr import siret as stdnum_siret

from .enums import SizeCategory

RNA = re.compile(r"^W\d{9}$")
NAF = re.compile(r"^\d{2}\.\d{2}[A-Z]$")


def _identifier_error(value: str, label: str, length: int, validator) -> str | None:
    compact = re.sub(r"\s", "", value or "")
    if not re.fullmatch(rf"\d{{{length}}}", compact):
        return f"Le {label} « {value} » doit compter {length} chiffres."
    try:
        validator.validate(compact)
    except StdnumError:
        return f"Le {label} « {value} » est invalide (clé de contrôle incorrecte)."
    return None


def siren_error(value: str) -> str | None:
    """French message if `value` is not a valid SIREN (9 digits, Luhn key), else None."""
    return _identifier_error(value, "SIREN", 9, stdnum_siren)


def siret_error(value: str) -> str | None:
    """French message if `value` is not a valid SIRET (14 digits, check key), else None."""
    return _identifier_error(value, "SIRET", 14, stdnum_siret)


def siren_or_siret(value: str) -> tuple[str, str | None]:
    """The SIREN named by `value`, which may be a SIREN or a SIRET (its first nine digits), and the French
    message when it is neither: "356 000 000 00048" → ("356000000", None). A SIRET's own key is checked too,
    so that a mistyped SIRET is not taken for its company."""
    compact = re.sub(r"\s", "", value or "")
    if len(compact) == 14 and compact.isdigit():
        if error := siret_error(compact):
            return compact, error
        return compact[:9], None
    if error := siren_error(compact):
        if not compact.isdigit() or len(compact) != 9:
            error = f"« {value} » n'est ni un SIREN (9 chiffres) ni un SIRET (14 chiffres)."
        return compact, error
    return compact, None


def rna_error(value: str) -> str | None:
    if not RNA.match(value or ""):
        return f"Le numéro RNA « {value} » doit s'écrire W suivi de 9 chiffres."
    return None


def naf_error(value: str) -> str | None:
    if not NAF.match(value or ""):
        return f"Le code NAF « {value} » doit s'écrire comme 62.01Z."
    return None


def fiscal_year_end_error(day: int, month: int) -> str | None:
    """A fiscal year ends on a day of the calendar (29 February: the month's last day in common years)."""
    if not 1 <= month <= 12:
        return f"Mois de clôture impossible : {month}."
    longest = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)[month - 1]
    if not 1 <= day <= longest:
        return f"Jour de clôture impossible : {day}/{month:02d}."
    return None


def naf_section(naf_code: str) -> str | None:
    """NAF rev. 2 section letter of a code: '25.62A' → 'C' (manufacturing)."""
    if not naf_code or not NAF.match(naf_code):
        return None
    division = int(naf_code[:2])
    for section, (low, high) in _NAF_SECTIONS.items():
        if low <= division <= high:
            return section
    return None


_NAF_SECTIONS = {
    "A": (1, 3), "B": (5, 9), "C": (10, 33), "D": (35, 35), "E": (36, 39), "F": (41, 43), "G": (45, 47),
    "H": (49, 53), "I": (55, 56), "J": (58, 63), "K": (64, 66), "L": (68, 68), "M": (69, 75), "N": (77, 82),
    "O": (84, 84), "P": (85, 85), "Q": (86, 88), "R": (90, 93), "S": (94, 96), "T": (97, 98), "U": (99, 99),
}


@dataclass(frozen=True)
class Threshold:
    category: str
    headcount_below: int
    turnover_max: Decimal
    balance_sheet_max: Decimal


# Décret n° 2008-1354 du 18 décembre 2008, art. 3: a category holds when the
# headcount is below its bound AND (turnover ≤ its bound OR balance sheet ≤ its bound).
THRESHOLDS = (
    Threshold(SizeCategory.MICRO, 10, Decimal("2000000"), Decimal("2000000")),
    Threshold(SizeCategory.PME, 250, Decimal("50000000"), Decimal("43000000")),
    Threshold(SizeCategory.ETI, 5000, Decimal("1500000000"), Decimal("2000000000")),
)


_UNBOUNDED = Decimal("1e30")


@dataclass(frozen=True)
class SizeAssessment:
    category: str | None  # None when undecided
    estimated: bool = False  # decided on headcount alone
    possible: tuple[str, ...] = field(default_factory=tuple)  # candidates when undecided
    explanation: str = ""

    @property
    def label(self) -> str:
        if self.category is None:
            names = " ou ".join(SizeCategory(c).label for c in self.possible) or "inconnue"
            return f"Indéterminée ({names})"
        label = SizeCategory(self.category).label
        return f"{label} — estimée (effectif seul)" if self.estimated else label

    @property
    def is_sme(self) -> bool | None:
        """PME in the wide sense (TPE or PME); None when undecided between SME and larger."""
        small = {SizeCategory.MICRO, SizeCategory.PME}
        if self.category is not None:
            return self.category in small
        if all(c in small for c in self.possible):
            return True
        if not any(c in small for c in self.possible):
            return False
        return None


def size_category(
    headcount: Decimal | int | None,
    turnover: Decimal | None,
    balance_sheet: Decimal | None,
) -> SizeAssessment:
    """Category of a company per décret 2008-1354 (headcount = average annual staff,
    of the group when the company belongs to one).

    Headcount alone gives an estimate; a financial criterion that exceeds its bound
    while the other is unknown leaves the category undecided between that level and
    the next ones.
    """
    if headcount is None:
        return SizeAssessment(None, possible=tuple(SizeCategory.values), explanation="Effectif inconnu.")
    if turnover is not None and not isinstance(turnover, Decimal):
        raise TypeError("Le chiffre d'affaires est un Decimal.")
    if balance_sheet is not None and not isinstance(balance_sheet, Decimal):
        raise TypeError("Le total de bilan est un Decimal.")
    for threshold in THRESHOLDS:
        if headcount >= threshold.headcount_below:
            continue
        if turnover is None and balance_sheet is None:
            return SizeAssessment(
                threshold.category,
                estimated=True,
                explanation=f"Effectif de {headcount} < {threshold.headcount_below} ; données financières absentes.",
            )
        turnover_ok = turnover is not None and turnover <= threshold.turnover_max
        balance_ok = balance_sheet is not None and balance_sheet <= threshold.balance_sheet_max
        if turnover_ok or balance_ok:
            return SizeAssessment(
                threshold.category,
                explanation=f"Effectif < {threshold.headcount_below} et chiffre d'affaires ou total de bilan sous les seuils.",
            )
        if turnover is None or balance_sheet is None:
            missing = "chiffre d'affaires" if turnover is None else "total de bilan"
            # If the unknown criterion exceeded every bound, which category would it be?
            upper = size_category(headcount, turnover or _UNBOUNDED, balance_sheet or _UNBOUNDED)
            return SizeAssessment(
                None,
                possible=(threshold.category, upper.category),
                explanation=f"Un critère financier dépasse le seuil et le {missing} est inconnu.",
            )
    return SizeAssessment(SizeCategory.GE, explanation="Au-delà des seuils des ETI.")
