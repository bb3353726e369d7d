"""Every status change goes through levier.core.workflow: each model with a status declares its workflow,
and a status written any other way — `save()`, `update()`, `bulk_update()`, the bulk writers, a record
created in a state it cannot start in, raw SQL with an undeclared state — is refused."""

from datetime import date

import pytest
from auditlog.models import LogEntry
from django.apps import apps
from django.contrib import admin
from django.db import IntegrityError, connection, transaction

from levier.core import workflow
from levier.core.bulk import update_rows
from levier.core.errors import InvalidInput
from levier.core.workflow import WorkflowBypass
from tests.web.test_permission_matrix import build_world


def status_models() -> list:
    return sorted((m for m in apps.get_models() if any(f.name == "status" for f in m._meta.concrete_fields)),
                  key=lambda m: m._meta.label)


def test_every_model_with_a_status_declares_its_workflow():
    declared = {w.model for w in workflow.declared()}
    assert status_models(), "no model with a status found"
    assert [m._meta.label for m in status_models() if m not in declared] == []
    for declared_workflow in workflow.declared():
        log = declared_workflow.log_model
        assert {"from_status", "to_status", "action", "reason", "by", "at"} <= {f.name for f in log._meta.fields}
        assert declared_workflow.entries, declared_workflow.model


@pytest.fixture
def records(db):
    """One record of each model with a workflow (the permission matrix's world, a committee besides)."""
    from levier.funding.models import Committee, Fund

    world = build_world()
    fund = Fund.objects.first()
    Committee.objects.create(fund=fund, held_on=date(2026, 12, 15), title="Comité de décembre")
    found = {w.model: w.model.objects.order_by("pk").first() for w in workflow.declared()}
    assert [m._meta.label for m, record in found.items() if record is None] == []
    return found | {"world": world}


def _other_state(declared_workflow, current: str) -> str:
    return next(s for s in declared_workflow.states.values if s != current)


@pytest.mark.parametrize("label", [m._meta.label for m in status_models()])
def test_a_status_written_outside_the_workflow_is_refused(records, label):
    model = apps.get_model(label)
    declared_workflow = workflow.of(model)
    record = records[model]
    before = record.status
    target = _other_state(declared_workflow, before)

    record.status = target
    with pytest.raises(WorkflowBypass):
        record.save()
    with pytest.raises(WorkflowBypass):
        record.save(update_fields=["status"])
    with pytest.raises(WorkflowBypass):
        model.objects.filter(pk=record.pk).update(status=target)
    with pytest.raises(WorkflowBypass):
        model.objects.bulk_update([record], ["status"])
    with pytest.raises(WorkflowBypass), transaction.atomic():
        update_rows(model, ["status"], [record])
    assert model.objects.get(pk=record.pk).status == before

    record.status = before  # the rest of the row still saves
    record.save()


@pytest.mark.parametrize("label", [m._meta.label for m in status_models()])
def test_a_record_starts_only_in_an_entry_state(records, label):
    model = apps.get_model(label)
    declared_workflow = workflow.of(model)
    late = [s for s in declared_workflow.states.values if s not in declared_workflow.entries]
    if not late:
        pytest.skip(f"{label} : tous ses états peuvent commencer un enregistrement")
    copy = model.objects.get(pk=records[model].pk)
    copy.pk, copy.id, copy._state.adding, copy.status = None, None, True, late[0]
    with pytest.raises(WorkflowBypass):
        copy.save()
    with pytest.raises(InvalidInput), transaction.atomic():
        workflow.enter(copy, by=None)


@pytest.mark.parametrize("label", [m._meta.label for m in status_models()])
def test_the_database_refuses_an_undeclared_state(records, label):
    model = apps.get_model(label)
    table, pk = connection.ops.quote_name(model._meta.db_table), records[model].pk
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET status = %s WHERE id = %s", ["inconnu", pk])


@pytest.mark.parametrize("label", [m._meta.label for m in status_models()])
def test_a_move_is_checked_against_the_table_and_logged_with_its_audit(records, label):
    model = apps.get_model(label)
    declared_workflow = workflow.of(model)
    record = model.objects.get(pk=records[model].pk)
    source = record.status
    refused = [s for s in declared_workflow.states.values if declared_workflow.refusal(source, s)]
    log = declared_workflow.log_model
    logs_before = log.objects.count()
    if refused:
        with pytest.raises(InvalidInput) as exc, transaction.atomic():
            workflow.move(model.objects.select_for_update().get(pk=record.pk), refused[0], by=None, action="essai")
        assert exc.value.errors[0].field == "status"
        assert declared_workflow.label(source) in exc.value.errors[0].message
        assert model.objects.get(pk=record.pk).status == source and log.objects.count() == logs_before
    with transaction.atomic():
        locked = model.objects.select_for_update().get(pk=record.pk)
        entry = workflow.move(locked, source, by=None, action="essai", reason="vérification")
    assert (entry.from_status, entry.to_status, entry.action, entry.reason) == (source, source, "essai", "vérification")
    assert log.objects.count() == logs_before + 1
    allowed = sorted(s for s in declared_workflow.moves.get(source, ()) if s != source)
    for target in allowed:  # a real move: the first one whose other fields the record already holds
        try:
            with transaction.atomic():
                workflow.move(model.objects.select_for_update().get(pk=record.pk), target, by=None, action="essai")
        except IntegrityError:
            continue  # the state needs fields this record lacks: its constraint refused it
        changes = [e.changes_dict.get("status") for e in LogEntry.objects.get_for_object(record)]
        assert [source, target] in changes
        assert log.objects.filter(from_status=source, to_status=target).exists()
        break
    else:
        assert not allowed, f"{label} : aucun passage permis depuis « {source} » n'a pu être enregistré"


def test_a_pathway_cannot_be_exited_without_how_and_when(records):
    from levier.pathways.models import Pathway

    pathway = records[Pathway]
    table = connection.ops.quote_name(Pathway._meta.db_table)
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET status = 'exited' WHERE id = %s", [pathway.pk])
    with pytest.raises(IntegrityError), transaction.atomic():  # an exit date on a pathway still running
        Pathway.objects.filter(pk=pathway.pk).update(exit_date=date(2025, 1, 1))


def test_statuses_are_read_only_in_the_admin(rf, records):
    from levier.accounts.models import User

    request = rf.get("/admin/")
    request.user = User.objects.filter(is_superuser=True).first() or records["world"]["users"]["administrator"]
    for declared_workflow in workflow.declared():
        model_admin = admin.site._registry.get(declared_workflow.model)
        if model_admin is not None:
            assert "status" in model_admin.get_readonly_fields(request, records[declared_workflow.model])
