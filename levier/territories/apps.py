from django.apps import AppConfig


class TerritoriesConfig(AppConfig):
    name = "levier.territories"
    label = "territories"
    verbose_name = "Territoires"
