from django.apps import AppConfig


class PathwaysConfig(AppConfig):
    name = "levier.pathways"
    label = "pathways"
    verbose_name = "Parcours PLIE"

    def ready(self):
        from . import audit  # noqa: F401  (registers models with the audit trail)
