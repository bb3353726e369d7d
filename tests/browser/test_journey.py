"""End-to-end journey in headless Chromium, with axe-core on every page visited:
a company signs up with an existing SIREN, its membership is accepted by an
operator, then it sees only its organisation; a referent logs in with its
second factor and sees only what its role allows."""

import re

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from levier.accounts.enums import Role
from tests.factories import OrganisationFactory, UnitFactory, user_with_role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "Mot-de-passe-solide-2026"


def log_in(page, base, email, password=PASSWORD):
    page.goto(f"{base}/compte/connexion/")
    page.get_by_label("Adresse électronique").fill(email)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()


def log_out(page):
    page.get_by_role("button", name="Se déconnecter").first.click()


def test_company_signs_up_is_accepted_and_sees_only_its_organisation(referential, live_server, page, a11y):
    base = live_server.url
    company = OrganisationFactory(name="Ateliers du Sud (fictive)", siren="732829320")
    neighbour = OrganisationFactory(name="Entreprise voisine (fictive)")
    operator = user_with_role(Role.OPERATOR_INSTRUCTOR, UnitFactory(name="Fonds de revitalisation"), email="instructeur@exemple.test")
    hidden_person = OrganisationFactory(natural_person=True, name="Jeanne Porteuse-Secrète", owner_unit=UnitFactory())
    referent = user_with_role(Role.REFERENT, UnitFactory(name="PLIE"), email="referent@exemple.test")

    # Home page, then sign-up with the existing SIREN.
    page.goto(base + "/")
    a11y.check(page)
    page.get_by_role("link", name="Créer un compte").first.click()
    a11y.check(page)
    page.get_by_label("Prénom").fill("Nina")
    page.locator("#id_last_name").fill("Nouvelle")
    page.get_by_label("Adresse électronique").fill("nina@ateliers.test")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_label("SIREN ou SIRET de votre entreprise").fill("732 829 320")
    page.get_by_role("button", name="Créer mon compte").click()
    page.wait_for_url(re.compile(r"/tableau-de-bord/$"))
    assert "attend d'être acceptée" in page.content()
    assert "En attente" in page.inner_text("main")
    a11y.check(page)

    # Before acceptance, nothing of the organisation is visible.
    page.goto(base + "/organisations/")
    assert company.name not in page.inner_text("main")
    assert "0 organisation" in page.inner_text("main")
    log_out(page)

    # The operator accepts (the organisation has no member yet).
    log_in(page, base, operator.email)
    page.get_by_role("link", name="Demandes d'accès").first.click()
    a11y.check(page)
    page.get_by_role("button", name="Accepter la demande de nina@ateliers.test").click()
    assert "nina@ateliers.test acceptée" in page.inner_text("main")
    log_out(page)

    # The company now sees its organisation, and only it.
    log_in(page, base, "nina@ateliers.test")
    page.get_by_role("link", name="Mon organisation").first.click()
    text = page.inner_text("main")
    assert company.name in text
    assert neighbour.name not in text
    a11y.check(page)
    page.get_by_role("link", name=company.name).click()
    assert "732829320" in page.inner_text("main")
    a11y.check(page)
    page.goto(f"{base}/organisations/{neighbour.pk}/")
    assert "introuvable" in page.content().lower() or page.title().startswith("Not Found")
    log_out(page)

    # A referent: second factor, then the directory without natural persons of other units, no reports.
    log_in(page, base, referent.email)
    page.wait_for_url(re.compile(r"/compte/double-authentification/"))
    a11y.check(page)
    device = TOTPDevice.objects.get(user=referent)
    page.get_by_label("Code à 6 chiffres").fill(f"{totp(device.bin_key):06d}")
    page.get_by_role("button", name="Valider").click()
    page.wait_for_url(re.compile(r"/tableau-de-bord/$"))
    nav = page.inner_text("#navigation")
    assert "Organisations" in nav and "Rapports" not in nav and "Demandes d'accès" not in nav
    page.get_by_role("link", name="Organisations").first.click()
    text = page.inner_text("main")
    assert company.name in text and hidden_person.name not in text
    a11y.check(page)
    page.get_by_label("Nom ou SIREN").fill("voisine")
    page.wait_for_function("() => !document.querySelector('#organisation-rows').innerText.includes('Ateliers du Sud')")
    assert neighbour.name in page.inner_text("#organisation-rows")
    response = page.goto(f"{base}/rapports/territoires/")
    assert response.status == 403
    page.goto(f"{base}/territoires/?q=pertuis")
    assert "Pertuis" in page.inner_text("main")
    a11y.check(page)
    assert len(a11y.pages) >= 9
