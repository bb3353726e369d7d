from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "levier.demo"
    label = "demo"
    verbose_name = "Démonstration"
