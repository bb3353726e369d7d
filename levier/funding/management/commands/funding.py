import json
import sys
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from levier.core.commands import DomainCommand, date_option

from ... import copil
from ...copil_report import build_report



class Command(DomainCommand):
    help = "Fonds, conventions de revitalisation, engagements et rapport du comité de pilotage."
    actions = {"copil-report": "handle_copil_report", "load-demo": "handle_load_demo"}
    action_help = {
        "copil-report": "Rapport du Copil (JSON sur la sortie standard, PDF ou XLSX dans --output ou sur la sortie standard).",
        "load-demo": "Charge les enregistrements de démonstration du Copil des Bouches-du-Rhône du 12 avril 2023.",
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
