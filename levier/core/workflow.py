"""One mechanism for every status change, in every domain.

Each model with a status declares its workflow once, next to the model (`declare`): its states (a
`TextChoices` with French labels), the moves allowed from each state, the states a record may be
created in, and its log model (who, when, from, to, what, why). Then:

- `move(instance, to, by=…, action=…, reason=…)` checks the move against the table, writes the status
  (and the fields the caller changed with it), the log entry, and — through `save()` — the audit entry.
  It runs inside the caller's transaction, the row locked by the caller (`select_for_update`).
- `enter(instance, by=…)` saves a new record in one of its entry states, with its first log entry.
- `refusal(model, source, target)` is the check alone, for bulk imports: they report it per row
  (line and column) and write their rows and log entries in bulk inside `bulk(model)`, with `log_rows`.

Nothing else may change a status: a `save()` that changes it, a `QuerySet.update()` or `bulk_update()`
that sets it, a bulk write (`levier.core.bulk`) of the status column outside `bulk(model)`, and a new
record created in a state that is not an entry state all raise `WorkflowBypass` (a programming error,
not a user's). What a state implies of the other fields is a `CheckConstraint` on the model, so even
raw SQL cannot leave a record half-moved.
"""

from collections.abc import Iterable, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.apps import apps
from django.db import models, transaction
from django.db.models.signals import post_init, post_save, pre_save
from django.utils import timezone

from .errors import InvalidInput


class WorkflowBypass(RuntimeError):
    """A status written around the declared workflow."""


@dataclass(frozen=True)
class Workflow:
    model: type[models.Model]
    states: type[models.TextChoices]
    moves: Mapping[str, frozenset[str]]
    entries: frozenset[str]
    log: str  # "app_label.ModelName" of the log
    owner: str  # the log's foreign key to the record
    field: str = "status"

    @property
    def log_model(self) -> type[models.Model]:
        return apps.get_model(self.log)

    def label(self, state: str) -> str:
        try:
            return str(self.states(state).label)
        except ValueError:
            return str(state)

    def refusal(self, source: str, target: str) -> str | None:
        """Why `source` → `target` is refused, in French; None when allowed (staying put is not a move)."""
        if target not in self.states.values:
            return f"État inconnu : « {target} »."
        if source == target or target in self.moves.get(source, ()):
            return None
        return f"Passage impossible de « {self.label(source)} » à « {self.label(target)} »."



def valid_states(states: type[models.TextChoices], name: str, field: str = "status") -> models.CheckConstraint:
    """The column holds one of the declared states (for the model's `Meta.constraints`)."""
    return models.CheckConstraint(condition=models.Q(**{f"{field}__in": states.values}), name=name)


def moves_of(actions: Iterable[tuple[Iterable[str], str]]) -> dict[str, set[str]]:
    """The moves table of a domain's actions, given as (states it starts from, state it leads to)."""
    moves: dict[str, set[str]] = {}
    for sources, target in actions:
        for source in sources:
            moves.setdefault(str(source), set()).add(str(target))
    return moves


_DECLARED: dict[type[models.Model], Workflow] = {}
_permitted_instances: ContextVar[frozenset[int]] = ContextVar("workflow_instances", default=frozenset())
_permitted_models: ContextVar[frozenset[type]] = ContextVar("workflow_models", default=frozenset())
_UNKNOWN = object()


def declare(model: type[models.Model], *, states: type[models.TextChoices], moves: Mapping[str, Iterable[str]],
            entries: Iterable[str], log: str, owner: str, field: str = "status") -> Workflow:
    """Declare `model`'s workflow (once, in its models module)."""
    manager = model._default_manager
    if not issubclass(manager._queryset_class, StatusGuardedQuerySet):
        raise TypeError(f"{model.__name__}: its default manager must build a StatusGuardedQuerySet")
    unknown = ({str(s) for s in moves} | {str(t) for ts in moves.values() for t in ts} | {str(e) for e in entries}) \
        - set(states.values)
    if unknown:
        raise ValueError(f"{model.__name__}: undeclared states {sorted(unknown)}")
    workflow = Workflow(model=model, states=states, moves={str(s): frozenset(str(t) for t in ts) for s, ts in moves.items()},
                        entries=frozenset(str(e) for e in entries), log=log, owner=owner, field=field)
    _DECLARED[model] = workflow
    post_init.connect(_remember, sender=model, weak=False, dispatch_uid=f"workflow-init-{model._meta.label}")
    pre_save.connect(_guard, sender=model, weak=False, dispatch_uid=f"workflow-guard-{model._meta.label}")
    post_save.connect(_saved, sender=model, weak=False, dispatch_uid=f"workflow-saved-{model._meta.label}")
    return workflow


def of(model_or_instance) -> Workflow:
    model = model_or_instance if isinstance(model_or_instance, type) else type(model_or_instance)
    return _DECLARED[model._meta.concrete_model]


def declared() -> list[Workflow]:
    return list(_DECLARED.values())


def refusal(model: type[models.Model], source: str, target: str) -> str | None:
    return of(model).refusal(source, target)


# ---------------------------------------------------------------- the one way to change a status


def move(instance: models.Model, to: str, *, by, action: str = "", reason: str = "",
         fields: Iterable[str] | None = ()):
    """Move `instance` to `to`: check, write the status and `fields`, log. Raises InvalidInput if refused.

    The caller holds the row (`select_for_update`) inside its transaction; `fields` are the other
    columns it changed with the move, saved together (None: the whole row)."""
    workflow = of(instance)
    _require_transaction(instance)
    source = getattr(instance, workflow.field)
    message = workflow.refusal(source, to)
    if message:
        raise InvalidInput.single(workflow.field, message)
    setattr(instance, workflow.field, to)
    names = None
    if fields is not None:
        names = {workflow.field, *fields}
        if any(f.name == "updated_at" for f in instance._meta.concrete_fields):
            names.add("updated_at")
        names = sorted(names)
    with _permit(instance):
        instance.save(update_fields=names)
    return _log(workflow, instance, source, to, by=by, action=action, reason=reason)


