"""The audit trail: writes recorded with author and fields; reads of records logged;
confidential fields masked in history for those who may not see them."""

from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from levier.accounts.enums import Role
from levier.core.audit import MASK, history_for
from levier.organisations.services import create_organisation, update_organisation
from tests.factories import UnitFactory, login, user_with_role

pytestmark = pytest.mark.django_db


def test_create_and_update_are_recorded_with_before_and_after():
    editor = user_with_role(Role.OPERATOR_INSTRUCTOR, UnitFactory())
    organisation = create_organisation(name="Forge du Var", siren="732829320", by=editor)
    update_organisation(organisation=organisation, name="Forge du Var SAS", by=editor)
    entries = LogEntry.objects.get_for_object(organisation).order_by("timestamp", "id")
    assert [e.action for e in entries] == [LogEntry.Action.CREATE, LogEntry.Action.UPDATE]
    assert entries[1].actor == editor
    assert entries[1].changes_dict["name"] == ["Forge du Var", "Forge du Var SAS"]


def test_history_masks_confidential_fields_for_roles_that_may_not_see_them():
    editor = user_with_role(Role.OPERATOR_INSTRUCTOR, UnitFactory())
    referent = user_with_role(Role.REFERENT, UnitFactory())
    organisation = create_organisation(name="Forge", siren="732829320", by=editor)
    update_organisation(organisation=organisation, turnover=Decimal("1234567.00"), by=editor)
    visible = [c for e in history_for(organisation, editor) for c in e.changes if c.field == "turnover"]
    hidden = [c for e in history_for(organisation, referent) for c in e.changes if c.field == "turnover"]
    assert visible[0].after == "1\u202f234\u202f567,00"
    assert hidden[0].after == MASK and hidden[0].before == MASK


def test_reading_a_record_in_the_web_is_logged_with_the_reader(client):
    reader = user_with_role(Role.STEERING, UnitFactory())
    organisation = create_organisation(name="Forge", siren="732829320")
    login(client, reader)
    assert client.get(reverse("organisations:detail", args=[organisation.pk])).status_code == 200
    access = LogEntry.objects.get_for_object(organisation).filter(action=LogEntry.Action.ACCESS)
    assert access.count() == 1 and access.get().actor == reader


def test_history_reads_in_french_and_names_readers_only_to_those_who_audit(db):
    from levier.accounts.enums import Role
    from levier.core.audit import acting_as, log_read
    from levier.organisations.services import create_organisation
    from tests.factories import UnitFactory, user_with_role

    staff = user_with_role(Role.OPERATOR_INSTRUCTOR, UnitFactory(), email="ines@exemple.test")
    staff.first_name, staff.last_name = "Inès", "Instructrice"
    staff.save()
    with acting_as(staff):
        organisation = create_organisation(name="Atelier", kind="company", roles=["financer", "employer"], is_ess=False)
        log_read(organisation)
    company = user_with_role(Role.COMPANY, organisation.main_unit())
    auditor = user_with_role(Role.AUDITOR, UnitFactory())
    seen = history_for(organisation, company)
    values = {c.label: c.after for e in seen for c in e.changes}
    assert values["rôles"] == "Financeur, Employeur" and values["structure de l'ESS"] == "Non"
    assert all(e.action != "Consultation" for e in seen)  # readers are the auditors' business
    assert all("@" not in e.actor for e in seen) and any(e.actor == "Inès Instructrice" for e in seen)
    assert any(e.action == "Consultation" for e in history_for(organisation, auditor))
