from django.apps import AppConfig


class AidsConfig(AppConfig):
    name = "levier.aids"
    label = "aids"
    verbose_name = "Catalogue des aides"
