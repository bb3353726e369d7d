"""A participant's pathway, from entry to exit (seed 002), as the referent and the coordinator live it.

Given a protocol animated by a coordinator's unit and a structure with its referent, when they record an
entry, a decision, steps, exits, transfers, contacts or the carry-over to the next protocol, then what they
see is right — and what the rules forbid is refused with a French message naming the field."""

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from levier.accounts.enums import Role
from levier.core.errors import InvalidInput
from levier.pathways import participants as service
from levier.pathways.models import Pathway, PathwayLog, Person, Protocol, ReferentChange, Step, Structure
from levier.territories.services import commune_by_code
from tests.factories import UnitFactory, login, user_with_role

pytestmark = pytest.mark.django_db

AIX, GARDANNE, AUBAGNE = "13001", "13041", "13005"


@pytest.fixture
def protocol(pathways_reference):
    protocol = Protocol.objects.get(slug="plie-pays-aix-2013-2017")
    protocol.unit = UnitFactory(name="Équipe d'animation du PLIE")
    protocol.save()
    Protocol.objects.filter(slug="plie-pays-aix-2018-2022").update(unit=protocol.unit)  # the same PLIE runs the next one
    return protocol


@pytest.fixture
def coordinator(protocol):
    return user_with_role(Role.PLIE_COORDINATOR, protocol.unit)


@pytest.fixture
def structure(protocol):
    return Structure.objects.create(protocol=protocol, unit=UnitFactory(name="Lot 1"), name="Association Lot 1", lot=1,
                                    starts_on=protocol.starts_on)


@pytest.fixture
def referent(structure):
    return user_with_role(Role.REFERENT, structure.unit, first_name="Rémi", last_name="Référent")


def entry(**fields) -> dict:
    return {"last_name": "Dupont", "first_name": "Jeanne", "sex": "F", "birth_date": date(1980, 5, 17),
            "commune": commune_by_code(AIX), "entry_date": date(2015, 1, 5), "notice_given_on": date(2015, 1, 5),
            "consent_on": date(2015, 1, 5), **fields}


def fields_of(exc) -> list[str]:
    return [e.field for e in exc.value.errors]


def message_of(exc, field: str) -> str:
    return next(e.message for e in exc.value.errors if e.field == field)


@pytest.fixture
def register(protocol, coordinator, structure, referent):
    def register(**fields):
        return service.register_participant(protocol=protocol, by=coordinator, entry=service.EntryInput(**entry(**fields)),
                                            structure=structure, referent=referent).pathway
    return register


@pytest.fixture
def active(register, coordinator):
    """An eligible participant, registered as a job seeker, followed by the referent."""
    pathway = register(jobseeker_registered_on=date(2014, 11, 2))
    return service.decide_eligibility(pathway=pathway, by=coordinator, eligible=True, criteria=["long_term_unemployed"],
                                      on=date(2015, 1, 12))


def cdi(start=date(2015, 1, 15), hours="80", **fields) -> dict:
    return {"kind": "job", "contract": "cdi", "start_date": start, "hours_per_month": Decimal(hours), **fields}


# ---------------------------------------------------------------- entry


def test_a_participant_living_in_the_territory_enters_awaiting_the_eligibility_decision(register, referent, structure):
    pathway = register()

    assert (pathway.status, pathway.commune.code, pathway.entry_date) == ("pending", AIX, date(2015, 1, 5))
    assert (str(pathway.person), pathway.referent, pathway.structure) == ("DUPONT Jeanne", referent, structure)
    assert list(pathway.logs.values_list("action", flat=True)) == ["Entrée dans le PLIE"]
    change = ReferentChange.objects.get(pathway=pathway)
    assert (change.to_referent, change.on, change.reason) == (referent, date(2015, 1, 5), "Référent à l'entrée")


