from django.apps import AppConfig


class AidsConfig(AppConfig):
    name = "levier.aids"
    label = "aids"
    verbose_name = "Catalogue des aides"

    def ready(self):
        from . import audit  # noqa: F401  (registers models with the audit trail)
