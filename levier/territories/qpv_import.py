"""Import of the official list of QPV (ANCT / data.gouv.fr CSV).

The official files name their columns differently from one generation to the
next; the importer accepts the known spellings. One QPV may span several
communes: either one row per (QPV, commune), or commune codes joined with
',', ';' or '|' in one cell. Atomic: any row error stops the import, and
every row error is listed.
"""

import csv
import io
import re

from django.db import transaction

from levier.core.errors import FieldError, InvalidInput

from .enums import COMMUNE_LEVEL, QpvGeneration
from .models import Qpv, Territory

CODE_COLUMNS = ("code_qp", "code_qpv", "qp", "code_quartier", "cod_qp")
NAME_COLUMNS = ("lib_qp", "nom_qp", "nom_qpv", "libelle_qp", "lib_qpv", "nom")
COMMUNE_COLUMNS = ("insee_com", "code_insee", "depcom", "codgeo", "insee_com_list", "codes_insee", "com")
QPV_CODE = re.compile(r"^QN?\d{2,3}[0-9A-Z]\d{2,4}$|^QP\d{3}\d{3}$")


def _pick(header: list[str], candidates) -> str | None:
    lowered = {h.strip().lower(): h for h in header}
    return next((lowered[c] for c in candidates if c in lowered), None)


def import_qpv_csv(*, content: bytes, generation: int, source: str) -> int:
    if generation not in QpvGeneration.values:
        raise InvalidInput.single("generation", "Génération de QPV inconnue : 2015 ou 2024 attendue.")
    text = content.decode("utf-8-sig", errors="strict") if isinstance(content, bytes) else content
    dialect = csv.Sniffer().sniff(text[:4096], delimiters=";,\t") if text.strip() else csv.excel
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    header = reader.fieldnames or []
    columns = {
        "code": _pick(header, CODE_COLUMNS),
        "nom": _pick(header, NAME_COLUMNS),
        "communes": _pick(header, COMMUNE_COLUMNS),
    }
    missing = [name for name, column in columns.items() if column is None]
    if missing:
        raise InvalidInput(
            [FieldError(f"colonnes.{name}", f"Colonne introuvable (en-tête : {', '.join(header)}).") for name in missing]
        )
    communes = dict(Territory.objects.filter(kind__in=COMMUNE_LEVEL).values_list("code", "id"))
    errors: list[FieldError] = []
    qpvs: dict[str, dict] = {}
    for line, row in enumerate(reader, start=2):
        code = (row[columns["code"]] or "").strip().upper()
        name = (row[columns["nom"]] or "").strip()
        if not code:
            errors.append(FieldError(f"ligne {line}.code", "Code QPV manquant."))
            continue
        if not name:
            errors.append(FieldError(f"ligne {line}.nom", "Nom du QPV manquant."))
        entry = qpvs.setdefault(code, {"name": name, "communes": set()})
        for insee in re.split(r"[,;|\s]+", (row[columns["communes"]] or "").strip()):
            if not insee:
                continue
            if insee.upper() not in communes:
                errors.append(FieldError(f"ligne {line}.communes", f"Code INSEE inconnu : {insee}."))
            else:
                entry["communes"].add(communes[insee.upper()])
        if not entry["communes"] and not any(e.field == f"ligne {line}.communes" for e in errors):
            errors.append(FieldError(f"ligne {line}.communes", "Aucune commune pour ce QPV."))
    if not qpvs and not errors:
        errors.append(FieldError("fichier", "Le fichier ne contient aucun QPV."))
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        for code, entry in qpvs.items():
            qpv, _ = Qpv.objects.update_or_create(
                code=code,
                defaults={"name": entry["name"], "generation": generation, "verified": True, "source": source[:300]},
            )
            qpv.communes.set(entry["communes"])
    return len(qpvs)