def test_gardanne_the_day_before_it_joined_the_territory_is_refused_with_the_reason(register):
    with pytest.raises(InvalidInput) as exc:
        register(commune=commune_by_code(GARDANNE), entry_date=date(2013, 12, 31), notice_given_on=date(2013, 12, 31),
                 consent_on=date(2013, 12, 31))

    assert fields_of(exc) == ["commune"]
    assert message_of(exc, "commune") == ("La commune Gardanne (13041) n'appartient pas au territoire Pays d'Aix "
                                          "au 31/12/2013, date d'entrée.")
    assert not Pathway.objects.exists() and not Person.objects.exists()


def test_gardanne_the_day_it_joined_is_accepted(register):
    pathway = register(commune=commune_by_code(GARDANNE), entry_date=date(2014, 1, 1))

    assert pathway.commune.code == GARDANNE


def test_a_commune_outside_the_territory_is_refused(register):
    with pytest.raises(InvalidInput) as exc:
        register(commune=commune_by_code(AUBAGNE))

    assert message_of(exc, "commune").startswith("La commune Aubagne (13005) n'appartient pas au territoire Pays d'Aix")


def test_every_missing_value_is_listed(protocol, coordinator):
    with pytest.raises(InvalidInput) as exc:
        service.register_participant(protocol=protocol, by=coordinator, entry=service.EntryInput(**{"sex": ""}))

    assert fields_of(exc) == ["last_name", "first_name", "sex", "birth_date", "commune", "entry_date",
                              "notice_given_on", "consent_on"]
    assert message_of(exc, "consent_on") == "Le recueil du consentement doit être daté à l'entrée."


@pytest.mark.parametrize(("fields", "field", "message"), [
    ({"entry_date": date(2018, 1, 1)}, "entry_date", "Date d'entrée après la fin du protocole (31/12/2017)."),
    ({"birth_date": date(2015, 1, 5)}, "birth_date", "Date de naissance postérieure à la date d'entrée."),
    ({"sex": "H"}, "sex", "Sexe attendu : F, M ou X."),
    ({"prescriber_type": "anpe"}, "prescriber_type", "Type de prescripteur inconnu."),
    ({"jobseeker_registered_on": date(2015, 1, 6)}, "jobseeker_registered_on",
     "Inscription comme demandeur d'emploi postérieure à l'entrée : la renseigner sur le parcours une fois faite."),
])
def test_entry_checks(register, fields, field, message):
    with pytest.raises(InvalidInput) as exc:
        register(**fields)

    assert message_of(exc, field) == message


def test_the_last_day_of_the_protocol_is_still_an_entry(register):
    assert register(entry_date=date(2017, 12, 31)).entry_date == date(2017, 12, 31)


def test_the_same_person_twice_in_a_protocol_is_refused_naming_them(register):
    first = register()

    with pytest.raises(InvalidInput) as exc:
        register(last_name="DUPONT", first_name="jeanne", entry_date=date(2016, 3, 1))

    assert message_of(exc, "last_name") == (f"Participant déjà connu dans ce protocole : DUPONT Jeanne "
                                            f"(entré le 05/01/2015, n° {first.pk}).")
    assert Pathway.objects.count() == 1


@pytest.mark.parametrize(("field", "value"), [("birth_date", date(1980, 5, 18)), ("commune", "13095"),
                                              ("first_name", "Jeanine")])
def test_a_different_birth_date_commune_or_first_name_is_another_person(register, field, value):
    register()

    register(**{field: commune_by_code(value) if field == "commune" else value})

    assert Person.objects.count() == 2


def test_a_person_known_in_the_previous_protocol_is_attached_to_the_new_pathway(register, coordinator):
    first = register()
    later = Protocol.objects.get(slug="plie-pays-aix-2018-2022")

    registration = service.register_participant(protocol=later, by=coordinator, entry=service.EntryInput(**entry(
        entry_date=date(2019, 2, 4), notice_given_on=date(2019, 2, 4), consent_on=date(2019, 2, 4))))

    assert registration.attached_to_known_person
    assert registration.pathway.person == first.person and Person.objects.count() == 1