def enter(instance: models.Model, *, by, action: str = "", reason: str = ""):
    """Save the new `instance` in its current state (one of the entry states), with its first log entry."""
    workflow = of(instance)
    _require_transaction(instance)
    state = getattr(instance, workflow.field)
    if state not in workflow.entries:
        raise InvalidInput.single(workflow.field, f"Un enregistrement ne peut pas commencer à l'état "
                                                  f"« {workflow.label(state)} ».")
    instance.save()
    return _log(workflow, instance, "", state, by=by, action=action, reason=reason)


@contextmanager
def bulk(model: type[models.Model]):
    """Inside: the status column of `model` may be written in bulk (imports), the caller having
    checked every row with `refusal` and writing the log entries with `log_rows`."""
    if not transaction.get_connection().in_atomic_block:
        raise WorkflowBypass(f"{model.__name__}: bulk status writes need the caller's transaction")
    token = _permitted_models.set(_permitted_models.get() | {of(model).model})
    try:
        yield
    finally:
        _permitted_models.reset(token)


def log_rows(model: type[models.Model], rows: Iterable[tuple[int, str, str, str, str]], *, by) -> int:
    """Log entries of moves written in bulk: (record id, from, to, action, reason) each."""
    from .bulk import BulkWriter, reserve_ids

    workflow = of(model)
    rows = list(rows)
    for _pk, source, target, _action, _reason in rows:
        if source and (message := workflow.refusal(source, target)):
            raise WorkflowBypass(f"{model.__name__}: {message}")
    log_model, owner = workflow.log_model, workflow.log_model._meta.get_field(workflow.owner).column
    actor, now = _actor(by), timezone.now()
    columns = ["id", owner, "from_status", "to_status", "action", "reason", "by_id", "at"]
    BulkWriter(log_model, columns).write(
        (log_id, pk, source, target, action, reason, actor.pk if actor else None, now)
        for log_id, (pk, source, target, action, reason) in zip(reserve_ids(log_model, len(rows)), rows, strict=True))
    return len(rows)


def assert_bulk_permitted(model: type[models.Model], columns: Iterable[str]) -> None:
    """Called by the bulk writers of `levier.core.bulk` before writing `columns` of `model`."""
    workflow = _DECLARED.get(model._meta.concrete_model)
    if workflow is None or workflow.field not in set(columns):
        return
    if workflow.model not in _permitted_models.get():
        raise WorkflowBypass(f"{model.__name__}.{workflow.field} written in bulk outside workflow.bulk()")


def _log(workflow: Workflow, instance, source: str, target: str, *, by, action: str, reason: str):
    return workflow.log_model.objects.create(**{workflow.owner: instance}, from_status=source, to_status=target,
                                             action=action, reason=reason or "", by=_actor(by))


def _actor(by):
    return by if getattr(by, "is_authenticated", False) else None


def _require_transaction(instance) -> None:
    if not transaction.get_connection(instance._state.db or "default").in_atomic_block:
        raise WorkflowBypass(f"{type(instance).__name__}: move() runs inside the caller's transaction, the row locked")


@contextmanager
def _permit(instance):
    token = _permitted_instances.set(_permitted_instances.get() | {id(instance)})
    try:
        yield
    finally:
        _permitted_instances.reset(token)


# ---------------------------------------------------------------- the guard


class StatusGuardedQuerySet(models.QuerySet):
    """Refuses `update()` and `bulk_update()` of a declared status outside the workflow."""

    def update(self, **kwargs):
        self._guard(kwargs)
        return super().update(**kwargs)

    def bulk_update(self, objs, fields, batch_size=None):
        self._guard(fields)
        return super().bulk_update(objs, fields, batch_size=batch_size)

    def _guard(self, names) -> None:
        workflow = _DECLARED.get(self.model._meta.concrete_model)
        if workflow and workflow.field in set(names) and workflow.model not in _permitted_models.get():
            raise WorkflowBypass(f"{self.model.__name__}.{workflow.field} updated outside workflow.move()")


def _remember(sender, instance, **_):
    instance.__dict__["_workflow_loaded"] = instance.__dict__.get(_DECLARED[sender].field, _UNKNOWN)


def _saved(sender, instance, **_):
    instance.__dict__["_workflow_loaded"] = instance.__dict__.get(_DECLARED[sender].field, _UNKNOWN)


def _guard(sender, instance, raw=False, update_fields=None, **_):
    workflow = _DECLARED[sender]
    if raw or id(instance) in _permitted_instances.get() or sender in _permitted_models.get():
        return
    state = instance.__dict__.get(workflow.field, _UNKNOWN)
    if state is _UNKNOWN or (update_fields is not None and workflow.field not in update_fields):
        return  # the status is deferred or not written
    if instance._state.adding:
        if state not in workflow.entries:
            raise WorkflowBypass(f"{sender.__name__} created in state {state!r}: not an entry state")
        return
    if instance.__dict__.get("_workflow_loaded", _UNKNOWN) == state:
        return
    stored = sender._base_manager.using(instance._state.db).filter(pk=instance.pk).values_list(workflow.field, flat=True)
    if stored.first() != state:  # `refresh_from_db` does not tell what it loaded: the row says
        raise WorkflowBypass(f"{sender.__name__}.{workflow.field} changed by save() outside workflow.move()")
