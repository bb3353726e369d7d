"""A protocol's parameters set by its coordinator: checked at their bounds, applied by the exit rules and the
report, changes kept in the audit trail and shown with who made them."""

import html
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from levier.core.errors import InvalidInput
from levier.pathways.models import Protocol
from levier.pathways.protocol_settings import Parameters, check_parameters, update_protocol_parameters
from levier.pathways.services import classify
from tests.factories import login

pytestmark = pytest.mark.django_db
D = Decimal
SEED = Parameters(min_hours_per_month=D("76"), interim_short_months=6, interim_short_hours=D("624"),
                  interim_long_months=9, interim_long_hours=D("936"), step_subtypes=(), training_cap=D("0.08"),
                  targets={"participants": 5700, "success_rate": D("0.5")})
KEYS = {"participants", "success_rate"}


def fields_of(errors) -> list[str]:
    return [e.field for e in errors]


def test_seed_002_values_hold():
    assert check_parameters(SEED, KEYS) == []


@pytest.mark.parametrize(("change", "field"), [
    ({"min_hours_per_month": D("0")}, "min_hours_per_month"),
    ({"min_hours_per_month": D("151.68")}, "min_hours_per_month"),
    ({"interim_short_months": 0}, "interim_short_months"),
    ({"interim_long_months": 25}, "interim_long_months"),
    ({"interim_short_months": 9}, "interim_long_months"),  # the short run must be shorter than the long one
    ({"interim_long_hours": D("0")}, "interim_long_hours"),
    ({"step_subtypes": ("cdi",)}, "step_subtypes"),
    ({"training_cap": D("1.01")}, "training_cap"),
    ({"training_cap": D("-0.01")}, "training_cap"),
    ({"targets": {"participants": -1, "success_rate": D("0.5")}}, "objective_participants"),
    ({"targets": {"participants": D("10.5"), "success_rate": D("0.5")}}, "objective_participants"),
    ({"targets": {"participants": 5700, "success_rate": D("1.2")}}, "objective_success_rate"),
    ({"targets": {"participants": 5700, "success_rate": None}}, "objective_success_rate"),
    ({"targets": {"participants": 5700, "success_rate": D("0.5"), "unknown": 3}}, "objective_unknown"),
])
def test_each_parameter_out_of_its_bounds_is_named(change, field):
    assert fields_of(check_parameters(replace(SEED, **change), KEYS)) == [field]


@pytest.mark.parametrize("change", [{"min_hours_per_month": D("151.67")}, {"min_hours_per_month": D("0.5")},
                                    {"interim_short_months": 1, "interim_long_months": 24}, {"training_cap": D("0")},
                                    {"training_cap": D("1")}, {"step_subtypes": ("alternance", "contrat_aide")}])
def test_bounds_themselves_are_accepted(change):
    assert check_parameters(replace(SEED, **change), KEYS) == []


def case(**values):
    return {"kind": "cdi", "start_date": "2024-01-15", "as_of": "2024-08-01", "hours_per_month": 60,
            "protocol": "plie-pays-aix-2018-2022", **values}


def test_the_exit_rules_follow_the_protocols_values(pathways_reference):
    protocol = Protocol.objects.get(slug="plie-pays-aix-2018-2022")
    assert classify(case())["outcome"] == "not_positive"  # 60 h < 76 h
    assert classify(case(contract_subtype="alternance"))["outcome"] == "not_positive"

    current = Parameters.of(protocol)
    assert update_protocol_parameters(protocol, replace(current, min_hours_per_month=D("60"), step_subtypes=("alternance",)))
    assert classify(case())["outcome"] == "positive"
    apprentice = classify(case(contract_subtype="alternance"))
    assert apprentice["outcome"] == "not_positive" and "étape de parcours" in apprentice["reasons"][0]
    assert classify(case(contract_subtype="cddi_siae"))["outcome"] == "not_positive"  # always a step
    assert classify(case(contract_subtype="contrat_aide"))["outcome"] == "positive"  # a common contract here
    other = classify({**case(), "protocol": "plie-pays-aix-2013-2017"})
    assert other["outcome"] == "not_positive"  # the other protocol keeps its own values