def test_a_person_known_elsewhere_who_already_has_a_pathway_here_under_another_commune(register, coordinator):
    register(commune=commune_by_code("13095"))
    later = Protocol.objects.get(slug="plie-pays-aix-2018-2022")
    dates = {"entry_date": date(2019, 2, 4), "notice_given_on": date(2019, 2, 4), "consent_on": date(2019, 2, 4)}
    here = service.register_participant(protocol=later, by=coordinator, entry=service.EntryInput(**entry(commune=commune_by_code("13095"),
                                                                                   **dates))).pathway
    Pathway.objects.filter(pk=here.pk).update(commune=commune_by_code(AIX))  # since moved to Aix

    with pytest.raises(InvalidInput) as exc:
        service.register_participant(protocol=later, by=coordinator, entry=service.EntryInput(**entry(commune=commune_by_code("13095"), **dates)))

    assert message_of(exc, "last_name") == (f"Participant déjà connu dans ce protocole : DUPONT Jeanne "
                                            f"(entré le 04/02/2019, n° {here.pk}).")


@pytest.mark.parametrize(("months", "given", "expected"), [
    (12, None, True), (11, None, False), (None, None, None), (24, False, False), (3, True, True),
])
def test_long_term_unemployment_is_derived_unless_given(register, months, given, expected):
    pathway = register(unemployment_months=months, long_term_unemployed=given)

    assert Pathway.objects.get(pk=pathway.pk).long_term_unemployed is expected


# ---------------------------------------------------------------- eligibility


def test_the_coordinator_admits_a_participant_with_the_criteria_met(register, coordinator):
    pathway = register()

    decided = service.decide_eligibility(pathway=pathway, by=coordinator, eligible=True,
                                         criteria=["minimum_income", "accumulated_difficulties"], on=date(2015, 1, 12))

    assert (decided.status, decided.eligibility_criteria, decided.eligibility_decided_on) == (
        "active", ["minimum_income", "accumulated_difficulties"], date(2015, 1, 12))
    log = decided.logs.last()
    assert (log.from_status, log.to_status, log.action, log.by) == ("pending", "active", "Éligibilité validée", coordinator)


def test_a_refusal_states_its_reason(register, coordinator):
    pathway = register()

    with pytest.raises(InvalidInput) as exc:
        service.decide_eligibility(pathway=pathway, by=coordinator, eligible=False, criteria=[], reason=" ", on=date(2015, 1, 12))
    assert message_of(exc, "reason") == "Motif obligatoire pour un refus."

    refused = service.decide_eligibility(pathway=pathway, by=coordinator, eligible=False, criteria=[],
                                         reason="Orientée vers la Mission locale.", on=date(2015, 1, 12))
    assert (refused.status, refused.eligibility_reason) == ("refused", "Orientée vers la Mission locale.")


@pytest.mark.parametrize(("criteria", "message"), [([], "Cocher au moins un critère d'entrée."),
                                                   (["rich"], "Critère inconnu : rich.")])
def test_admitting_needs_known_criteria(register, coordinator, criteria, message):
    with pytest.raises(InvalidInput) as exc:
        service.decide_eligibility(pathway=register(), by=coordinator, eligible=True, criteria=criteria, on=date(2015, 1, 12))

    assert message_of(exc, "criteria") == message


def test_only_the_coordinator_decides_and_only_once(register, coordinator, referent):
    pathway = register()
    with pytest.raises(InvalidInput, match="Seul le coordinateur du PLIE décide de l'éligibilité."):
        service.decide_eligibility(pathway=pathway, by=referent, eligible=True, criteria=["senior"], on=date(2015, 1, 12))

    service.decide_eligibility(pathway=pathway, by=coordinator, eligible=True, criteria=["senior"], on=date(2015, 1, 12))
    with pytest.raises(InvalidInput, match="Passage impossible de « En parcours » à « Non retenu »"):
        service.decide_eligibility(pathway=pathway, by=coordinator, eligible=False, criteria=[], reason="Erreur",
                                   on=date(2015, 1, 13))


# ---------------------------------------------------------------- job-seeker registration and steps


