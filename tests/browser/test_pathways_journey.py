"""End-to-end in headless Chromium, axe-core on each page: a referent enters a participant, the
coordinator validates the entry, the referent adds a CDD and sees the exit proposed as pending; six
months later (time moved) the rules propose it as positive and the coordinator validates it."""

import re
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "Mot-de-passe-solide-2026"
PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture
def plie_team(referential):
    from levier.accounts.enums import Role
    from levier.pathways.models import Protocol, Structure
    from levier.pathways.services import load_reference_protocols
    from levier.territories.models import Territory
    from tests.factories import OrganisationFactory, UnitFactory, user_with_role

    load_reference_protocols()
    plie_unit = UnitFactory(name="Animation du PLIE du Pays d'Aix")
    protocol = Protocol.objects.get(slug="plie-pays-aix-2018-2022")
    protocol.ends_on = date(2027, 12, 31)  # a protocol still running at the journey's dates
    protocol.unit = plie_unit
    protocol.save()
    lot = UnitFactory(organisation=OrganisationFactory(name="Association Parcours Sud (fictive)"), name="Équipe du lot 2")
    Structure.objects.create(protocol=protocol, unit=lot, name="Lot 2 — Sud", lot=2, starts_on=date(2018, 1, 1),
                             bassin=Territory.objects.get(kind="bassin", code="pays-aix-sud"))
    referent = user_with_role(Role.REFERENT, lot, email="referente@parcours-sud.test", first_name="Rose",
                              last_name="Référente")
    coordinator = user_with_role(Role.PLIE_COORDINATOR, plie_unit, email="coordinatrice@plie-aix.test",
                                 first_name="Coline", last_name="Coordinatrice")
    for user in (referent, coordinator):
        user.set_password(PASSWORD)
        user.save()
    return {"referent": referent, "coordinator": coordinator}


