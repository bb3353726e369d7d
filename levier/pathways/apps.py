from django.apps import AppConfig


class PathwaysConfig(AppConfig):
    name = "levier.pathways"
    label = "pathways"
    verbose_name = "Parcours PLIE"

    def ready(self):
        from django.contrib.auth.signals import user_logged_out

        from . import audit  # noqa: F401  (registers models with the audit trail)
        from .held_imports import release_on_logout

        user_logged_out.connect(release_on_logout, dispatch_uid="pathways-held-import-logout")
