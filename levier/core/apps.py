from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "levier.core"
    label = "core"
    verbose_name = "Socle"
