"""Back office: operators edit only their schemes; editors publish only in their territory;
editing a published scheme creates a version effective from its publication."""

import json
from datetime import date

import pytest
from django.urls import reverse

from levier.accounts.enums import Role
from levier.aids import backoffice as service
from levier.aids.models import Scheme
from levier.aids.services import simulate, version_in_effect
from levier.core.errors import InvalidInput
from levier.territories.models import Territory
from tests.factories import UnitFactory, login, user_with_role

pytestmark = pytest.mark.usefixtures("catalogue")
RULES = {"eligibility": {"fact": "beneficiary.headcount", "op": "lt", "value": 20},
         "components": [{"key": "grant", "kind": "subsidy", "label": "Prime", "fixed": "3000", "legal_basis": "de minimis"}]}
VALUES = {"name": "Prime à l'embauche du Val-de-Marne", "summary": "Une prime", "description": "", "contacts": "",
          "beneficiary_kinds": ["company"], "aid_kinds": ["subsidy"], "opens_on": None, "closes_on": None}


def territory(kind, code):
    return Territory.objects.get(kind=kind, code=code)


@pytest.fixture
def operator_unit():
    return UnitFactory(name="Service des aides")


@pytest.fixture
def operator(operator_unit):
    return user_with_role(Role.OPERATOR_INSTRUCTOR, operator_unit)


@pytest.fixture
def editor_94():
    unit = UnitFactory(name="Éditeurs 94")
    unit.territories.set([territory("departement", "94")])
    return user_with_role(Role.CATALOGUE_EDITOR, unit)


@pytest.fixture
def draft(operator, operator_unit):
    return service.create_scheme(by=operator, unit=operator_unit, values=dict(VALUES), rules=RULES,
                                 perimeter=[territory("ept", "200058014")])


def profile(headcount):
    return {"as_of": "2027-02-01", "beneficiary": {"kind": "company", "commune": "94041", "headcount": headcount}}


def test_invalid_rules_save_nothing(operator, operator_unit):
    bad = {"components": [{"key": "a", "kind": "subsidy", "fixed": "10", "cap": "-5"}]}
    with pytest.raises(InvalidInput) as exc:
        service.create_scheme(by=operator, unit=operator_unit, values=dict(VALUES), rules=bad, perimeter=[])
    assert {e.field for e in exc.value.errors} == {"rules.components[0].cap", "perimeter"}
    assert not Scheme.objects.filter(name=VALUES["name"]).exists()


def test_operators_cannot_edit_other_operators_schemes(draft):
    other = user_with_role(Role.OPERATOR_INSTRUCTOR, UnitFactory())
    with pytest.raises(InvalidInput):
        service.update_scheme(scheme=draft, by=other, values=dict(VALUES), rules=RULES, perimeter=[territory("ept", "200058014")])
    alixio = Scheme.objects.get(slug="alixio")
    assert not service.can_edit(other, alixio)


def test_the_workflow_and_editors_of_the_territory(draft, operator, editor_94):
    editor_13 = UnitFactory(name="Éditeurs 13")
    editor_13.territories.set([territory("departement", "13")])
    outsider = user_with_role(Role.CATALOGUE_EDITOR, editor_13)
    service.ask_review(scheme=draft, by=operator)
    with pytest.raises(InvalidInput):
        service.publish(scheme=draft, by=outsider, on=date(2027, 1, 15))
    with pytest.raises(InvalidInput):
        service.publish(scheme=draft, by=operator, on=date(2027, 1, 15))  # operators do not publish
    published = service.publish(scheme=draft, by=editor_94, on=date(2027, 1, 15))
    assert published.status == "published"
    assert [log.to_status for log in published.logs.all()] == ["draft", "in_review", "published"]
    result = next(r for r in simulate(profile(10))["results"] if r["scheme"] == published.slug)
    assert result["status"] == "eligible" and result["total_grants"] == "3000.00"


