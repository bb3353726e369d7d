"""Audit trail helpers over django-auditlog.

Writes (create, update, delete) of registered models are recorded by
auditlog's signals, with the actor set by its middleware (web) or by
`acting_as` (commands and services). Reads of personal data are recorded
with `log_read`. `history_for` returns a record's entries with the values of
fields the viewer may not see masked.
"""

from contextlib import contextmanager
from dataclasses import dataclass

from auditlog.context import auditlog_value, set_actor
from auditlog.models import LogEntry
from auditlog.signals import accessed

MASK = "— masqué —"


@contextmanager
def acting_as(user):
    """Attribute audit entries written inside the block to `user` (commands, services)."""
    if user is None or not getattr(user, "is_authenticated", False):
        yield
        return
    with set_actor(user):
        yield


def attribute_request_to(user) -> None:
    """Attribute the current request's audit entries to `user` when auditlog's middleware ran before the user was
    known (an API token is authenticated by the view, after the middleware)."""
    try:
        context = auditlog_value.get()
    except LookupError:
        return
    if context.get("actor") is None and getattr(user, "is_authenticated", False):
        context["actor"] = user


def log_read(obj) -> None:
    """Record that the current actor read `obj` (personal data)."""
    accessed.send(sender=type(obj), instance=obj)


@dataclass(frozen=True)
class FieldChange:
    field: str
    label: str
    before: str
    after: str


@dataclass(frozen=True)
class HistoryEntry:
    at: object
    actor: str
    action: str
    changes: list[FieldChange]


ACTION_LABELS = {
    LogEntry.Action.CREATE: "Création",
    LogEntry.Action.UPDATE: "Modification",
    LogEntry.Action.DELETE: "Suppression",
    LogEntry.Action.ACCESS: "Consultation",
}


def history_for(obj, viewer, *, show_readers: bool = False) -> list[HistoryEntry]:
    """A record's history as its readers read it: French labels and values; who consulted it only for the roles
    that audit (administrators, auditors; `show_readers` for the one responsible for the record, as the PLIE
    coordinator is for a participant's file); agents named, never by their e-mail."""
    from levier.accounts.enums import Role
    from levier.accounts.permissions import can_see_field, scope_of

    model = type(obj)
    scope = scope_of(viewer)
    audits = show_readers or scope.is_admin or Role.AUDITOR in scope.roles
    entries = []
    for entry in LogEntry.objects.get_for_object(obj).select_related("actor").order_by("-timestamp", "-id"):
        if entry.action == LogEntry.Action.ACCESS and not audits:
            continue
        changes = []
        for field_name, values in (entry.changes_dict or {}).items():
            try:
                field = model._meta.get_field(field_name)
                label = str(field.verbose_name)
            except Exception:  # noqa: BLE001 - a field removed since, or an entry of a service (credentials)
                field, label = None, getattr(model, "HISTORY_LABELS", {}).get(field_name, field_name)
            visible = can_see_field(viewer, obj, field_name)
            before, after = (values + [None, None])[:2] if isinstance(values, list) else (None, values)
            changes.append(FieldChange(field=field_name, label=label,
                                       before=show_value(model, field, before) if visible else MASK,
                                       after=show_value(model, field, after) if visible else MASK))
        entries.append(HistoryEntry(at=entry.timestamp, actor=_actor(entry.actor),
                                    action=ACTION_LABELS.get(entry.action, str(entry.action)), changes=changes))
    return entries


def _actor(user) -> str:
    if user is None:
        return "Système"
    return user.get_full_name() or "un agent"


def show_value(model, field, value) -> str:
    """A value as the audit trail wrote it (text), shown in French: choices by their label, lists item by item,
    yes/no, dates and numbers in French."""
    import json
    from datetime import date, datetime
    from decimal import Decimal, InvalidOperation

    from django.db import models

    from .formats import format_date, format_number

    if value in (None, "None", "") or (isinstance(value, str) and value.endswith(".None")):
        return "—"
    text = str(value)
    choices = dict(field.flatchoices) if field is not None and getattr(field, "choices", None) else {}
    choices |= getattr(model, "HISTORY_CHOICES", {}).get(getattr(field, "name", ""), {})
    if isinstance(field, models.JSONField) or text[:1] == "[":
        try:
            items = json.loads(text.replace("'", '"'))
        except ValueError:
            items = None
        if isinstance(items, list):
            return ", ".join(str(choices.get(i, i)) for i in items) or "—"
    if text in choices:
        return str(choices[text])
    if isinstance(field, models.BooleanField) or text in ("True", "False"):
        return {"True": "Oui", "False": "Non"}.get(text, text)
    if isinstance(field, models.DateTimeField):
        try:
            return format_date(datetime.fromisoformat(text))
        except ValueError:
            return text
    if isinstance(field, models.DateField):
        try:
            return format_date(date.fromisoformat(text[:10]))
        except ValueError:
            return text
    if isinstance(field, models.DecimalField):
        try:
            return format_number(Decimal(text))
        except InvalidOperation:
            return text
    return text
