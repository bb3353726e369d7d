from django.apps import AppConfig


class PathwaysConfig(AppConfig):
    name = "levier.pathways"
    label = "pathways"
    verbose_name = "Parcours PLIE"
