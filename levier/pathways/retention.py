"""Retention of participants' data (issue 5): a protocol parameter following the regulation of its
period (2014-2020: Regulation 1303/2013 art. 140; 2021-2027: 5 years from 31 December of the year of
the last payment, Regulation 2021/1060 art. 82). Past it, people are anonymised: names, contact, day
and month of birth, notes, reasons, external identifiers and the steps' free text (outcome, employer or
organisation) are blanked (and masked in the audit trail); aggregated figures stay."""

from datetime import date

from django.db import transaction
from django.db.models import Q

from .models import Contact, Pathway, PathwayLog, Person, Protocol, ReferentChange, Step

ANONYMOUS = "ANONYME"
# Values blanked by the anonymisation, also masked in the audit trail's entries of those records.
PERSONAL_FIELDS = {Person: {"last_name", "first_name", "birth_date", "email", "phone", "address"},
                   Pathway: {"external_id", "qpv_code", "eligibility_reason", "registration_override", "exit_reason"},
                   Contact: {"note"}, Step: {"outcome", "organisation_name"}}


def expired_protocol_ids(as_of: date) -> set[int]:
    return {p.pk for p in Protocol.objects.all() if p.retention_ends_on() < as_of}


def anonymise_expired(*, as_of: date, dry_run: bool = False) -> int:
    """Anonymise the people all of whose pathways belong to protocols whose retention ended before `as_of`."""
    expired = expired_protocol_ids(as_of)
    people = Person.objects.filter(anonymised_on__isnull=True, pathways__protocol_id__in=expired).exclude(
        pathways__in=Pathway.objects.filter(~Q(protocol_id__in=expired))).distinct()
    ids = list(people.values_list("id", flat=True))
    if dry_run or not ids:
        return len(ids)
    with transaction.atomic():
        for person in Person.objects.select_for_update().filter(id__in=ids):
            person.last_name, person.first_name, person.match_key = ANONYMOUS, "", ""
            person.email = person.phone = person.address = ""
            person.birth_date = date(person.birth_date.year, 1, 1)
            person.anonymised_on = as_of
            person.save()
        Pathway.objects.filter(person_id__in=ids).update(external_id=None, qpv_code="", eligibility_reason="",
                                                         registration_override="", exit_reason="")
        Contact.objects.filter(pathway__person_id__in=ids).update(note="")
        Step.objects.filter(pathway__person_id__in=ids).update(outcome="", organisation_name="")
        PathwayLog.objects.filter(pathway__person_id__in=ids).update(reason="")
        ReferentChange.objects.filter(pathway__person_id__in=ids).update(reason="")
        pathway_ids = list(Pathway.objects.filter(person_id__in=ids).values_list("id", flat=True))
        _mask_audit_trail(Person, ids, lambda pk: ANONYMOUS)
        _mask_audit_trail(Pathway, pathway_ids, lambda pk: f"Parcours n° {pk}")
        _mask_audit_trail(Contact, list(Contact.objects.filter(pathway_id__in=pathway_ids).values_list("id", flat=True)))
        _mask_audit_trail(Step, list(Step.objects.filter(pathway_id__in=pathway_ids).values_list("id", flat=True)))
    return len(ids)


def _mask_audit_trail(model, ids: list[int], name=None) -> None:
    """The audit entries of anonymised records (the anonymisation's own included) keep who changed which
    field when, not the personal values nor the name."""
    from auditlog.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    from levier.core.audit import MASK

    fields = PERSONAL_FIELDS[model]
    entries = list(LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(model), object_id__in=ids))
    for entry in entries:
        changes = entry.changes if isinstance(entry.changes, dict) else {}
        for field in fields & changes.keys():
            changes[field] = [value if value in (None, "None", "") else MASK for value in changes[field]]
        entry.changes, entry.changes_text, entry.serialized_data = changes, "", None
        if name is not None:
            entry.object_repr = name(entry.object_id)
    LogEntry.objects.bulk_update(entries, ["changes", "changes_text", "serialized_data", "object_repr"], batch_size=1000)
