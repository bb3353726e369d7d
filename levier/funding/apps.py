from django.apps import AppConfig


class FundingConfig(AppConfig):
    name = "levier.funding"
    label = "funding"
    verbose_name = "Fonds, conventions et engagements"
