import pytest

from levier.accounts.enums import Role
from levier.accounts.models import Membership, User
from levier.demo import data
from levier.demo.services import load_demo_records
from levier.organisations.models import Establishment, Organisation


@pytest.mark.django_db
def test_demo_records_are_idempotent_and_give_one_user_per_role():
    first = load_demo_records()
    counts = (Organisation.objects.count(), User.objects.count(), Membership.objects.count())
    second = load_demo_records()
    assert (Organisation.objects.count(), User.objects.count(), Membership.objects.count()) == counts
    assert first == second
    assert {role for _, _, role, _ in first} == set(Role.values)


@pytest.mark.django_db
def test_demo_invents_no_identifier_for_real_organisations():
    load_demo_records()
    known = {"Métropole d'Aix-Marseille-Provence": "200054807", "Ville de Marseille": "211300553"}
    for spec in data.ORGANISATIONS:
        organisation = Organisation.objects.get(name=spec["name"])
        if "fictif" in spec["name"] or "fictive" in spec["name"]:
            continue
        assert organisation.siren == known.get(spec["name"]), spec["name"]
    real_sirets = set(Establishment.objects.exclude(organisation__name__contains="fictive").values_list("siret", flat=True))
    assert real_sirets == {"20005480700017"}
