from datetime import date
from pathlib import Path

from levier.core.commands import DomainCommand
from levier.core.errors import InvalidInput
from levier.core.formats import format_date, format_euros

from ... import services


class Command(DomainCommand):
    help = "Tables de référence partagées (SMIC)."
    actions = {"load-reference": "handle_load", "build-smic": "handle_build", "smic": "handle_smic"}
    action_help = {
        "load-reference": "Charge la table du SMIC livrée (idempotent).",
        "build-smic": "Reconstruit la table depuis les paramètres d'openfisca-france.",
        "smic": "Affiche le SMIC brut mensuel en vigueur à une date.",
    }

    def add_action_arguments(self, name, parser):
        if name == "build-smic":
            parser.add_argument("--parameters", type=Path, required=True, help="dossier openfisca_france/parameters")
            parser.add_argument("--version", default="")
        elif name == "smic":
            parser.add_argument("date", help="AAAA-MM-JJ")

    def handle_load(self, **_):
        count = services.load_smic()
        self.stdout.write(f"{count} valeurs du SMIC chargées.")

    def handle_build(self, parameters: Path, version: str, **_):
        if not parameters.is_dir():
            raise InvalidInput.single("parameters", f"Dossier introuvable : {parameters}.")
        count = services.build_smic_file(parameters_dir=parameters, version=version)
        self.stdout.write(f"{count} valeurs écrites dans {services.SMIC_FILE}.")

    def handle_smic(self, date: str, **_):
        try:
            on = _parse(date)
        except ValueError as exc:
            raise InvalidInput.single("date", "Date attendue au format AAAA-MM-JJ.") from exc
        self.stdout.write(f"SMIC brut mensuel (35 h) au {format_date(on)} : {format_euros(services.monthly_smic_on(on))}")


def _parse(value: str) -> date:
    return date.fromisoformat(value)
