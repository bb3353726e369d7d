from levier.core.commands import DomainCommand

from ... import services


class Command(DomainCommand):
    help = "Organisations : chargement des organisations de référence nommées par les seeds."
    actions = {"load-reference": "handle_load"}
    action_help = {"load-reference": "Charge les organisations de référence (idempotent)."}

    def handle_load(self, **_):
        count = services.load_reference_organisations()
        self.stdout.write(f"{count} organisations de référence chargées.")
