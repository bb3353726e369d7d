import json
import sys
from pathlib import Path

from levier.core.commands import DomainCommand
from levier.core.errors import InvalidInput

from ... import services


class Command(DomainCommand):
    help = "Parcours PLIE : classement des sorties."
    actions = {"classify-exit": "handle_classify", "load-reference": "handle_load"}
    action_help = {"classify-exit": "Classe une situation de sortie (fichier JSON, ou - pour l'entrée standard) ; JSON sur la sortie standard.",
                   "load-reference": "Charge les protocoles du PLIE du Pays d'Aix (2013-2017, 2018-2022) et leurs objectifs."}

    def add_action_arguments(self, name, parser):
        if name == "classify-exit":
            parser.add_argument("case", help="fichier JSON de la situation, ou -")

    def handle_load(self, **_):
        self.stdout.write(f"{services.load_reference_protocols()} protocoles chargés.")

    def handle_classify(self, case: str, **_):
        try:
            text = sys.stdin.read() if case == "-" else Path(case).read_text(encoding="utf-8")
        except OSError as exc:
            raise InvalidInput.single("case", f"Fichier illisible : {exc.strerror}.") from exc
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise InvalidInput.single("case", f"JSON invalide : {exc}.") from exc
        self.stdout.write(json.dumps(services.classify(data), ensure_ascii=False, indent=2))