def test_a_first_step_needs_the_job_seeker_registration(register, coordinator, referent):
    pathway = service.decide_eligibility(pathway=register(), by=coordinator, eligible=True, criteria=["senior"],
                                         on=date(2015, 1, 12))

    with pytest.raises(InvalidInput) as exc:
        service.add_step(pathway=pathway, by=referent, step=service.StepInput(**{"kind": "diagnostic", "start_date": date(2015, 1, 20)}))

    assert fields_of(exc) == ["jobseeker_registered_on"]
    assert "requise avant la première étape, sauf dérogation du coordinateur" in message_of(exc, "jobseeker_registered_on")
    service.record_registration(pathway=pathway, by=referent, on=date(2015, 1, 19))
    step = service.add_step(pathway=pathway, by=referent, step=service.StepInput(**{"kind": "diagnostic", "start_date": date(2015, 1, 20)}))
    assert (step.kind, step.created_by) == ("diagnostic", referent)


def test_the_coordinator_may_waive_the_registration_with_a_reason(register, coordinator, referent):
    pathway = service.decide_eligibility(pathway=register(), by=coordinator, eligible=True, criteria=["senior"],
                                         on=date(2015, 1, 12))
    with pytest.raises(InvalidInput, match="Seul le coordinateur peut lever l'obligation d'inscription."):
        service.override_registration(pathway=pathway, by=referent, reason="Inscription en cours")
    with pytest.raises(InvalidInput, match="Motif obligatoire."):
        service.override_registration(pathway=pathway, by=coordinator, reason="  ")

    pathway = service.override_registration(pathway=pathway, by=coordinator,
                                            reason="Inscription impossible : titre de séjour en cours.")

    step = service.add_step(pathway=pathway, by=referent, step=service.StepInput(**{"kind": "remobilisation", "start_date": date(2015, 1, 20)}))
    assert step.pk and pathway.registration_override == "Inscription impossible : titre de séjour en cours."
    assert pathway.logs.filter(action="Dérogation à l'inscription comme demandeur d'emploi", by=coordinator).exists()


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"kind": "diagnostic", "start_date": date(2015, 1, 4)}, "start_date", "Début avant l'entrée dans le PLIE (05/01/2015)."),
    ({"kind": "diagnostic", "start_date": date(2015, 3, 1), "end_date": date(2015, 2, 28)}, "end_date", "Fin avant le début."),
    ({"kind": "job", "contract": "cdi", "start_date": date(2015, 3, 1)}, "hours_per_month",
     "Heures par mois obligatoires pour un CDI ou un CDD."),
    ({"kind": "job", "contract": "cdd", "start_date": date(2015, 3, 1), "hours_per_month": Decimal(100)}, "end_date",
     "Un CDD a une date de fin."),
    ({"kind": "job", "contract": "stage", "start_date": date(2015, 3, 1)}, "contract", "Contrat attendu : CDI, CDD ou intérim."),
    ({"kind": "training", "start_date": date(2015, 3, 1), "end_date": date(2015, 10, 1)}, "training_qualifying",
     "Préciser si la formation est qualifiante."),
    ({"kind": "iae", "start_date": date(2015, 3, 1)}, "iae_kind", "Structure d'insertion attendue : ACI, EI, ETTI, AI ou GEIQ."),
    ({"kind": "voyage", "start_date": date(2015, 3, 1)}, "kind", "Type d'étape inconnu."),
    ({**cdi(hours="-1")}, "hours_per_month", "Heures par mois : nombre positif ou nul attendu."),
])
def test_step_checks(active, referent, data, field, message):
    with pytest.raises(InvalidInput) as exc:
        service.add_step(pathway=active, by=referent, step=service.StepInput(**data))

    assert message_of(exc, field) == message
    assert not Step.objects.exists()


def test_the_first_day_of_the_pathway_may_hold_a_step(active, referent):
    assert service.add_step(pathway=active, by=referent, step=service.StepInput(**{"kind": "diagnostic", "start_date": date(2015, 1, 5)})).pk


