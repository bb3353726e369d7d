"""Use cases of PLIE pathways available so far: the exit classification (CLI and API)."""

from datetime import date
from decimal import Decimal, InvalidOperation

from levier.core.errors import FieldError, InvalidInput
from levier.referential.services import monthly_smic_on

from .rules import KINDS, ExitParameters, Situation, SituationError, classify_exit

# Protocols whose exit parameters are known (both follow seed 002's rules).
PROTOCOL_PARAMETERS = {"plie-pays-aix-2013-2017": ExitParameters(), "plie-pays-aix-2018-2022": ExitParameters()}
FIELDS = {"kind", "contract_subtype", "start_date", "end_date", "as_of", "hours_per_month", "interim_hours", "qualifying",
          "micro_entrepreneur", "monthly_income_eur", "protocol"}


def _date(data: dict, field: str, errors: list, *, required: bool) -> date | None:
    value = data.get(field)
    if value in (None, ""):
        if required:
            errors.append(FieldError(field, "Date obligatoire (AAAA-MM-JJ)."))
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        errors.append(FieldError(field, f"Date impossible : « {value} » (AAAA-MM-JJ attendu)."))
        return None


def _number(value, field: str, errors: list) -> Decimal | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool):
        errors.append(FieldError(field, "Nombre attendu."))
        return None
    try:
        number = Decimal(str(value).replace(",", "."))
    except InvalidOperation:
        errors.append(FieldError(field, f"Nombre attendu, reçu « {value} »."))
        return None
    if not number.is_finite() or number < 0:
        errors.append(FieldError(field, "Nombre positif ou nul attendu."))
        return None
    return number


def parse_situation(data) -> tuple[Situation, ExitParameters]:
    """Validate a classification request; every error is listed with its field."""
    if not isinstance(data, dict):
        raise InvalidInput.single("", "Un objet JSON est attendu.")
    errors = [FieldError(k, "Champ inconnu.") for k in sorted(set(data) - FIELDS)]
    kind = data.get("kind")
    if kind not in KINDS:
        errors.append(FieldError("kind", f"Type attendu parmi {', '.join(KINDS)}."))
    start, end = _date(data, "start_date", errors, required=True), _date(data, "end_date", errors, required=False)
    as_of = _date(data, "as_of", errors, required=True)
    hours = _number(data.get("hours_per_month"), "hours_per_month", errors)
    income = _number(data.get("monthly_income_eur"), "monthly_income_eur", errors)
    interim = []
    raw = data.get("interim_hours") or []
    if not isinstance(raw, list):
        errors.append(FieldError("interim_hours", "Liste de {\"month\": \"AAAA-MM\", \"hours\": …} attendue."))
        raw = []
    for index, row in enumerate(raw):
        if not isinstance(row, dict) or "month" not in row:
            errors.append(FieldError(f"interim_hours[{index}]", "{\"month\": \"AAAA-MM\", \"hours\": …} attendu."))
            continue
        value = _number(row.get("hours"), f"interim_hours[{index}].hours", errors)
        interim.append((str(row["month"]), value if value is not None else Decimal(0)))
    for flag in ("qualifying", "micro_entrepreneur"):
        if data.get(flag) is not None and not isinstance(data.get(flag), bool):
            errors.append(FieldError(flag, "Vrai ou faux attendu (true/false)."))
    protocol = data.get("protocol")
    if protocol and protocol not in PROTOCOL_PARAMETERS:
        errors.append(FieldError("protocol", f"Protocole inconnu : « {protocol} »."))
    if errors:
        raise InvalidInput(errors)
    situation = Situation(
        kind=kind, start_date=start, as_of=as_of, end_date=end, contract_subtype=data.get("contract_subtype") or "common",
        hours_per_month=hours, interim_hours=tuple(interim), qualifying=data.get("qualifying"),
        micro_entrepreneur=bool(data.get("micro_entrepreneur")), monthly_income_eur=income)
    return situation, PROTOCOL_PARAMETERS.get(protocol, ExitParameters())


def classify(data) -> dict:
    """The classification of one situation, as the CLI and the API answer it."""
    situation, parameters = parse_situation(data)
    try:
        return classify_exit(situation, parameters, monthly_smic_on=monthly_smic_on).as_dict()
    except SituationError as exc:
        raise InvalidInput.single(exc.field, exc.message) from exc
