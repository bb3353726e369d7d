"""Reference data of the funds domain: the Commission's base rates for France, shipped with their sources."""

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

from django.db import transaction

from levier.core.errors import FieldError, InvalidInput
from levier.core.parsing import parse_decimal, parse_iso_date

from .models import BaseRate

BASE_RATES_FILE = Path(__file__).parent / "data" / "base-rates-fr.json"


def read_base_rates(path: Path = BASE_RATES_FILE) -> list[tuple[date, Decimal, str]]:
    """(effective date, rate as a yearly fraction, source) for each row; every bad row listed."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InvalidInput.single("fichier", f"Fichier des taux de base illisible : {exc}") from exc
    rows, errors = [], []
    for index, row in enumerate(data.get("rates", [])):
        try:
            day, percent = parse_iso_date(row["effective_from"]), parse_decimal(row["rate_percent"])
            source = str(row["source"]).strip()
            if not source:
                raise ValueError
        except (KeyError, TypeError, ValueError):
            errors.append(FieldError(f"rates[{index}]", "Ligne attendue : effective_from (AAAA-MM-JJ), rate_percent, source."))
            continue
        rows.append((day, percent / 100, source))
    if errors:
        raise InvalidInput(errors)
    return rows


def load_base_rates(path: Path = BASE_RATES_FILE) -> int:
    """Idempotent and atomic: each shipped date gets the file's rate and source; rates an administrator
    entered at other dates are kept."""
    rows = read_base_rates(path)
    with transaction.atomic():
        for day, rate, source in rows:
            BaseRate.objects.update_or_create(effective_from=day, defaults={"rate": rate, "source": source[:400]})
    return len(rows)
