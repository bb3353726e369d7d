import json
import sys
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from levier.core.commands import DomainCommand, date_option
from levier.core.errors import InvalidInput

from ... import calculators, copil
from ...copil_report import build_report

RULES = {
    "obligation": ("Obligation de revitalisation d'une entreprise : classification, SMIC, montant, échéance, Trésor "
                   "(Code du travail L1233-84 à L1233-90-1, L1237-19-9 à L1237-19-14)."),
    "loan": "Échéancier d'un prêt, taux de référence et d'actualisation, équivalent-subvention brut (communication 2008/C 14/02).",
    "de-minimis": "Plafond de minimis d'une nouvelle aide (règlements 1407/2013, 2023/2831 et suivants).",
}


class Command(DomainCommand):
    help = "Fonds, conventions de revitalisation, engagements, règles de calcul et rapport du comité de pilotage."
    actions = {"copil-report": "handle_copil_report", "load-demo": "handle_load_demo",
               "load-reference": "handle_load_reference", "obligation": "handle_obligation", "loan": "handle_loan",
               "de-minimis": "handle_de_minimis"}
    action_help = {
        "copil-report": "Rapport du Copil (JSON sur la sortie standard, PDF ou XLSX dans --output ou sur la sortie standard).",
        "load-demo": "Charge les enregistrements de démonstration du Copil des Bouches-du-Rhône du 12 avril 2023.",
        "load-reference": "Charge les taux de base de la Commission pour la France, avec leur source (idempotent).",
        **{name: f"{text} Fichier JSON (ou - pour l'entrée standard) ; JSON sur la sortie standard."
           for name, text in RULES.items()},
    }

    def add_action_arguments(self, name, parser):
        if name == "copil-report":
            group = parser.add_mutually_exclusive_group(required=True)
            group.add_argument("--fund", help="slug du fonds")
            group.add_argument("--territory", help="code du territoire (« 13 », « 200054807 », ou « type:code »)")
            group.add_argument("--financer", help="SIREN du financeur (montants attribués au prorata)")
            group.add_argument("--all", action="store_true", help="tous les fonds")
            parser.add_argument("--from", dest="start", help="début de la période (AAAA-MM-JJ)")
            parser.add_argument("--to", dest="end", help="fin de la période (AAAA-MM-JJ)")
            parser.add_argument("--format", choices=["json", "pdf", "xlsx"], default="json")
            parser.add_argument("--output", help="fichier à écrire (par défaut : la sortie standard)")
        if name in RULES:
            parser.add_argument("case", help="fichier JSON, ou - pour l'entrée standard")

    def handle_copil_report(self, *, fund=None, territory=None, financer=None, start=None, end=None, format="json",
                            output=None, **_):
        scope = copil.Scope(fund=fund or "", territory=territory or "", financer=financer or "",
                            start=date_option(start, "from"), end=date_option(end, "to"))
        figures = copil.copil_figures(scope)
        if format == "json":
            content = (json.dumps(copil.as_json(figures), ensure_ascii=False, indent=2) + "\n").encode()
        else:
            from levier.reporting.render import render_pdf, render_xlsx

            report = build_report(figures, generated_on=timezone.localdate())
            content = render_pdf(report, brand=settings.LEVIER_STATE_BRAND) if format == "pdf" else render_xlsx(report)
        if output:
            Path(output).write_bytes(content)
            self.stderr.write(f"Rapport écrit dans {output}.")
        else:
            self.stdout.flush()
            sys.stdout.buffer.write(content)
            sys.stdout.flush()

    def handle_load_demo(self, **_):
        from ...demo import load_copil_demo

        summary = load_copil_demo()
        self.stdout.write(f"{summary['funds']} fonds, {summary['commitments']} engagements de démonstration chargés.")

    def handle_load_reference(self, **_):
        from ...reference import load_base_rates

        self.stdout.write(f"{load_base_rates()} taux de base de la Commission chargés.")

    def _answer(self, case: str, compute) -> None:
        self.stdout.write(json.dumps(compute(read_json(case)), ensure_ascii=False, indent=2))

    def handle_obligation(self, case: str, **_):
        self._answer(case, lambda data: calculators.obligation(data, today=timezone.localdate()))

    def handle_loan(self, case: str, **_):
        self._answer(case, calculators.loan)

    def handle_de_minimis(self, case: str, **_):
        self._answer(case, calculators.de_minimis_check)


def read_json(case: str):
    """The JSON of a file, or of standard input for `-`; an unreadable file or JSON is bad input."""
    try:
        text = sys.stdin.read() if case == "-" else Path(case).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InvalidInput.single("case", f"Fichier introuvable : {case}.") from None
    except UnicodeDecodeError:
        raise InvalidInput.single("case", "Fichier illisible : le JSON est attendu en UTF-8.") from None
    except OSError:
        raise InvalidInput.single("case", f"Fichier illisible : {case}.") from None
    try:
        return json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as exc:
        raise InvalidInput.single("case", f"JSON invalide (ligne {exc.lineno}, colonne {exc.colno}).") from None
