"""Reading typed values out of a JSON object (API bodies, CLI files), every error in French with its field.

    reader = Reader(data)
    day = reader.date("grant_date", required=True)
    amount = reader.money("amount", required=True)
    reader.done()          # raises InvalidInput listing every error, nothing half-read is used

Dates are AAAA-MM-JJ only (`date.fromisoformat` also takes 20240115); amounts are decimal
strings or JSON numbers ("1500.00", "1 500,00", 1500), never rounded silently.
"""

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from .errors import FieldError, InvalidInput

ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
CENT = Decimal("0.01")
# Business dates and amounts Levier handles: wider than any real case, narrow enough for date and decimal
# arithmetic never to overflow (a date of year 9999 plus six months, an amount of 1e30).
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2199, 12, 31)
LARGEST = Decimal("1e12")
SPACES = str.maketrans("", "", " \u00a0\u202f")


def parse_iso_date(value) -> date:
    """AAAA-MM-JJ between 1900 and 2199, or ValueError."""
    text = str(value).strip()
    if not ISO_DATE.fullmatch(text):
        raise ValueError(text)
    day = date.fromisoformat(text)
    if not FIRST_DAY <= day <= LAST_DAY:
        raise ValueError(text)
    return day


FRENCH_DATE = re.compile(r"[0-9]{1,2}/[0-9]{1,2}/[0-9]{4}")
DATE_EXPECTED = "AAAA-MM-JJ attendu"


def parse_day(value) -> date:
    """AAAA-MM-JJ or JJ/MM/AAAA (files and what people type), between 1900 and 2199, or ValueError."""
    text = str(value).strip()
    if FRENCH_DATE.fullmatch(text):
        try:
            day = datetime.strptime(text, "%d/%m/%Y").date()
        except ValueError:
            raise ValueError(text) from None
        if not FIRST_DAY <= day <= LAST_DAY:
            raise ValueError(text)
        return day
    return parse_iso_date(text)


def date_field(value, field: str, *, default: date | None = None) -> date | None:
    """An optional AAAA-MM-JJ of a query string, a form or an API body: `default` when empty, InvalidInput naming
    `field` when it is not a date."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return default
    try:
        return parse_iso_date(value)
    except ValueError:
        raise InvalidInput.single(field, f"Date invalide : « {value} » ({DATE_EXPECTED}).") from None


def date_or(value, default: date) -> date:
    """A date of a page's query string (?au=, ?date=): what is given when it reads, else `default` — a link
    with a mistyped date shows today's page rather than an error."""
    try:
        return parse_iso_date(value) if value else default
    except ValueError:
        return default


def parse_decimal(value) -> Decimal:
    """A finite decimal from a string ('1 500,50', '1500.50') or a JSON number, or ValueError."""
    if isinstance(value, bool) or value is None:
        raise ValueError(value)
    text = str(value).strip().translate(SPACES).replace(",", ".")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValueError(value) from None
    if not number.is_finite() or abs(number) >= LARGEST:
        raise ValueError(value)
    return number


