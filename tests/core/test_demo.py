import json

import pytest

from levier.accounts.enums import Role
from levier.accounts.models import Membership, User
from levier.demo.services import load_demo_records
from levier.organisations.models import Establishment, Organisation, Unit
from levier.organisations.services import REFERENCE_FILE, load_reference_organisations

pytestmark = pytest.mark.django_db


def test_reference_organisations_are_idempotent_and_keyed():
    count = load_reference_organisations()
    snapshot = (Organisation.objects.count(), Unit.objects.count(), Establishment.objects.count())
    assert load_reference_organisations() == count
    assert (Organisation.objects.count(), Unit.objects.count(), Establishment.objects.count()) == snapshot
    plie = Unit.objects.get(reference_key="plie-pays-aix")
    assert plie.organisation.siren == "200054807"
    assert [t.code for t in plie.territories.all()] == ["pays-aix"]


def test_no_identifier_is_invented_for_real_organisations():
    load_reference_organisations()
    given = {row["key"]: row.get("siren") for row in json.loads(REFERENCE_FILE.read_text())["organisations"]}
    for key, siren in given.items():
        assert Organisation.objects.get(reference_key=key).siren == siren
    assert set(given.values()) - {None} == {"200054807", "211300553"}
    assert set(Establishment.objects.values_list("siret", flat=True)) == {"20005480700017"}


def test_demo_records_are_idempotent_and_give_one_user_per_role():
    load_reference_organisations()
    first = load_demo_records()
    counts = (Organisation.objects.count(), User.objects.count(), Membership.objects.count())
    assert load_demo_records() == first
    assert (Organisation.objects.count(), User.objects.count(), Membership.objects.count()) == counts
    assert {role for _, _, role, _ in first} == set(Role.values)
    company_user = User.objects.get(email="entreprise@demo.levier.example")
    assert list(Organisation.objects.visible_to(company_user).values_list("reference_key", flat=True)) == ["demo-apm"]
