import json
import sys
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from levier.core.commands import DomainCommand, date_option
from levier.core.errors import InvalidInput

from ... import services



def _protocol(slug: str):
    from ...models import Protocol

    protocol = Protocol.objects.filter(slug=slug).first()
    if protocol is None:
        raise InvalidInput.single("protocol", f"Protocole inconnu : « {slug} » (voir `levier pathways load-reference`).")
    return protocol


def _account(email: str | None):
    if not email:
        return None
    from levier.accounts.models import User

    account = User.objects.filter(email__iexact=email).first()
    if account is None:
        raise InvalidInput.single("user", f"Compte inconnu : {email}.")
    return account


class Progress:
    """A progress bar on a terminal; nothing when the output is redirected."""

    def __init__(self, stream):
        self.stream, self.enabled = stream, stream.isatty()

    def __call__(self, done: int, total: int) -> None:
        if self.enabled:
            width, total = 30, max(total, 1)
            filled = min(width, width * done // total)
            self.stream.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} lignes")
            self.stream.flush()

    def close(self) -> None:
        if self.enabled:
            self.stream.write("\n")


class Command(DomainCommand):
    help = "Parcours PLIE : protocoles, import, rapport, sorties, conservation des données."
    actions = {"classify-exit": "handle_classify", "load-reference": "handle_load", "import": "handle_import", "fse-indicators": "handle_fse",
               "export": "handle_export", "report": "handle_report", "carry-over": "handle_carry_over",
               "anonymise": "handle_anonymise", "seed-file": "handle_seed_file", "load-demo": "handle_load_demo"}
    action_help = {
        "classify-exit": "Classe une situation de sortie (fichier JSON, ou - pour l'entrée standard) ; JSON sur la sortie standard.",
        "load-reference": "Charge les protocoles du PLIE du Pays d'Aix (2013-2017, 2018-2022) et leurs objectifs.",
        "import": "Importe un fichier CSV de participants dans un protocole (tout ou rien ; --dry-run vérifie sans écrire).",
        "fse-indicators": "Indicateurs communs FSE d'un protocole (JSON sur la sortie standard).",
        "export": "Exporte les participants d'un protocole en CSV (pseudonymisé sauf --names).",
        "report": "Tableau de bord d'un protocole (JSON sur la sortie standard, PDF ou XLSX dans --output).",
        "carry-over": "Reporte les participants encore en parcours sur le protocole suivant.",
        "anonymise": "Anonymise les personnes dont la durée de conservation est échue à la date donnée.",
        "seed-file": "Écrit le fichier de participants construit pour reproduire le bilan 2013-2017 (seed 002).",
        "load-demo": "Charge les structures, référents et participants de démonstration du PLIE du Pays d'Aix.",
    }

    def add_action_arguments(self, name, parser):
        if name == "classify-exit":
            parser.add_argument("case", help="fichier JSON de la situation, ou -")
        if name in ("import", "export", "report", "fse-indicators"):
            parser.add_argument("--protocol", required=True, help="protocole (slug)")
        if name in ("import", "carry-over"):
            parser.add_argument("--user", help="adresse du compte au nom duquel agir (journal d'audit)")
        if name == "import":
            parser.add_argument("file", help="fichier CSV")
            parser.add_argument("--dry-run", action="store_true", help="vérifie tout, n'écrit rien")
        if name == "export":
            parser.add_argument("--names", action="store_true", help="avec les noms (coordinateur, avec --user)")
            parser.add_argument("--user", help="adresse du compte au nom duquel exporter")
            parser.add_argument("--output", help="fichier (sinon la sortie standard)")
        if name in ("report", "fse-indicators"):
            parser.add_argument("--as-of", dest="as_of", help="date de situation (AAAA-MM-JJ ; aujourd'hui par défaut)")
        if name == "report":
            parser.add_argument("--format", choices=["json", "pdf", "xlsx"], default="json")
            parser.add_argument("--output", help="fichier (PDF et XLSX : sinon la sortie standard)")
        if name == "carry-over":
            parser.add_argument("--from", dest="source", required=True)
            parser.add_argument("--to", dest="target", required=True)
        if name == "anonymise":
            parser.add_argument("--as-of", dest="as_of", required=True, help="date (AAAA-MM-JJ)")
            parser.add_argument("--dry-run", action="store_true")
        if name == "seed-file":
            parser.add_argument("output", help="fichier CSV à écrire")

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

    def handle_import(self, *, protocol: str, file: str, dry_run: bool = False, user=None, **_):
        from ...imports import import_pathways

        path = Path(file)
        if not path.is_file():
            raise InvalidInput.single("file", f"Fichier introuvable : {file}.")
        progress = Progress(sys.stderr)
        try:
            result = import_pathways(protocol=_protocol(protocol), path=path, dry_run=dry_run, progress=progress,
                                     by=_account(user))
        finally:
            progress.close()
        for line in result.attached:
            self.stdout.write(line)
        verb = "à créer" if dry_run else "créés"
        self.stdout.write(f"{result.rows} lignes : {result.created} parcours {verb}, {result.updated} mis à jour"
                          + (" (vérification seule, rien n'est écrit)." if dry_run else "."))

    def handle_export(self, *, protocol: str, names: bool = False, user: str | None = None, output=None, **_):
        from ...exports import export_csv

        lines = export_csv(protocol=_protocol(protocol), user=_account(user), names=names)
        first = next(lines)  # checks the right to export before any file is written
        target = Path(output).open("w", encoding="utf-8", newline="") if output else self.stdout
        try:
            target.write(first)
            for line in lines:
                target.write(line)
        finally:
            if output:
                target.close()

    def handle_report(self, *, protocol: str, as_of=None, format="json", output=None, **_):
        from ...report import protocol_report

        figures = protocol_report(_protocol(protocol), as_of=date_option(as_of, "as_of") or timezone.localdate())
        if format == "json":
            text = json.dumps(figures, ensure_ascii=False, indent=2)
            if output:
                Path(output).write_text(text, encoding="utf-8")
            else:
                self.stdout.write(text)
            return
        from levier.reporting.render import render_pdf, render_xlsx

        from ...report_document import build_report

        report = build_report(figures, generated_on=timezone.localdate())
        content = render_pdf(report, brand=settings.LEVIER_STATE_BRAND) if format == "pdf" else render_xlsx(report)
        if output:
            Path(output).write_bytes(content)
        else:
            sys.stdout.buffer.write(content)

    def handle_fse(self, *, protocol: str, as_of=None, **_):
        from ...fse import indicators

        figures = indicators(_protocol(protocol), as_of=date_option(as_of, "as_of") or timezone.localdate())
        self.stdout.write(json.dumps(figures, ensure_ascii=False, indent=2))

    def handle_carry_over(self, *, source: str, target: str, user=None, **_):
        from ...participants import carry_over

        count = carry_over(from_protocol=_protocol(source), to_protocol=_protocol(target), by=_account(user))
        self.stdout.write(f"{count} participants reportés sur {target}.")

    def handle_anonymise(self, *, as_of: str, dry_run: bool = False, **_):
        from ...retention import anonymise_expired

        count = anonymise_expired(as_of=date_option(as_of, "as_of"), dry_run=dry_run)
        self.stdout.write(f"{count} personnes {'à anonymiser' if dry_run else 'anonymisées'}.")

    def handle_seed_file(self, *, output: str, **_):
        from ...seed_file import write_seed_file

        self.stdout.write(f"{write_seed_file(Path(output))} lignes écrites dans {output}.")

    def handle_load_demo(self, **_):
        from ...demo import load_demo

        self.stdout.write(load_demo())
