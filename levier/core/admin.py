"""What the Django admin shares across domains."""

from django.contrib import admin, messages
from django.db import transaction

from . import workflow
from .audit import acting_as
from .errors import InvalidInput


class WorkflowAdminMixin:
    """A record with a declared workflow: its status is read-only here (it moves through the services
    or the admin actions below, by `workflow.move`); a record added here starts in its state with its
    first log entry (`workflow.enter`)."""

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), workflow.of(self.model).field]

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        with transaction.atomic(), acting_as(request.user):
            workflow.enter(obj, by=request.user, action="Création dans l'administration")
        return None


def move_action(target: str, label: str, action: str):
    """An admin action moving the selected records to `target` through the workflow, each refusal shown."""

    @admin.action(description=label)
    def act(modeladmin, request, queryset):
        moved = 0
        for pk in queryset.values_list("pk", flat=True):
            try:
                with transaction.atomic(), acting_as(request.user):
                    record = modeladmin.model.objects.select_for_update().get(pk=pk)
                    workflow.move(record, target, by=request.user, action=action)
                moved += 1
            except InvalidInput as exc:
                modeladmin.message_user(request, f"{record} : {exc.errors[0].message}", messages.ERROR)
        if moved:
            modeladmin.message_user(request, f"{moved} enregistrement(s) : {action.lower()}.", messages.SUCCESS)

    act.__name__ = f"move_to_{target}"
    return act
