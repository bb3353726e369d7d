from datetime import date
from pathlib import Path

from levier.core.commands import DomainCommand
from levier.core.errors import InvalidInput

from ... import edition as edition_module
from ... import services
from ...qpv_import import import_qpv_csv


class Command(DomainCommand):
    help = "Référentiel des territoires : chargement, reconstruction, import des QPV, recherche."
    actions = {
        "load-reference": "handle_load_reference",
        "build-data": "handle_build_data",
        "import-qpv": "handle_import_qpv",
        "lookup": "handle_lookup",
        "load-project": "handle_load_project",
    }
    action_help = {
        "load-reference": "Charge l'édition livrée du découpage administratif (idempotent).",
        "build-data": "Reconstruit le fichier livré depuis le paquet npm @etalab/decoupage-administratif.",
        "import-qpv": "Importe la liste officielle des QPV (CSV de l'ANCT).",
        "lookup": "Cherche une commune par code INSEE, code postal ou nom.",
        "load-project": "Définit des territoires de projet (liste de communes datée) depuis un fichier JSON.",
    }

    def add_action_arguments(self, name, parser):
        if name == "load-reference":
            parser.add_argument("--file", type=Path, help="fichier d'édition (par défaut : celui livré)")
        elif name == "build-data":
            parser.add_argument("--from", dest="source", type=Path, required=True, help="dossier ou .tgz du paquet")
            parser.add_argument("--edition", required=True, help="millésime, ex. 2026")
            parser.add_argument("--effective-date", required=True, help="date d'effet, ex. 2026-01-01")
            parser.add_argument("--output", type=Path, default=edition_module.EDITION_FILE)
        elif name == "import-qpv":
            parser.add_argument("file", type=Path)
            parser.add_argument("--generation", type=int, required=True, choices=[2015, 2024])
        elif name == "load-project":
            parser.add_argument("file", type=Path)
        elif name == "lookup":
            parser.add_argument("text")
            parser.add_argument("--date", dest="on", default=None, help="date d'évaluation AAAA-MM-JJ")

    def handle_load_reference(self, file=None, **_):
        summary = services.load_reference(edition_path=file)
        for line in summary.lines():
            self.stdout.write(line)

    def handle_build_data(self, source, edition: str, effective_date: str, output: Path, **_):
        try:
            date.fromisoformat(effective_date)
        except ValueError as exc:
            raise InvalidInput.single("effective_date", "Date d'effet attendue au format AAAA-MM-JJ.") from exc
        if not source.exists():
            raise InvalidInput.single("from", f"Paquet introuvable : {source}.")
        data = edition_module.build_edition(source, edition, effective_date)
        errors = edition_module.validate_edition(data)
        if errors:
            raise InvalidInput(errors)
        edition_module.write_edition(data, output)
        self.stdout.write(f"{len(data['communes'])} communes écrites dans {output}.")

    def handle_import_qpv(self, file: Path, generation: int, **_):
        if not file.exists():
            raise InvalidInput.single("file", f"Fichier introuvable : {file}.")
        count = import_qpv_csv(content=file.read_bytes(), generation=generation, source=f"import {file.name}")
        self.stdout.write(f"{count} QPV importés (génération {generation}).")

    def handle_load_project(self, file: Path, **_):
        count = services.load_project_territories(path=file)
        self.stdout.write(f"{count} territoire(s) de projet enregistré(s).")

    def handle_lookup(self, text: str, on=None, **_):
        from levier.core.formats import format_date

        when = date.fromisoformat(on) if on else date.today()
        results = services.search(text, limit=10)
        if not results:
            raise InvalidInput.single("text", f"Aucun territoire trouvé pour « {text} ».")
        for territory in results:
            epci = services.epci_of(territory, when) if territory.kind in ("commune", "arrondissement") else None
            extra = f" — {epci.name}" if epci else ""
            self.stdout.write(f"{territory.get_kind_display()} {territory}{extra} (au {format_date(when)})")

