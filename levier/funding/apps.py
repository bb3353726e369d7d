from django.apps import AppConfig


class FundingConfig(AppConfig):
    name = "levier.funding"
    label = "funding"
    verbose_name = "Fonds, conventions et engagements"

    def ready(self):
        from levier.aids.applications import application_submitted

        from . import audit  # noqa: F401  (registers models with the audit trail)

        from .instruction import open_instruction

        def on_submitted(sender, application, paper=False, **kwargs):
            open_instruction(application, paper=paper)

        application_submitted.connect(on_submitted, dispatch_uid="funding-open-instruction", weak=False)
