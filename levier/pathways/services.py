"""Use cases of PLIE pathways available so far: the seed protocols, the exit classification (CLI and API)."""

import json
import re
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.db import transaction

from levier.core.errors import FieldError, InvalidInput
from levier.referential.services import monthly_smic_on

from .rules import KINDS, ExitParameters, Situation, SituationError, classify_exit

REFERENCE_FILE = Path(__file__).parent / "data" / "protocols.json"

# Before `levier pathways load-reference`, the seed protocols are still known by slug (seed 002's rules).
SEED_PROTOCOLS = ("plie-pays-aix-2013-2017", "plie-pays-aix-2018-2022")
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")  # AAAA-MM-JJ only (`fromisoformat` also takes 20240115)


def protocol_parameters(slug: str | None) -> ExitParameters | None:
    """The exit parameters of a protocol (None when unknown)."""
    from .models import Protocol

    if not slug:
        return ExitParameters()
    protocol = Protocol.objects.filter(slug=slug).first()
    if protocol is not None:
        return protocol.exit_parameters
    return ExitParameters() if slug in SEED_PROTOCOLS else None


FIELDS = {"kind", "contract_subtype", "start_date", "end_date", "as_of", "hours_per_month", "interim_hours", "qualifying",
          "micro_entrepreneur", "monthly_income_eur", "protocol"}


def _date(data: dict, field: str, errors: list, *, required: bool) -> date | None:
    value = data.get(field)
    if value in (None, ""):
        if required:
            errors.append(FieldError(field, "Date obligatoire (AAAA-MM-JJ)."))
        return None
    try:
        if not ISO_DATE.fullmatch(str(value)):
            raise ValueError
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
        if value is None and row.get("hours") in (None, ""):
            errors.append(FieldError(f"interim_hours[{index}].hours", "Heures du mois obligatoires (0 si aucune)."))
        interim.append((str(row["month"]), value if value is not None else Decimal(0)))
    for flag in ("qualifying", "micro_entrepreneur"):
        if data.get(flag) is not None and not isinstance(data.get(flag), bool):
            errors.append(FieldError(flag, "Vrai ou faux attendu (true/false)."))
    parameters = protocol_parameters(data.get("protocol"))
    if parameters is None:
        errors.append(FieldError("protocol", f"Protocole inconnu : « {data.get('protocol')} »."))
    if errors:
        raise InvalidInput(errors)
    situation = Situation(
        kind=kind, start_date=start, as_of=as_of, end_date=end, contract_subtype=data.get("contract_subtype") or "common",
        hours_per_month=hours, interim_hours=tuple(interim), qualifying=data.get("qualifying"),
        micro_entrepreneur=bool(data.get("micro_entrepreneur")), monthly_income_eur=income)
    return situation, parameters


def classify(data) -> dict:
    """The classification of one situation, as the CLI and the API answer it."""
    situation, parameters = parse_situation(data)
    try:
        return classify_exit(situation, parameters, monthly_smic_on=monthly_smic_on).as_dict()
    except SituationError as exc:
        raise InvalidInput.single(exc.field, exc.message) from exc


def load_reference_protocols(*, path=REFERENCE_FILE) -> int:
    """The seed protocols with their objectives (idempotent, atomic)."""
    from levier.territories.models import Territory

    from .models import Objective, Protocol

    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InvalidInput.single("fichier", f"Fichier des protocoles illisible : {exc}") from exc
    with transaction.atomic():
        for index, row in enumerate(data["protocols"]):
            kind, code = row["territory"]
            territory = Territory.objects.filter(kind=kind, code=code).first()
            if territory is None:
                raise InvalidInput.single(f"protocols[{index}].territory", f"Territoire inconnu : {kind} {code}.")
            previous = Protocol.objects.filter(slug=row.get("previous")).first() if row.get("previous") else None
            protocol, _ = Protocol.objects.update_or_create(slug=row["slug"], defaults={
                "name": row["name"], "territory": territory, "starts_on": date.fromisoformat(row["starts_on"]),
                "ends_on": date.fromisoformat(row["ends_on"]), "previous": previous, "nomenclature": row["nomenclature"],
                "fse_period": row["fse_period"], "retention": row["retention"], "retention_years": row["retention_years"],
                "provenance": data["source"]})
            keys = []
            for position, objective in enumerate(row["objectives"]):
                keys.append(objective["key"])
                Objective.objects.update_or_create(protocol=protocol, key=objective["key"], defaults={
                    "label": objective["label"], "target": objective.get("target"), "position": position,
                    "rate": Decimal(objective["rate"]) if objective.get("rate") else None})
            protocol.objectives.exclude(key__in=keys).delete()
    return len(data["protocols"])
