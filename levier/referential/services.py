"""Reference tables shared by all domains (SMIC)."""

import json
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.db import transaction

from levier.core.errors import FieldError, InvalidInput

from .models import SmicRate
from .rules import rate_in_force

SMIC_FILE = Path(__file__).parent / "data" / "smic.json"


def load_smic(*, path: Path = SMIC_FILE) -> int:
    """Load the SMIC table (idempotent, atomic)."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        rows = data["rates"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise InvalidInput.single("fichier", f"Table du SMIC illisible : {exc}") from exc
    errors, parsed = [], []
    for i, row in enumerate(rows):
        try:
            effective = date.fromisoformat(row["effective_date"])
            monthly = Decimal(row["monthly_gross"])
            hourly = Decimal(row["hourly_gross"]) if row.get("hourly_gross") else None
            if monthly <= 0:
                raise InvalidOperation
        except (KeyError, ValueError, TypeError, InvalidOperation):
            errors.append(FieldError(f"rates[{i}]", "Ligne invalide : date d'effet ou montant incorrect."))
            continue
        parsed.append((effective, monthly, hourly, row.get("legal_text", "")))
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        for effective, monthly, hourly, legal_text in parsed:
            SmicRate.objects.update_or_create(
                effective_date=effective,
                defaults={
                    "monthly_gross": monthly, "hourly_gross": hourly, "legal_text": legal_text[:300],
                    "source": data.get("source", "")[:300],
                },
            )
    return len(parsed)


def monthly_smic_on(on: date) -> Decimal:
    """Monthly gross SMIC (35 h) in force on `on`."""
    value = rate_in_force(SmicRate.objects.values_list("effective_date", "monthly_gross"), on)
    if value is None:
        raise InvalidInput.single("date", f"Aucune valeur du SMIC connue au {on:%d/%m/%Y}.")
    return value


def build_smic_file(*, parameters_dir: Path, target: Path = SMIC_FILE, version: str = "") -> int:
    """Rebuild data/smic.json from openfisca-france's parameter files
    (marche_travail/salaire_minimum/smic/smic_b_mensuel.yaml and smic_b_horaire.yaml)."""
    import yaml

    smic_dir = parameters_dir / "marche_travail" / "salaire_minimum" / "smic"
    monthly = yaml.safe_load((smic_dir / "smic_b_mensuel.yaml").read_text(encoding="utf-8"))
    hourly = yaml.safe_load((smic_dir / "smic_b_horaire.yaml").read_text(encoding="utf-8"))
    hourly_values = {str(k): v["value"] for k, v in hourly["values"].items()}
    references = monthly.get("metadata", {}).get("reference", {})
    rows = []
    for key, value in monthly["values"].items():
        effective = str(key)
        if effective < "2002-01-01":  # the 35-hour monthly SMIC starts in 2002
            continue
        reference = references.get(key) or references.get(effective) or {}
        if isinstance(reference, list):
            reference = reference[0] if reference else {}
        hour = hourly_values.get(effective)
        rows.append({
            "effective_date": effective,
            "monthly_gross": str(Decimal(str(value["value"])).quantize(Decimal("0.01"))),
            "hourly_gross": str(Decimal(str(hour)).quantize(Decimal("0.01"))) if hour is not None else None,
            "legal_text": reference.get("title", ""),
        })
    payload = {
        "source": f"openfisca-france {version} (PyPI), paramètres marche_travail.salaire_minimum.smic".strip(),
        "licence": "AGPL-3.0 (code OpenFisca) ; valeurs issues des textes publiés au Journal officiel",
        "basis": "SMIC brut mensuel pour 35 heures hebdomadaires (151,67 h)",
        "rates": rows,
    }
    target.write_text(json.dumps(payload, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return len(rows)