def test_no_step_before_the_eligibility_decision(register, referent):
    pathway = register(jobseeker_registered_on=date(2014, 11, 2))

    with pytest.raises(InvalidInput) as exc:
        service.add_step(pathway=pathway, by=referent, step=service.StepInput(**{"kind": "diagnostic", "start_date": date(2015, 1, 20)}))

    assert message_of(exc, "status") == "Parcours « En attente de la décision d'éligibilité » : pas de nouvelle étape."


def test_another_referent_may_not_change_the_pathway(active, structure):
    other = user_with_role(Role.REFERENT, structure.unit)

    with pytest.raises(InvalidInput, match="Vous ne suivez pas ce participant."):
        service.add_step(pathway=active, by=other, step=service.StepInput(**{"kind": "diagnostic", "start_date": date(2015, 1, 20)}))


def test_a_step_is_updated_as_it_becomes_known(active, referent):
    step = service.add_step(pathway=active, by=referent, step=service.StepInput(**{
        "kind": "job", "contract": "cdd", "start_date": date(2015, 2, 2), "end_date": date(2015, 5, 31),
        "hours_per_month": Decimal("120")}))
    with pytest.raises(InvalidInput) as exc:
        service.update_step(step=step, by=referent, changes=replace(service.step_input(step), end_date=date(2015, 2, 1)))
    assert message_of(exc, "end_date") == "Fin avant le début."

    service.update_step(step=step, by=referent, changes=replace(service.step_input(step), end_date=date(2015, 8, 31)))

    assert Step.objects.get(pk=step.pk).end_date == date(2015, 8, 31)


# ---------------------------------------------------------------- exits


def test_a_cdi_is_validated_by_the_coordinator_six_months_after_it_started(active, referent, coordinator):
    step = service.add_step(pathway=active, by=referent, step=service.StepInput(**cdi()))
    with pytest.raises(InvalidInput) as exc:
        service.validate_exit(pathway=active, by=coordinator, step=step, as_of=date(2015, 7, 14))
    assert message_of(exc, "step").startswith("Sortie non positive au 14/07/2015 selon les règles du protocole.")
    assert "Validation possible le 15/07/2015." in message_of(exc, "step")
    with pytest.raises(InvalidInput, match="Seul le coordinateur valide les sorties."):
        service.validate_exit(pathway=active, by=referent, step=step, as_of=date(2015, 7, 15))

    pathway = service.validate_exit(pathway=active, by=coordinator, step=step, as_of=date(2015, 7, 15))

    assert (pathway.status, pathway.exit_kind, pathway.exit_source, pathway.exit_category) == (
        "exited", "cdi", "rule", "employment")
    assert (pathway.exit_date, pathway.exit_validated_on, pathway.exit_step) == (date(2015, 7, 15), date(2015, 7, 15), step)
    assert pathway.logs.last().action == "Sortie positive validée"


def test_a_cdi_under_76_hours_a_month_is_not_a_positive_exit(active, referent, coordinator):
    step = service.add_step(pathway=active, by=referent, step=service.StepInput(**cdi(hours="75.99")))

    with pytest.raises(InvalidInput) as exc:
        service.validate_exit(pathway=active, by=coordinator, step=step, as_of=date(2015, 9, 1))

    assert "CDI de 75,99 h par mois : moins de 76,00 h par mois (mi-temps requis)." in message_of(exc, "step")
    assert Pathway.objects.get(pk=active.pk).status == "active"


def test_the_proposed_exit_is_the_earliest_validated_one(active, referent):
    service.add_step(pathway=active, by=referent, step=service.StepInput(**cdi(start=date(2015, 1, 15))))
    training = service.add_step(pathway=active, by=referent, step=service.StepInput(**{
        "kind": "training", "start_date": date(2015, 3, 2), "end_date": date(2015, 9, 2), "training_qualifying": True}))
    short = service.add_step(pathway=active, by=referent, step=service.StepInput(**{
        "kind": "job", "contract": "cdd", "start_date": date(2015, 2, 2), "end_date": date(2015, 3, 31),
        "hours_per_month": Decimal("120")}))

    proposal = service.proposed_exit(active, as_of=date(2015, 9, 30))
    assert (proposal.step, proposal.outcome, proposal.classification.validated_on) == (training, "positive", date(2015, 3, 2))
    # Before any validation date, the pending CDI is shown; with only the short CDD, why it does not count.
    assert service.proposed_exit(active, as_of=date(2015, 3, 1)).outcome == "pending"
    only_short = service.proposed_exit(active, as_of=date(2015, 9, 30), steps=[short])
    assert only_short.outcome == "not_positive" and "avant 6 mois" in only_short.classification.reasons[0]