def test_editing_a_published_scheme_creates_a_version_effective_from_its_publication(draft, operator, editor_94):
    service.ask_review(scheme=draft, by=operator)
    service.publish(scheme=draft, by=editor_94, on=date(2027, 1, 15))
    stricter = {**RULES, "eligibility": {"fact": "beneficiary.headcount", "op": "lt", "value": 5}}
    pending = service.update_scheme(scheme=draft, by=operator, values=dict(VALUES), rules=stricter,
                                    perimeter=[territory("ept", "200058014")])
    assert pending.number == 2 and not pending.published
    assert version_in_effect(draft, date(2027, 3, 1)).number == 1  # not yet published
    service.publish(scheme=Scheme.objects.get(pk=draft.pk), by=editor_94, on=date(2027, 3, 1))
    assert version_in_effect(draft, date(2027, 2, 28)).number == 1
    assert version_in_effect(draft, date(2027, 3, 1)).number == 2
    # A simulation dated before the new version still uses the old one.
    assert next(r for r in simulate(profile(10))["results"] if r["scheme"] == draft.slug)["rules_version"] == 1


def test_preview_on_a_test_profile(draft):
    result = service.preview(rules=RULES, profile=profile(30), scheme=draft)
    assert result["status"] == "ineligible"


def test_back_office_page_shows_statistics_and_preview(client, operator, draft):
    login(client, operator)
    assert "Prime à l&#x27;embauche" in client.get(reverse("aids:manage_list")).content.decode()
    data = {**{k: v for k, v in VALUES.items() if v is not None}, "perimeter": "ept:200058014",
            "rules": json.dumps(RULES), "test_profile": json.dumps(profile(10)), "preview": "1"}
    html = client.post(reverse("aids:manage", args=[draft.slug]), data).content.decode()
    assert "Aperçu du simulateur : eligible" in html and "Prime : 3" in html


def test_closing_keeps_the_scheme_visible(draft, operator, editor_94, client):
    service.ask_review(scheme=draft, by=operator)
    service.publish(scheme=draft, by=editor_94, on=date(2027, 1, 15))
    service.close(scheme=Scheme.objects.get(pk=draft.pk), by=operator, on=date(2027, 6, 30))
    closed = Scheme.objects.get(pk=draft.pk)
    assert closed.status == "closed" and closed.closes_on == date(2027, 6, 30)
    assert client.get(reverse("aids:detail", args=[closed.slug])).status_code == 200


def _creation_form(**extra):
    return {"name": "Prime à la création", "summary": "Une prime", "beneficiary_kinds": ["company"],
            "perimeter": "ept:200058014", "rules": json.dumps(RULES), **extra}


def test_an_administrator_chooses_the_unit_that_carries_a_new_scheme(client, operator, operator_unit):
    """The administrator has no instructor unit of its own: the page asks which service carries the scheme
    (it was a server error), refuses without one, and creates the draft for the chosen one."""
    login(client, user_with_role(Role.ADMINISTRATOR, UnitFactory(name="Administration")))
    page = client.get(reverse("aids:manage_create")).content.decode()
    assert "Service porteur du dispositif" in page and "Service des aides" in page
    refused = client.post(reverse("aids:manage_create"), _creation_form())
    assert refused.status_code == 200
    assert "Choisissez le service qui porte le dispositif." in refused.content.decode()
    assert not Scheme.objects.filter(name="Prime à la création").exists()
    created = client.post(reverse("aids:manage_create"), _creation_form(unit=operator_unit.pk))
    scheme = Scheme.objects.get(name="Prime à la création")
    assert created.status_code == 302 and scheme.owner_unit == operator_unit


def test_an_instructor_of_one_unit_is_not_asked_for_it(client, operator, operator_unit):
    login(client, operator)
    assert "Service porteur" not in client.get(reverse("aids:manage_create")).content.decode()
    client.post(reverse("aids:manage_create"), _creation_form())
    assert Scheme.objects.get(name="Prime à la création").owner_unit == operator_unit
