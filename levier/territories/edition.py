"""The shipped edition of the administrative division: build it from the
Etalab `@etalab/decoupage-administratif` npm package and read it back.

The committed file is a gzip'd JSON with short rows, built by
`levier territories build-data --from <package dir or .tgz>`.
"""

import gzip
import io
import json
import tarfile
from dataclasses import dataclass
from pathlib import Path

from levier.core.errors import FieldError, InvalidInput

from .rules import is_insee_code

DATA_DIR = Path(__file__).parent / "data"
EDITION_FILE = DATA_DIR / "decoupage-administratif.json.gz"
FILES = ("regions", "departements", "communes", "epci", "ept")
# Overseas collectivities (COM) are outside the edition's published count of
# communes (métropole + DROM) and outside the programmes Levier runs.
KEPT_ZONES = ("metro", "drom")


@dataclass(frozen=True)
class Edition:
    meta: dict
    regions: list
    departements: list
    communes: list
    arrondissements: list
    epci: list
    ept: list


def _read_package(source: Path) -> dict[str, list]:
    if source.is_file():
        raw = {}
        with tarfile.open(source) as archive:
            for name in FILES:
                member = archive.extractfile(f"package/data/{name}.json")
                raw[name] = json.load(member)
            raw["package"] = json.load(archive.extractfile("package/package.json"))
        return raw
    data_dir = source / "data"
    raw = {name: json.loads((data_dir / f"{name}.json").read_text(encoding="utf-8")) for name in FILES}
    raw["package"] = json.loads((source / "package.json").read_text(encoding="utf-8"))
    return raw


def build_edition(source: Path, edition: str, effective_date: str) -> dict:
    """Compact the package's JSON files into the shipped structure."""
    raw = _read_package(source)
    communes, arrondissements = [], []
    for row in raw["communes"]:
        if row["type"] == "commune-actuelle" and row.get("zone") in KEPT_ZONES:
            communes.append(
                [row["code"], row["nom"], row["departement"], row["zone"], row.get("population"),
                 row.get("codesPostaux", [])]
            )
        elif row["type"] == "arrondissement-municipal":
            arrondissements.append(
                [row["code"], row["nom"], row["commune"], row.get("population"), row.get("codesPostaux", [])]
            )
    kept = {c[0] for c in communes}
    return {
        "meta": {
            "source": f"{raw['package']['name']}@{raw['package']['version']} (registre npm)",
            "edition": edition,
            "effective_date": effective_date,
            "licence": "Licence Ouverte / Open Licence 2.0 (Etalab) pour les données ; code du paquet sous MIT",
            "upstream": "INSEE (COG), DGCL (EPCI), INSEE (EPT), La Poste (codes postaux)",
        },
        "regions": [[r["code"], r["nom"], r.get("zone", "")] for r in raw["regions"] if r.get("zone") in KEPT_ZONES],
        "departements": [
            [d["code"], d["nom"], d["region"], d.get("zone", "")]
            for d in raw["departements"]
            if d.get("zone") in KEPT_ZONES
        ],
        "communes": communes,
        "arrondissements": arrondissements,
        "epci": [
            [e["code"], e["nom"], e["type"], [m["code"] for m in e["membres"] if m["code"] in kept]]
            for e in raw["epci"]
        ],
        "ept": [[e["code"], e["nom"], [m["code"] for m in e["membres"] if m["code"] in kept]] for e in raw["ept"]],
    }


def write_edition(data: dict, target: Path = EDITION_FILE) -> None:
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    with target.open("wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as out:
        out.write(payload)


def read_edition(path: Path = EDITION_FILE) -> Edition:
    """Read and validate the edition file; a malformed file raises InvalidInput listing every error."""
    try:
        with gzip.open(path, "rb") as handle:
            data = json.load(io.TextIOWrapper(handle, encoding="utf-8"))
    except (OSError, EOFError, ValueError) as exc:
        raise InvalidInput.single("fichier", f"Fichier de référentiel illisible ({path.name}) : {exc}") from exc
    errors = validate_edition(data)
    if errors:
        raise InvalidInput(errors)
    return Edition(
        meta=data["meta"],
        regions=data["regions"],
        departements=data["departements"],
        communes=data["communes"],
        arrondissements=data["arrondissements"],
        epci=data["epci"],
        ept=data["ept"],
    )


def validate_edition(data) -> list[FieldError]:
    if not isinstance(data, dict):
        return [FieldError("fichier", "Le fichier doit contenir un objet JSON.")]
    errors: list[FieldError] = []
    for key in ("meta", *FILES, "arrondissements"):
        if key not in data:
            errors.append(FieldError(f"fichier.{key}", "Section manquante."))
    if errors:
        return errors
    for key in ("edition", "effective_date", "source"):
        if not data["meta"].get(key):
            errors.append(FieldError(f"meta.{key}", "Valeur obligatoire manquante."))
    departements = {row[0] for row in data["departements"] if isinstance(row, list) and row}
    communes = set()
    for i, row in enumerate(data["communes"]):
        field = f"communes[{i}]"
        if not isinstance(row, list) or len(row) != 6:
            errors.append(FieldError(field, "Ligne mal formée : 6 colonnes attendues."))
            continue
        code, name, departement, _zone, population, postcodes = row
        if not is_insee_code(str(code)):
            errors.append(FieldError(f"{field}.code", f"Code INSEE invalide : {code!r}."))
        if not name:
            errors.append(FieldError(f"{field}.nom", "Nom manquant."))
        if departement not in departements:
            errors.append(FieldError(f"{field}.departement", f"Département inconnu : {departement!r}."))
        if population is not None and (not isinstance(population, int) or population < 0):
            errors.append(FieldError(f"{field}.population", f"Population invalide : {population!r}."))
        if not isinstance(postcodes, list):
            errors.append(FieldError(f"{field}.codes_postaux", "Liste de codes postaux attendue."))
        communes.add(code)
    for i, row in enumerate(data["arrondissements"]):
        if not isinstance(row, list) or len(row) != 5 or row[2] not in communes:
            errors.append(FieldError(f"arrondissements[{i}]", "Ligne mal formée ou commune parente inconnue."))
    for key in ("epci", "ept"):
        for i, row in enumerate(data[key]):
            members = row[-1] if isinstance(row, list) and row else None
            if not isinstance(members, list):
                errors.append(FieldError(f"{key}[{i}]", "Ligne mal formée : liste des membres attendue."))
                continue
            unknown = [m for m in members if m not in communes]
            if unknown:
                errors.append(FieldError(f"{key}[{i}].membres", f"Communes inconnues : {', '.join(unknown[:5])}."))
    return errors