def test_a_committee_exit_counts_in_its_category_and_is_shown_apart(active, coordinator):
    pathway = service.record_committee_exit(pathway=active, by=coordinator, on=date(2015, 11, 30), category="training",
                                            reason="Formation de 5 mois menant à un titre professionnel.")

    assert (pathway.status, pathway.exit_kind, pathway.exit_source, pathway.exit_category) == (
        "exited", "committee", "committee", "training")
    assert (pathway.exit_date, pathway.exit_validated_on) == (date(2015, 11, 30), date(2015, 11, 30))


@pytest.mark.parametrize(("fields", "field", "message"), [
    ({"category": "holidays"}, "category", "Catégorie attendue : emploi, formation ou création d'activité."),
    ({"reason": " "}, "reason", "Motif de la décision du comité obligatoire."),
    ({"on": date(2015, 1, 4)}, "on", "Date avant l'entrée dans le PLIE."),
    ({"on": None}, "on", "Date de la décision du comité obligatoire."),
])
def test_committee_exit_checks(active, coordinator, fields, field, message):
    values = {"on": date(2015, 11, 30), "category": "employment", "reason": "CDI de 70 h par mois, jugé durable.", **fields}

    with pytest.raises(InvalidInput) as exc:
        service.record_committee_exit(pathway=active, by=coordinator, **values)

    assert message_of(exc, field) == message
    assert Pathway.objects.get(pk=active.pk).status == "active"


def test_only_the_coordinator_records_a_committee_decision(active, referent):
    with pytest.raises(InvalidInput, match="Seul le coordinateur enregistre les décisions du comité."):
        service.record_committee_exit(pathway=active, by=referent, on=date(2015, 11, 30), category="employment",
                                      reason="Décision du comité.")


def test_the_referent_records_an_exit_without_a_job(active, referent):
    with pytest.raises(InvalidInput) as exc:
        service.record_other_exit(pathway=active, by=referent, kind="other", on=date(2015, 6, 1))
    assert message_of(exc, "reason").startswith("Préciser le motif")
    with pytest.raises(InvalidInput) as exc:
        service.record_other_exit(pathway=active, by=referent, kind="dropout", on=date(2015, 1, 4))
    assert message_of(exc, "on") == "Date de sortie avant l'entrée."

    pathway = service.record_other_exit(pathway=active, by=referent, kind="moved", on=date(2015, 1, 5), reason="Lyon")

    assert (pathway.status, pathway.exit_kind, pathway.exit_source, pathway.exit_date, pathway.exit_category) == (
        "exited", "moved", "other", date(2015, 1, 5), "")


def test_the_coordinator_cancels_an_exit_recorded_by_mistake(active, referent, coordinator):
    service.record_other_exit(pathway=active, by=referent, kind="dropout", on=date(2015, 6, 1))
    with pytest.raises(InvalidInput, match="Seul le coordinateur annule une sortie."):
        service.cancel_exit(pathway=active, by=referent, reason="Erreur")
    with pytest.raises(InvalidInput, match="Motif obligatoire."):
        service.cancel_exit(pathway=active, by=coordinator, reason="")

    pathway = service.cancel_exit(pathway=active, by=coordinator, reason="Saisie sur le mauvais participant.")

    assert (pathway.status, pathway.exit_kind, pathway.exit_date, pathway.exit_source) == ("active", "", None, "")
    assert pathway.logs.last().reason == "Saisie sur le mauvais participant."


# ---------------------------------------------------------------- referent and contacts


