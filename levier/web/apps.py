from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "levier.web"
    label = "web"
    verbose_name = "Interface web"
