from levier.accounts.enums import Role
from levier.core.commands import DomainCommand

from ... import services


class Command(DomainCommand):
    help = "Charge les référentiels puis les données de démonstration (idempotent, refusé en production)."

    def add_arguments(self, parser):
        pass

    def handle(self, *args, **options):
        self.run_safely(self.load)

    def load(self):
        services.refuse_in_production()
        services.load_references(stdout=self.stdout)
        credentials = services.load_demo_records()
        self.stdout.write("")
        self.stdout.write("Comptes de démonstration (un par rôle) :")
        for email, password, role, needs_otp in credentials:
            otp = f"  [double authentification : levier accounts otp-code {email}]" if needs_otp else ""
            self.stdout.write(f"  {Role(role).label:<40} {email:<45} {password}{otp}")
