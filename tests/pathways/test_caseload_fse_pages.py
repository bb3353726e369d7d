"""Caseload alerts at their boundaries, FSE questionnaires (who answers, when), right of access."""

import json
from datetime import date

import pytest
from django.urls import reverse

from levier.accounts.enums import Role
from levier.core.errors import InvalidInput
from levier.pathways import participants as service
from levier.pathways.caseload import alerts_for
from levier.pathways.enums import FseMoment
from levier.pathways.models import FseQuestionnaire, Step
from levier.pathways.questionnaires import record_questionnaire
from tests.factories import login, user_with_role

pytestmark = pytest.mark.django_db


class _Pathway:
    def __init__(self, entry_date):
        self.entry_date = entry_date


@pytest.mark.parametrize(("last_contact", "today", "alerted"), [
    (date(2024, 1, 31), date(2024, 3, 31), False),  # exactly two months (clipped to 31/03 - 2 months = 31/01)
    (date(2024, 1, 30), date(2024, 3, 31), True),
    (date(2024, 4, 30), date(2024, 6, 30), False),
    (date(2024, 4, 29), date(2024, 6, 30), True),
])
def test_no_contact_alert_after_two_months(last_contact, today, alerted):
    alerts = alerts_for(_Pathway(date(2024, 1, 2)), last_contact=last_contact, proposal=None, today=today)
    assert any("Aucun contact" in a for a in alerts) is alerted


@pytest.mark.parametrize(("today", "alerted"), [(date(2025, 7, 15), False), (date(2025, 7, 16), True)])
def test_pathway_beyond_18_months_alert(today, alerted):
    alerts = alerts_for(_Pathway(date(2024, 1, 15)), last_contact=today, proposal=None, today=today)
    assert any("plus de 18 mois" in a for a in alerts) is alerted


def test_the_caseload_shows_a_pending_exit_then_one_to_validate(client, plie, time_machine):
    pathway, referent = plie["pathways"][0], plie["referents"][0]
    service.add_step(pathway=pathway, by=referent, step=service.StepInput(**{
        "kind": "job", "contract": "cdi", "hours_per_month": 151, "start_date": date(2021, 3, 1)}))
    login(client, referent)
    time_machine.move_to(date(2021, 5, 1))
    assert "Sortie en attente de sa validation à 6 mois" in client.get(reverse("pathways:caseload")).content.decode()
    time_machine.move_to(date(2021, 9, 2))
    page = client.get(reverse("pathways:caseload")).content.decode()
    assert "Sortie positive à valider par le coordinateur (validable depuis le 01/09/2021)" in page


def test_the_referent_answers_the_entry_questionnaire_and_the_missing_answers_shrink(client, plie):
    pathway, referent = plie["pathways"][0], plie["referents"][0]
    login(client, referent)
    url = reverse("pathways:questionnaire", args=[pathway.pk, "entry"])
    before = client.get(url).content.decode()
    assert "questionnaire FSE non renseigné" in before
    response = client.post(url, {"answered_on": "2021-02-01", "labour_status": "unemployed", "homeless": "false",
                                 "third_country_national": "declined", "minority": "no", "other_disadvantaged": "yes"})
    assert response.status_code == 302
    answers = FseQuestionnaire.objects.get(pathway=pathway, moment=FseMoment.ENTRY)
    assert (answers.labour_status, answers.third_country_national, answers.homeless) == ("unemployed", "declined", False)
    page = client.get(reverse("pathways:participant", args=[pathway.pk])).content.decode()
    assert "questionnaire FSE non renseigné" not in page


def test_only_the_referent_and_the_coordinator_answer_the_questionnaire(plie):
    pathway = plie["pathways"][0]
    colleague = user_with_role(Role.REFERENT, plie["structures"][0].unit)
    with pytest.raises(InvalidInput):
        record_questionnaire(pathway=pathway, by=colleague, moment="entry", data={"answered_on": date(2021, 2, 1)})
    with pytest.raises(InvalidInput):
        record_questionnaire(pathway=pathway, by=plie["controller"], moment="entry", data={"answered_on": date(2021, 2, 1)})


def test_exit_and_follow_up_questionnaires_wait_for_their_dates(plie):
    pathway, coordinator = plie["pathways"][0], plie["coordinator"]
    with pytest.raises(InvalidInput, match="pas sorti"):
        record_questionnaire(pathway=pathway, by=coordinator, moment="exit", data={"answered_on": date(2021, 6, 1)})
    service.record_other_exit(pathway=pathway, by=coordinator, kind="moved", on=date(2021, 6, 30))
    pathway.refresh_from_db()
    record_questionnaire(pathway=pathway, by=coordinator, moment="exit", data={"answered_on": date(2021, 6, 30),
                                                                               "labour_status": "unemployed"})
    with pytest.raises(InvalidInput, match="30/12/2021"):
        record_questionnaire(pathway=pathway, by=coordinator, moment="follow_up",
                             data={"answered_on": date(2021, 12, 29)})
    record_questionnaire(pathway=pathway, by=coordinator, moment="follow_up", data={"answered_on": date(2021, 12, 30)})
    assert FseQuestionnaire.objects.filter(pathway=pathway).count() == 2


