"""The PLIE demo (`levier pathways load-demo`, called by `levier demo`): loaded once for the module."""

import pytest
from django.db import transaction

from levier.accounts.enums import Role
from levier.accounts.models import Membership, User
from levier.pathways import access
from levier.pathways.caseload import caseload
from levier.pathways.demo import AS_OF, REPORT_2013_AS_OF, load_demo
from levier.pathways.models import (
    Contact, Pathway, PathwayImport, PathwayLog, Person, Protocol, ReferentChange, Step, Structure,
)
from levier.pathways.report import protocol_report

pytestmark = pytest.mark.django_db
REFERENT = "referent@demo.levier.example"


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """One load for the module (the 2013-2017 import takes seconds), rolled back at its end. The demo
    referent starts in the PLIE's own unit, as in databases loaded before the lots existed."""
    from levier.demo import data
    from levier.demo.services import ensure_demo_user
    from levier.organisations.models import Unit
    from levier.organisations.services import load_reference_organisations

    with django_db_blocker.unblock(), transaction.atomic():
        load_reference_organisations()
        ensure_demo_user("referent", "Rémi", "Référent", Role.REFERENT, Unit.objects.get(reference_key="plie-pays-aix"))
        assert data.EMAIL_DOMAIN in REFERENT
        text = load_demo()
        yield text
        transaction.set_rollback(True)


def counts() -> tuple:
    return tuple(model.objects.count() for model in (
        User, Membership, Structure, Person, Pathway, Step, Contact, ReferentChange, PathwayLog, PathwayImport)) + (
        Protocol.objects.filter(unit__reference_key="plie-pays-aix").count(),)


def test_loading_twice_changes_nothing(demo):
    before = counts()
    assert load_demo() == demo
    assert counts() == before
    assert "6\u202f491 participants importés, 1\u202f878 sorties positives" in demo
    assert "30/06/2022" in demo


def test_the_2013_2017_report_gives_seed_002_figures(demo):
    report = protocol_report(Protocol.objects.get(slug="plie-pays-aix-2013-2017"), as_of=REPORT_2013_AS_OF,
                             breakdowns=False)
    assert report["participants"] == 6491
    assert report["positive_exits"]["total"] == 1878


def test_five_lots_one_per_bassin_each_with_referents(demo):
    protocol = Protocol.objects.get(slug="plie-pays-aix-2018-2022")
    structures = list(Structure.objects.filter(protocol=protocol).select_related("bassin", "unit__organisation"))
    assert [s.lot for s in structures] == [1, 2, 3, 4, 5]
    assert {s.bassin.kind for s in structures} == {"bassin"}
    assert len({s.bassin_id for s in structures}) == 5
    assert all("fictive" in s.unit.organisation.name for s in structures)
    referents = Membership.objects.accepted().filter(role=Role.REFERENT, unit__in=[s.unit for s in structures])
    assert all(referents.filter(unit=s.unit).exists() for s in structures)
    assert referents.values("user").distinct().count() == 7
    coordinator = User.objects.get(email="coordinateur@demo.levier.example")
    assert access.is_coordinator(coordinator, protocol)


def test_the_demo_referent_follows_a_caseload_with_alerts(demo):
    referent = User.objects.get(email=REFERENT)
    lot_1 = Structure.objects.get(protocol__slug="plie-pays-aix-2018-2022", lot=1)
    assert list(Membership.objects.accepted().filter(user=referent, role=Role.REFERENT)
                .values_list("unit_id", flat=True)) == [lot_1.unit_id]
    rows = caseload(Pathway.objects.visible_to(referent).filter(referent=referent), today=AS_OF)
    assert 12 <= len(rows) <= 25
    everyone = caseload(Pathway.objects.filter(protocol__slug="plie-pays-aix-2018-2022"), today=AS_OF)
    alerts = [alert for row in everyone for alert in row.alerts]
    for start in ("Aucun contact", "Parcours de plus de 18 mois", "Sortie positive à valider",
                  "Sortie en attente de sa validation"):
        assert any(alert.startswith(start) for alert in alerts), start


def test_the_2018_2022_pathways_hold_every_kind_of_step_and_exit(demo):
    protocol = Protocol.objects.get(slug="plie-pays-aix-2018-2022")
    pathways = Pathway.objects.filter(protocol=protocol)
    assert pathways.count() == 150
    steps = Step.objects.filter(pathway__protocol=protocol)
    assert {"diagnostic", "mobility_diagnosis", "training", "iae", "job", "business_creation"} <= set(
        steps.values_list("kind", flat=True))
    assert steps.filter(kind="iae", iae_kind="ACI").exists()
    assert steps.filter(kind="training", training_qualifying=True).exists()
    assert steps.filter(kind="training", training_qualifying=False).exists()
    assert {"cdi", "cdd", "interim"} <= set(steps.filter(kind="job").values_list("contract", flat=True))
    assert set(pathways.values_list("status", flat=True)) == {"pending", "refused", "active", "exited"}
    assert {"rule", "committee", "other"} == set(pathways.exclude(exit_source="").values_list("exit_source", flat=True))
    assert {"dropout", "moved"} <= set(pathways.filter(exit_source="other").values_list("exit_kind", flat=True))
    report = protocol_report(protocol, as_of=AS_OF)
    assert report["positive_exits"]["by_committee"] == 1
    assert len(report["breakdowns"]["bassin"]) == 5
