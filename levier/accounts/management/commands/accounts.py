from django.conf import settings
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from levier.core.commands import DomainCommand
from levier.core.errors import InvalidInput


class Command(DomainCommand):
    help = "Comptes : outils de démonstration et d'exploitation."
    actions = {"otp-code": "handle_otp_code"}
    action_help = {"otp-code": "Affiche le code de double authentification courant d'un compte de démonstration."}

    def add_action_arguments(self, name, parser):
        parser.add_argument("email")

    def handle_otp_code(self, email: str, **_):
        if settings.LEVIER_ENVIRONMENT == "production":
            raise InvalidInput.single("environnement", "Commande réservée au développement et à la démonstration.")
        device = TOTPDevice.objects.filter(user__email=email.lower(), confirmed=True).first()
        if device is None:
            raise InvalidInput.single("email", f"Aucun appareil de double authentification pour {email}.")
        code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
        self.stdout.write(f"{code:0{device.digits}d}")
