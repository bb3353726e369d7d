from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "levier.api"
    label = "api"
    verbose_name = "API"
