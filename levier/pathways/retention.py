"""Retention of participants' data (issue 5): a protocol parameter following the regulation of its
period (2014-2020: Regulation 1303/2013 art. 140; 2021-2027: 5 years from 31 December of the year of
the last payment, Regulation 2021/1060 art. 82). Past it, people are anonymised: names, contact, day
and month of birth, notes and external identifiers are blanked; aggregated figures stay."""

from datetime import date

from django.db import transaction
from django.db.models import Q

from .models import Contact, Pathway, Person, Protocol

ANONYMOUS = "ANONYME"


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
    return len(ids)
