"""The bulk writer: plain tuples in, complete rows out (defaults filled), ids that nobody else takes."""

from datetime import date

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from levier.core.bulk import BulkWriter, JsonText, reserve_ids
from levier.pathways.models import Person

pytestmark = pytest.mark.django_db


def test_reserved_ids_are_new_and_not_given_again():
    existing = Person.objects.create(last_name="Martin", first_name="Léa", sex="F", birth_date=date(1990, 1, 1))

    with transaction.atomic():
        ids = reserve_ids(Person, 3)
        assert len(set(ids)) == 3 and min(ids) > existing.pk
        now = timezone.now()
        BulkWriter(Person, ["id", "created_at", "updated_at", "last_name", "first_name", "sex", "birth_date"]).write(
            (pk, now, now, f"Nom{pk}", "Prénom", "X", date(2000, 2, 29)) for pk in ids)
    later = Person.objects.create(last_name="Durand", first_name="Ali", sex="M", birth_date=date(1985, 5, 5))

    assert later.pk not in ids and later.pk > max(ids)
    written = Person.objects.get(pk=ids[1])
    assert (written.last_name, written.sex, written.birth_date) == (f"Nom{ids[1]}", "X", date(2000, 2, 29))
    assert (written.email, written.anonymised_on) == ("", None)  # defaults of the columns not given
    assert reserve_ids(Person, 0) == []


def test_audit_entries_with_shared_json_and_a_callable_default():
    content_type = ContentType.objects.get_for_model(Person)
    shared = JsonText('{"import": [null, "fichier.csv"]}')
    with transaction.atomic():
        ids = reserve_ids(LogEntry, 2)
        BulkWriter(LogEntry, ["id", "content_type_id", "object_pk", "object_repr", "action", "changes",
                              "additional_data"]).write([
            (ids[0], content_type.id, "1", "un", 0, shared, {"import": 7, "é": "à"}),
            (ids[1], content_type.id, "2", "deux", 1, {"nom": ["A", "B"]}, None),
        ])
    first, second = LogEntry.objects.get(pk=ids[0]), LogEntry.objects.get(pk=ids[1])
    assert first.changes == {"import": [None, "fichier.csv"]}  # written as it is, not serialised twice
    assert first.additional_data == {"import": 7, "é": "à"}
    assert second.changes == {"nom": ["A", "B"]} and second.additional_data is None
    assert first.timestamp is not None and second.timestamp is not None  # callable default, called per row
    assert first.action == LogEntry.Action.CREATE and second.action == LogEntry.Action.UPDATE


def test_unknown_columns_and_missing_required_values_are_refused():
    with pytest.raises(ValueError, match="unknown columns"):
        BulkWriter(Person, ["id", "surname"])
    with pytest.raises(ValueError, match="birth_date"):  # a date without default cannot be left out
        BulkWriter(Person, ["id", "created_at", "updated_at", "last_name", "first_name", "sex"])
