from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "levier.reporting"
    label = "reporting"
    verbose_name = "Rapports"
