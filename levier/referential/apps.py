from django.apps import AppConfig


class ReferentialConfig(AppConfig):
    name = "levier.referential"
    label = "referential"
    verbose_name = "Tables de référence"
