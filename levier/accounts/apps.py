from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "levier.accounts"
    label = "accounts"
    verbose_name = "Comptes et habilitations"

    def ready(self):
        from . import audit  # noqa: F401  (registers models with the audit trail)