def test_a_transfer_to_another_structure_is_kept_in_the_history(active, protocol, coordinator, referent, structure):
    other = Structure.objects.create(protocol=protocol, unit=UnitFactory(), name="Lot 2", lot=2, starts_on=protocol.starts_on)
    newcomer = user_with_role(Role.REFERENT, other.unit)

    pathway = service.transfer(pathway=active, by=coordinator, to_referent=newcomer, to_structure=other, on=date(2016, 1, 4),
                               reason="Déménagement à Pertuis")

    assert (pathway.referent, pathway.structure) == (newcomer, other)
    change = ReferentChange.objects.filter(pathway=pathway).last()
    assert (change.from_referent, change.to_referent, change.from_structure, change.to_structure, change.on) == (
        referent, newcomer, structure, other, date(2016, 1, 4))


def test_transfer_checks(active, pathways_reference, coordinator, referent, structure):
    later = Protocol.objects.get(slug="plie-pays-aix-2018-2022")
    elsewhere = Structure.objects.create(protocol=later, unit=UnitFactory(), name="Lot 2022", starts_on=later.starts_on)
    outsider = user_with_role(Role.REFERENT, UnitFactory())

    for to_referent, to_structure, field in ((referent, structure, "to_referent"), (outsider, structure, "to_referent"),
                                             (referent, elsewhere, "to_structure")):
        with pytest.raises(InvalidInput) as exc:
            service.transfer(pathway=active, by=coordinator, to_referent=to_referent, to_structure=to_structure,
                             on=date(2016, 1, 4))
        assert field in fields_of(exc)
    with pytest.raises(InvalidInput, match="Seul le coordinateur transfère un participant."):
        service.transfer(pathway=active, by=referent, to_referent=referent, to_structure=structure, on=date(2016, 1, 4))


def test_contacts_of_the_referent(active, referent, structure):
    with pytest.raises(InvalidInput) as exc:
        service.record_contact(pathway=active, by=referent, kind="note", on=date(2015, 2, 1), note="  ")
    assert message_of(exc, "note") == "Une note a un texte."
    with pytest.raises(InvalidInput, match="Vous ne suivez pas ce participant."):
        service.record_contact(pathway=active, by=user_with_role(Role.REFERENT, structure.unit), kind="phone",
                               on=date(2015, 2, 1))

    contact = service.record_contact(pathway=active, by=referent, kind="appointment", on=date(2015, 2, 1), held=False)

    assert (contact.kind, contact.held, contact.author) == ("appointment", False, referent)


# ---------------------------------------------------------------- carry-over


def test_participants_still_in_a_pathway_carry_over_to_the_next_protocol(active, register, coordinator, referent):
    exited = register(last_name="Martin", jobseeker_registered_on=date(2014, 11, 2))
    service.decide_eligibility(pathway=exited, by=coordinator, eligible=True, criteria=["senior"], on=date(2015, 1, 12))
    service.record_other_exit(pathway=exited, by=referent, kind="dropout", on=date(2016, 1, 1))
    pending = register(last_name="Petit")
    old, later = Protocol.objects.get(slug="plie-pays-aix-2013-2017"), Protocol.objects.get(slug="plie-pays-aix-2018-2022")
    with pytest.raises(InvalidInput, match="ne fait pas suite à"):
        service.carry_over(from_protocol=later, to_protocol=old, by=coordinator)

    assert service.carry_over(from_protocol=old, to_protocol=later, by=coordinator) == 1

    carried = Pathway.objects.get(protocol=later)
    assert (carried.person, carried.entry_date, carried.referent, carried.status) == (
        active.person, date(2015, 1, 5), referent, "active")
    assert (carried.carried_over_from, carried.long_term_unemployed, carried.jobseeker_registered_on) == (
        active, active.long_term_unemployed, date(2014, 11, 2))
    assert dict(Pathway.objects.filter(protocol=old).values_list("person__last_name", "status")) == {
        "Dupont": "carried_over", "Martin": "exited", "Petit": "pending"}
    assert PathwayLog.objects.filter(pathway=carried, action__startswith="Repris du protocole").exists()
    assert pending.pk and service.carry_over(from_protocol=old, to_protocol=later, by=coordinator) == 0  # done once


