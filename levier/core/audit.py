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


def history_for(obj, viewer) -> list[HistoryEntry]:
    from levier.accounts.permissions import can_see_field

    model = type(obj)
    entries = []
    for entry in LogEntry.objects.get_for_object(obj).select_related("actor").order_by("-timestamp", "-id"):
        changes = []
        for field_name, values in (entry.changes_dict or {}).items():
            try:
                label = str(model._meta.get_field(field_name).verbose_name)
            except Exception:  # noqa: BLE001 - a field removed since
                label = field_name
            visible = can_see_field(viewer, obj, field_name)
            before, after = (values + [None, None])[:2] if isinstance(values, list) else (None, values)
            changes.append(
                FieldChange(
                    field=field_name,
                    label=label,
                    before=_show(before) if visible else MASK,
                    after=_show(after) if visible else MASK,
                )
            )
        entries.append(
            HistoryEntry(
                at=entry.timestamp,
                actor=str(entry.actor) if entry.actor else "Système",
                action=ACTION_LABELS.get(entry.action, str(entry.action)),
                changes=changes,
            )
        )
    return entries


def _show(value) -> str:
    if value in (None, "None", ""):
        return "—"
    return str(value)