class Reader:
    """Reads the fields of one JSON object; `prefix` names nested objects in errors ("previous_aids[2].date")."""

    def __init__(self, data, *, prefix: str = "", errors: list[FieldError] | None = None):
        self.errors = errors if errors is not None else []
        self.prefix = prefix
        self.seen: set[str] = set()
        self.children: list[Reader] = []
        if not isinstance(data, dict):
            self.errors.append(FieldError(prefix, "Un objet JSON est attendu."))
            data = {}
        self.data = data

    def name(self, field: str) -> str:
        return f"{self.prefix}.{field}" if self.prefix else field

    def error(self, field: str, message: str) -> None:
        self.errors.append(FieldError(self.name(field), message))

    def _raw(self, field: str, required: bool):
        self.seen.add(field)
        value = self.data.get(field)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.error(field, "Champ obligatoire.")
            return None
        return value

    def date(self, field: str, *, required: bool = False) -> date | None:
        value = self._raw(field, required)
        if value is None:
            return None
        try:
            return parse_iso_date(value)
        except ValueError:
            self.error(field, f"Date impossible : « {value} » (AAAA-MM-JJ attendu, entre 1900 et 2199).")
            return None

    def _number(self, field: str, required: bool, invalid: str) -> Decimal | None:
        value = self._raw(field, required)
        if value is None:
            return None
        try:
            return parse_decimal(value)
        except ValueError:
            self.error(field, invalid.format(value=value))
            return None

    def decimal(self, field: str, *, required: bool = False, minimum: Decimal | None = None,
                positive: bool = False, maximum: Decimal | None = None) -> Decimal | None:
        number = self._number(field, required, "Nombre attendu (moins de mille milliards), reçu « {value} ».")
        if number is None:
            return None
        if positive and number <= 0:
            self.error(field, "Le nombre doit être strictement positif.")
            return None
        if minimum is not None and number < minimum:
            self.error(field, f"Le nombre doit être au moins {minimum}.")
            return None
        if maximum is not None and number > maximum:
            self.error(field, f"Le nombre doit être au plus {maximum}.")
            return None
        return number

    def money(self, field: str, *, required: bool = False, positive: bool = True) -> Decimal | None:
        """Euros with at most two decimals; strictly positive unless `positive=False` (then ≥ 0)."""
        amount = self._number(field, required, "Montant invalide : « {value} » (euros, moins de mille milliards, "
                                               "par exemple « 1500.00 »).")
        if amount is None:
            return None
        if positive and amount <= 0:
            self.error(field, "Le montant doit être strictement positif.")
            return None
        if amount < 0:
            self.error(field, "Le montant ne peut pas être négatif.")
            return None
        if amount != amount.quantize(CENT):
            self.error(field, "Un montant a au plus 2 décimales (centimes).")
            return None
        return amount.quantize(CENT)

    def integer(self, field: str, *, required: bool = False, minimum: int | None = 0,
                maximum: int | None = None) -> int | None:
        value = self._raw(field, required)
        if value is None:
            return None
        if isinstance(value, bool):
            self.error(field, "Nombre entier attendu.")
            return None
        try:
            number = parse_decimal(value)
        except ValueError:
            self.error(field, f"Nombre entier attendu, reçu « {value} ».")
            return None
        if number != number.to_integral_value():
            self.error(field, f"Nombre entier attendu, reçu « {value} ».")
            return None
        if minimum is not None and number < minimum:
            self.error(field, f"Le nombre doit être au moins {minimum}.")
            return None
        if maximum is not None and number > maximum:
            self.error(field, f"Le nombre doit être au plus {maximum}.")
            return None
        return int(number)

    def boolean(self, field: str, *, default: bool | None = False) -> bool | None:
        self.seen.add(field)
        value = self.data.get(field)
        if value is None:
            return default
        if not isinstance(value, bool):
            self.error(field, "Vrai ou faux attendu (true/false).")
            return default
        return value

    def choice(self, field: str, choices: dict[str, str] | tuple, *, required: bool = False,
               default: str | None = None) -> str | None:
        value = self._raw(field, required)
        if value is None:
            return default
        if value not in choices:
            self.error(field, f"Valeur inconnue : « {value} » (attendu : {', '.join(choices)}).")
            return default
        return value

    def text(self, field: str, *, required: bool = False, max_length: int = 2000) -> str:
        value = self._raw(field, required)
        if value is None:
            return ""
        if not isinstance(value, str):
            self.error(field, "Texte attendu.")
            return ""
        if len(value) > max_length:
            self.error(field, f"Texte trop long : {max_length} caractères au plus.")
            return ""
        return value.strip()

    def nested(self, field: str) -> "Reader | None":
        value = self._raw(field, False)
        if value is None:
            return None
        child = Reader(value, prefix=self.name(field), errors=self.errors)
        self.children.append(child)
        return child

    def items(self, field: str) -> list["Reader"]:
        """A list of objects, one reader each (`field[0]`, `field[1]`…)."""
        value = self._raw(field, False)
        if value is None:
            return []
        if not isinstance(value, list):
            self.error(field, "Liste attendue.")
            return []
        children = [Reader(item, prefix=f"{self.name(field)}[{index}]", errors=self.errors)
                    for index, item in enumerate(value)]
        self.children.extend(children)
        return children

    def reject_unknown(self) -> None:
        """Every key not read is an error: a misspelt field is never silently ignored."""
        for key in sorted(set(self.data) - self.seen, key=str):
            self.error(str(key), "Champ inconnu.")
        for child in self.children:
            child.reject_unknown()

    def done(self) -> None:
        """Raise the errors of this reader and of the readers nested in it."""
        self.reject_unknown()
        if self.errors:
            raise InvalidInput(self.errors)