@pytest.mark.parametrize(("on", "today", "message"), [
    (date(2018, 1, 1), date(2019, 1, 1), "Date après la fin du protocole (31/12/2017)."),
    (date(2016, 3, 2), date(2016, 3, 1), "Une sortie ne s'enregistre pas à l'avance (date après le 01/03/2016)."),
])
def test_an_exit_is_dated_within_the_protocol_and_not_ahead(active, referent, coordinator, on, today, message):
    with pytest.raises(InvalidInput) as exc:
        service.record_other_exit(pathway=active, by=referent, kind="dropout", on=on, today=today)
    assert message_of(exc, "on") == message
    with pytest.raises(InvalidInput) as exc:
        service.record_committee_exit(pathway=active, by=coordinator, on=on, category="employment",
                                      reason="CDI jugé durable.", today=today)
    assert message_of(exc, "on") == message
    assert Pathway.objects.get(pk=active.pk).status == "active"
    # the last day of the protocol, recorded that day, is within it
    last = service.record_other_exit(pathway=active, by=referent, kind="moved", on=date(2017, 12, 31),
                                     today=date(2017, 12, 31))
    assert (last.status, last.exit_date) == ("exited", date(2017, 12, 31))


def test_an_exited_pathway_is_not_exited_again(active, referent):
    service.record_other_exit(pathway=active, by=referent, kind="moved", on=date(2015, 6, 1))
    with pytest.raises(InvalidInput) as exc:
        service.record_other_exit(pathway=active, by=referent, kind="dropout", on=date(2015, 7, 1))
    assert message_of(exc, "status").startswith("Parcours « Sorti »")
    assert Pathway.objects.get(pk=active.pk).exit_kind == "moved"


def test_the_exit_form_asks_for_a_chosen_reason_a_date_and_a_confirmation(active, referent, client):
    login(client, referent)
    page = client.get(f"/plie/participants/{active.pk}/").content.decode()
    assert '<option value="" selected disabled>— Choisir le motif —</option>' in page
    assert 'id="other-on" name="on" required' in page  # no date filled in for the user
    url = f"/plie/participants/{active.pk}/autre-sortie/"
    response = client.post(url, {"kind": "dropout", "on": "2015-06-01"}, follow=True)
    assert "Cochez la confirmation : la sortie clôt le parcours." in response.content.decode()
    assert Pathway.objects.get(pk=active.pk).status == "active"
    client.post(url, {"kind": "dropout", "on": "2015-06-01", "confirm": "1"})
    assert Pathway.objects.get(pk=active.pk).status == "exited"


def test_only_the_coordinator_or_a_referent_in_their_structure_registers(protocol, structure, referent):
    other = Structure.objects.create(protocol=protocol, unit=UnitFactory(name="Lot 2"), name="Lot 2", lot=2,
                                     starts_on=protocol.starts_on)
    auditor = user_with_role(Role.AUDITOR, UnitFactory(), scope_units=[protocol.unit])
    for who, where in ((referent, other), (referent, None), (auditor, structure)):
        with pytest.raises(InvalidInput, match="inscrit un participant"):
            service.register_participant(protocol=protocol, by=who, entry=service.EntryInput(**entry()), structure=where)
    assert not Pathway.objects.exists()
    registration = service.register_participant(protocol=protocol, by=referent, entry=service.EntryInput(**entry()),
                                                structure=structure, referent=referent)
    assert registration.pathway.structure == structure


def test_a_registration_takes_only_the_fields_of_an_entry(protocol, coordinator, register):
    """Typed input: a key that is not a field of an entry is a programming error, never copied onto the
    pathway; an identifier of the other tool is checked like any other field."""
    with pytest.raises(TypeError):
        service.EntryInput(**entry(status="exited"))
    register(external_id="OUTIL-1")
    with pytest.raises(InvalidInput) as exc:
        register(last_name="Autre", external_id="OUTIL-1")
    assert message_of(exc, "external_id") == "Identifiant « OUTIL-1 » déjà pris dans ce protocole."
