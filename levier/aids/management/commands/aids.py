import json
import sys
from pathlib import Path

from levier.core.commands import DomainCommand
from levier.core.errors import InvalidInput

from ... import services


class Command(DomainCommand):
    help = "Catalogue des aides : dispositifs de référence, simulateur."
    actions = {"load-reference": "handle_load", "simulate": "handle_simulate"}
    action_help = {
        "load-reference": "Charge les dispositifs nommés par les seeds (idempotent).",
        "simulate": "Évalue un profil (fichier JSON, ou - pour l'entrée standard) ; résultat JSON sur la sortie standard.",
    }

    def add_action_arguments(self, name, parser):
        if name == "simulate":
            parser.add_argument("profile", help="fichier JSON du profil, ou -")

    def handle_load(self, **_):
        count = services.load_reference_schemes()
        self.stdout.write(f"{count} dispositifs de référence chargés.")

    def handle_simulate(self, profile: str, **_):
        try:
            text = sys.stdin.read() if profile == "-" else Path(profile).read_text(encoding="utf-8")
        except OSError as exc:
            raise InvalidInput.single("profile", f"Fichier illisible : {exc.strerror}.") from exc
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise InvalidInput.single("profile", f"JSON invalide : {exc}.") from exc
        self.stdout.write(json.dumps(services.simulate(data), ensure_ascii=False, indent=2))