def test_fse_indicators_page_counts_and_lists_missing_answers_for_the_coordinator(client, plie):
    login(client, plie["coordinator"])
    page = client.get(reverse("pathways:fse", args=[plie["protocol"].slug]) + "?au=2021-12-31").content.decode()
    assert "CO01" in page and "CR09" in page and "Réponses manquantes" in page and "LAMBERT Aline" in page
    client.logout()
    login(client, plie["auditor"])
    page = client.get(reverse("pathways:fse", args=[plie["protocol"].slug]) + "?au=2021-12-31").content.decode()
    assert "CO01" in page and "LAMBERT" not in page


def test_right_of_access_gives_everything_held_to_the_coordinator_only(client, plie):
    pathway = plie["pathways"][0]
    service.record_contact(pathway=pathway, by=plie["referents"][0], kind="note", on=date(2021, 3, 2),
                           note="Souhaite travailler dans la logistique.")
    login(client, plie["referents"][0])
    assert client.get(reverse("pathways:access_export", args=[pathway.pk])).status_code == 403
    client.logout()
    login(client, plie["coordinator"])
    held = json.loads(client.get(reverse("pathways:access_export", args=[pathway.pk])).content)
    assert held["person"]["last_name"] == "Lambert"
    assert held["pathways"][0]["contacts"][0]["note"] == "Souhaite travailler dans la logistique."
    assert held["pathways"][0]["audit"], "who created and changed the file is part of what is held"
    assert [d["action"] for d in held["pathways"][0]["decisions"]] == ["Entrée dans le PLIE", "Éligibilité validée"]


def test_a_step_edit_updates_the_proposed_exit(client, plie):
    pathway, referent = plie["pathways"][0], plie["referents"][0]
    step = service.add_step(pathway=pathway, by=referent, step=service.StepInput(**{
        "kind": "job", "contract": "cdd", "hours_per_month": 70, "start_date": date(2021, 3, 1),
        "end_date": date(2021, 12, 31)}))
    login(client, referent)
    response = client.post(reverse("pathways:step_update", args=[pathway.pk, step.pk]), {
        "kind": "job", "contract": "cdd", "contract_subtype": "common", "hours_per_month": "80",
        "start_date": "2021-03-01", "end_date": "2021-12-31"})
    assert response.status_code == 302
    assert Step.objects.get(pk=step.pk).hours_per_month == 80


def test_the_first_step_comes_after_the_job_seeker_registration(plie):
    pathway, referent = plie["pathways"][0], plie["referents"][0]  # registered on 01/06/2020
    pathway.jobseeker_registered_on = date(2021, 3, 10)
    pathway.save()
    data = {"kind": "diagnostic", "start_date": date(2021, 3, 9)}
    with pytest.raises(InvalidInput, match="inscrit le 10/03/2021"):
        service.add_step(pathway=pathway, by=referent, step=service.StepInput(**data))
    service.add_step(pathway=pathway, by=referent, step=service.StepInput(**{**data, "start_date": date(2021, 3, 10)}))


def test_the_step_form_shows_only_the_fields_of_the_chosen_kind(client, plie):
    pathway, referent = plie["pathways"][0], plie["referents"][0]
    login(client, referent)
    url = reverse("pathways:step_create", args=[pathway.pk])
    training = client.get(url, {"kind": "training", "start_date": "2021-04-06"}).content.decode()
    assert 'name="training_qualifying"' in training and 'name="certifying_body"' in training
    assert 'name="contract"' not in training and 'name="hours_per_month"' not in training
    assert 'value="2021-04-06"' in training, "the date typed before the change of kind is kept"
    job = client.get(url, {"kind": "job"}).content.decode()
    assert 'name="contract"' in job and 'name="training_qualifying"' not in job


def test_a_job_turned_training_keeps_no_contract(client, plie):
    pathway, referent = plie["pathways"][0], plie["referents"][0]
    step = service.add_step(pathway=pathway, by=referent, step=service.StepInput(
        kind="job", contract="cdd", hours_per_month=70, start_date=date(2021, 3, 1), end_date=date(2021, 9, 30)))
    login(client, referent)
    response = client.post(reverse("pathways:step_update", args=[pathway.pk, step.pk]), {
        "kind": "training", "start_date": "2021-03-01", "end_date": "2021-09-30", "training_qualifying": "true",
        "contract": "cdd", "hours_per_month": "70"})
    assert response.status_code == 302
    saved = Step.objects.get(pk=step.pk)
    assert (saved.kind, saved.contract, saved.hours_per_month, saved.training_qualifying) == ("training", "", None, True)