def test_nothing_is_saved_when_one_value_is_refused(pathways_reference):
    protocol = Protocol.objects.get(slug="plie-pays-aix-2018-2022")
    before = Parameters.of(protocol)
    with pytest.raises(InvalidInput) as exc:
        update_protocol_parameters(protocol, replace(before, min_hours_per_month=D("60"), training_cap=D("2")))
    assert fields_of(exc.value.errors) == ["training_cap"]
    assert Parameters.of(Protocol.objects.get(pk=protocol.pk)) == before
    assert update_protocol_parameters(protocol, before) is False  # the same values: nothing to change


def test_the_training_cap_and_targets_drive_the_dashboard(plie):
    from levier.pathways.report import protocol_report

    protocol = plie["protocol"]
    parameters = Parameters.of(protocol)
    update_protocol_parameters(protocol, replace(parameters, targets={**parameters.targets, "participants": 1234,
                                                                      "success_rate": D("0.55")}))
    report = protocol_report(Protocol.objects.get(pk=protocol.pk), as_of=date(2022, 12, 31))
    assert report["objectives"]["participants"]["target"] == 1234
    assert report["objectives"]["success_rate"]["target"] == "0.5500"


def test_the_coordinator_changes_the_parameters_in_french_and_sees_the_history(client, plie):
    protocol = plie["protocol"]
    url = reverse("pathways:parameters", args=[protocol.slug])
    login(client, plie["coordinator"])
    page = client.get(url)
    form = page.context["form"]
    data = {name: form.initial.get(name) for name in form.fields}
    assert data["min_hours_per_month"] == D("76") and data["training_cap"] == D("8") and data["objective_success_rate"] == 50
    data.update(min_hours_per_month="70,5", training_cap="10", step_subtypes=["contrat_aide"], objective_training_rate="10")
    saved = client.post(url, {k: v for k, v in data.items() if v is not None}, follow=True)
    text = html.unescape(saved.content.decode())
    assert "Paramètres enregistrés" in text
    protocol.refresh_from_db()
    assert (protocol.min_hours_per_month, protocol.training_cap, protocol.step_subtypes) == (D("70.5"), D("0.1"),
                                                                                            ["contrat_aide"])
    assert protocol.objectives.get(key="training_rate").rate == D("0.1")
    assert "Coline Coordinatrice" in text and "heures mensuelles minimales (CDI, CDD) : 76 → 70,5" in text
    assert "plafond des sorties en formation (part des participants) : 8 % → 10 %" in text
    assert "contrats considérés comme étapes de parcours : aucun → Contrat aidé" in text
    assert "Objectif : dont formation qualifiante" in text and "cible (taux) : 8 % → 10 %" in text

    refused = html.unescape(client.post(url, {**{k: v for k, v in data.items() if v is not None},
                                               "interim_short_months": "12"}).content.decode())
    assert "La durée longue de l'intérim dépasse la durée courte." in refused
    protocol.refresh_from_db()
    assert protocol.interim_short_months == 6


@pytest.mark.parametrize("who", ["referents", "auditor", "controller"])
def test_only_the_coordinator_sets_the_parameters(client, plie, who):
    user = plie[who][0] if who == "referents" else plie[who]
    login(client, user)
    url = reverse("pathways:parameters", args=[plie["protocol"].slug])
    assert client.get(url).status_code == 403
    assert client.post(url, {"min_hours_per_month": "1"}).status_code == 403


def test_the_form_shows_values_as_typed(client, plie):
    protocol = plie["protocol"]
    update_protocol_parameters(protocol, replace(Parameters.of(protocol), training_cap=D("0.1"),
                                                 interim_short_hours=D("600.50")))
    login(client, plie["coordinator"])
    page = html.unescape(client.get(reverse("pathways:parameters", args=[protocol.slug])).content.decode())
    assert 'name="training_cap" value="10"' in page and 'name="interim_short_hours" value="600,5"' in page
    assert 'name="min_hours_per_month" value="76"' in page
    assert "plafond des sorties en formation (part des participants) : 8 % → 10 %" in page
    assert "équipe d'animation" not in page  # the history tells what this page sets only