def signed_in(browser, base, user, a11y):
    page = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900}).new_page()
    page.goto(f"{base}/compte/connexion/")
    page.get_by_label("Adresse électronique").fill(user.email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(re.compile(r"/compte/double-authentification/"))
    device = TOTPDevice.objects.get(user=user)
    page.get_by_label("Code à 6 chiffres").fill(f"{totp(device.bin_key):06d}")
    page.get_by_role("button", name="Valider").click()
    page.wait_for_url(re.compile(r"/tableau-de-bord/$"))
    return page


def test_referent_enters_a_participant_and_the_coordinator_validates_the_exit(plie_team, live_server, browser, a11y):
    base = live_server.url
    with time_machine.travel(datetime(2024, 1, 15, 10, tzinfo=PARIS), tick=True):
        referent = signed_in(browser, base, plie_team["referent"], a11y)
        referent.get_by_role("link", name="Suivi PLIE").first.click()
        a11y.check(referent)
        referent.goto(f"{base}/plie/participants/")
        referent.get_by_role("link", name="Nouveau participant").click()
        a11y.check(referent)
        form = {"last_name": "Durand", "first_name": "Inès", "birth_date": "1988-04-12", "commune_code": "13117",
                "entry_date": "2024-01-15", "notice_given_on": "2024-01-15", "consent_on": "2024-01-15",
                "jobseeker_registered_on": "2023-09-01", "unemployment_months": "14"}
        for name, value in form.items():
            referent.locator(f"#id_{name}").fill(value)
        referent.locator("#id_sex").select_option("F")
        referent.locator("#id_rsa").select_option(label="Oui")
        referent.get_by_role("button", name="Enregistrer le participant").click()
        referent.wait_for_load_state("networkidle")
        assert "Participant enregistré" in referent.inner_text("main")
        assert "En attente de la décision d'éligibilité" in referent.text_content("#status")
        participant_url = referent.url
        a11y.check(referent)

        coordinator = signed_in(browser, base, plie_team["coordinator"], a11y)
        coordinator.goto(participant_url)
        coordinator.locator("label[for=criterion-minimum_income]").click()  # DSFR checkboxes: the label is clicked
        coordinator.locator("label[for=criterion-accumulated_difficulties]").click()
        coordinator.get_by_role("button", name="Valider l'entrée").click()
        coordinator.wait_for_load_state("networkidle")
        assert "En parcours" in coordinator.text_content("#status")
        a11y.check(coordinator)

        referent.reload()
        referent.get_by_role("link", name="Ajouter une étape").click()
        referent.wait_for_load_state("load")  # htmx is a deferred script: the kind's fields come once it runs
        referent.locator("#id_kind").select_option(label="Emploi")
        referent.locator("#id_start_date").fill("2024-01-22")
        referent.locator("#id_end_date").fill("2024-12-31")
        referent.locator("#id_contract").select_option(label="CDD")
        referent.locator("#id_hours_per_month").fill("120")
        referent.locator("#id_organisation_name").fill("Transports du Sud (fictive)")
        a11y.check(referent)
        referent.get_by_role("button", name="Enregistrer l'étape").click()
        referent.wait_for_load_state("networkidle")
        proposal = referent.inner_text("main")
        assert "Étape enregistrée" in proposal, proposal[:3000]
        assert "en attente" in proposal.lower(), proposal[:3000]
        assert "22/07/2024" in proposal  # V = start + 6 months
        a11y.check(referent)

    with time_machine.travel(datetime(2024, 7, 23, 10, tzinfo=PARIS), tick=True):
        referent = signed_in(browser, base, plie_team["referent"], a11y)
        referent.goto(participant_url)
        text = referent.inner_text("main")
        assert "positive" in text and "Valider la sortie positive" not in text  # the coordinator validates
        referent.goto(f"{base}/plie/suivi/")
        assert "Sortie positive à valider par le coordinateur" in referent.text_content("main")
        a11y.check(referent)

        coordinator = signed_in(browser, base, plie_team["coordinator"], a11y)
        coordinator.goto(participant_url)
        coordinator.get_by_role("button", name="Valider la sortie positive").click()
        coordinator.wait_for_load_state("networkidle")
        text = coordinator.text_content("main")
        assert "Sortie positive validée" in text and "Sorti" in coordinator.text_content("#status")
        assert "Emploi durable" in text and "22/07/2024" in text
        a11y.check(coordinator)


def test_the_coordinator_checks_a_file_then_imports_it_without_choosing_it_again(plie_team, live_server, browser, a11y,
                                                                                tmp_path):
    from levier.pathways.models import Pathway

    base = live_server.url
    upload = tmp_path / "participants-reprise.csv"
    upload.write_bytes("external_id;last_name;first_name;sex;birth_date;commune_insee;entry_date;rsa\n"
                       "R1;Marchal;Inès;F;12/03/1985;13001;2021-02-01;1\n"
                       "R2;Benali;Karim;M;1990-07-14;13001;2021-03-01;\n".encode("cp1252"))
    coordinator = signed_in(browser, base, plie_team["coordinator"], a11y)
    coordinator.goto(f"{base}/plie/protocoles/plie-pays-aix-2018-2022/import/")
    coordinator.locator("input[type=file]").set_input_files(upload)
    coordinator.get_by_role("button", name="Envoyer").click()
    assert "Fichier valide : 2 lignes, 2 parcours à créer, 0 à mettre à jour." in coordinator.inner_text("main")
    a11y.check(coordinator)
    assert not Pathway.objects.filter(external_id__in=["R1", "R2"]).exists()

    coordinator.get_by_role("button", name="Importer « participants-reprise.csv »").click()
    coordinator.wait_for_url(re.compile(r"/plie/protocoles/plie-pays-aix-2018-2022/$"))
    assert "2 parcours créés, 0 mis à jour." in coordinator.inner_text("main")
    assert Pathway.objects.get(external_id="R1").person.first_name == "Inès"


def test_the_coordinator_sets_the_protocols_parameters(plie_team, live_server, browser, a11y):
    from levier.pathways.models import Protocol

    base = live_server.url
    coordinator = signed_in(browser, base, plie_team["coordinator"], a11y)
    coordinator.goto(f"{base}/plie/protocoles/plie-pays-aix-2018-2022/")
    coordinator.get_by_role("link", name="Paramètres du protocole").click()
    a11y.check(coordinator)
    coordinator.get_by_label("Sorties en formation comptées").fill("9,5")
    coordinator.locator("label", has_text="Contrat aidé").click()  # the design system draws the box on the label
    coordinator.get_by_role("button", name="Enregistrer").click()
    assert "Paramètres enregistrés" in coordinator.inner_text("main")
    assert "8 % → 9,5 %" in coordinator.inner_text("main")
    a11y.check(coordinator)
    protocol = Protocol.objects.get(slug="plie-pays-aix-2018-2022")
    assert (protocol.training_cap, protocol.step_subtypes) == (Decimal("0.095"), ["contrat_aide"])
