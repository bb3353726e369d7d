"""End-to-end in headless Chromium, axe-core on each page: a DDETS agent records a revitalisation case, the
prefect's decision, a measure and the signature; for a case past its six months, the collection order for
the Treasury; a company makes its de minimis declaration."""

from datetime import date, timedelta

import pytest

from levier.core.dates import add_months

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "Mot-de-passe-solide-2026"


@pytest.fixture
def ddets(referential):
    from levier.accounts.enums import Role
    from tests.factories import OrganisationFactory, UnitFactory, user_with_role

    unit = UnitFactory(name="DDETS du Val-de-Marne")
    agent = user_with_role(Role.STEERING, unit, email="agent@ddets94.test")
    agent.set_password(PASSWORD)
    agent.save()
    return {"agent": agent, "unit": unit, "company": OrganisationFactory(name="Groupe Industriel Orlysien (fictif)")}


def log_in(page, base, email):
    page.goto(f"{base}/compte/connexion/")
    page.get_by_label("Adresse électronique").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_load_state("networkidle")


def in_form(page, button):
    return page.locator("form").filter(has=page.get_by_role("button", name=button, exact=True))


def submit(page, button):
    in_form(page, button).get_by_role("button", name=button, exact=True).click()
    page.wait_for_load_state("networkidle")
    return page.inner_text("main")


def test_a_case_from_notification_to_signature(ddets, live_server, page, a11y):
    today = date.today()
    notified, validated = today - timedelta(days=40), today - timedelta(days=20)
    log_in(page, live_server.url, "agent@ddets94.test")
    page.goto(f"{live_server.url}/fonds/conventions/")
    page.get_by_role("link", name="Nouvelle convention").click()
    a11y.check(page)
    page.get_by_label("Référence").fill("CR-94-RCC-001")
    page.get_by_label("SIREN de l'entreprise").fill(ddets["company"].siren)
    page.get_by_label("Procédure").select_option("rcc")
    page.get_by_label("Effectif de l'entreprise").fill("700")
    page.get_by_label("Effectif total du groupe").fill("2400")
    page.get_by_label("Date de notification").fill(notified.isoformat())
    page.get_by_label("Validation ou homologation notifiée le").fill(validated.isoformat())
    page.get_by_label("Emplois supprimés").fill("90")
    page.get_by_label("Reclassements dans l'entreprise ou le groupe (RCC : postes repourvus)").fill("10")
    page.get_by_label("Bassin d'emploi (code du territoire)").fill("94")
    page.get_by_role("button", name="Enregistrer la convention").click()
    page.wait_for_load_state("networkidle")
    text = page.inner_text("main")
    deadline = add_months(validated, 6)
    assert "Obligation de revitalisation" in text and "Groupe d'au moins 1 000 salariés" in text
    assert deadline.strftime("%d/%m/%Y") in text  # six months from the RCC's validation
    a11y.check(page)

    form = in_form(page, "Enregistrer la décision")
    form.get_by_label("Notifiée le").fill(today.isoformat())
    form.locator("label[for=subject-yes]").click()
    form.get_by_label("Motifs (obligatoires)").fill("Quatre-vingts emplois dans un bassin déjà touché")
    assert "Décision du préfet enregistrée." in submit(page, "Enregistrer la décision")
    assert "assujettie — Quatre-vingts emplois" in page.inner_text("main")

    form = in_form(page, "Enregistrer la mesure")
    form.get_by_label("Nature", exact=True).select_option("loan")
    form.get_by_label("Mesure", exact=True).fill("Prêt à une PME de Vitry")
    form.get_by_label("Engagée le").fill(today.isoformat())
    form.get_by_label("Montant (€)").fill("40 000")
    form.get_by_label("Prêt : sommes prêtées (€)").fill("100000")
    form.get_by_label("Emplois créés").fill("6")
    form.get_by_label("Engagée avant la signature : à quel titre ?").select_option("engaged")
    submit(page, "Enregistrer la mesure")
    table = page.get_by_role("table", name="Mesures de l'entreprise et ce qu'elles comptent (D1233-41)").inner_text()
    assert "30\u202f000\xa0€" in table and "30 % des sommes prêtées" in table

    form = in_form(page, "Enregistrer la signature")
    form.get_by_label("Signée le").fill(today.isoformat())
    form.get_by_label("Fin de la convention").fill(add_months(today, 36).isoformat())
    text = submit(page, "Enregistrer la signature")
    assert "Signature enregistrée." in text and "Signée" in text
    a11y.check(page)


def test_past_the_six_months_steering_records_the_collection_order(ddets, live_server, page, a11y):
    from levier.funding import conventions
    from levier.territories.models import Territory

    notified = add_months(date.today(), -7)
    convention, _ = conventions.create_convention(by=ddets["agent"], today=notified, spec=conventions.ConventionInput(
        reference="CR-94-PSE-002", company=ddets["company"], owner_unit=ddets["unit"], procedure="pse", headcount=1300,
        notified_on=notified, jobs_eliminated=40, bassin=Territory.objects.get(kind="departement", code="94")))
    conventions.decide_subjection(convention=convention, by=ddets["agent"], decided_on=notified + timedelta(days=50),
                                  subject=True, reasons="Bassin fragile")
    log_in(page, live_server.url, "agent@ddets94.test")
    page.goto(f"{live_server.url}/fonds/conventions/{convention.pk}/")
    alert = page.get_by_role("alert").first.inner_text()
    treasury = f"{4 * 40 * convention.monthly_smic:,.2f}".replace(",", "\u202f").replace(".", ",")
    assert "contribution due au Trésor" in alert and treasury in alert
    a11y.check(page)
    form = in_form(page, "Enregistrer le titre de perception")
    form.get_by_label("Numéro du titre").fill("TP-94-2026-0107")
    text = submit(page, "Enregistrer le titre de perception")
    assert "Titre de perception enregistré." in text and "Contribution au Trésor (titre de perception)" in text
    assert "TP-94-2026-0107" in text


def test_a_company_declares_its_de_minimis_aid_and_linked_companies(referential, live_server, page, a11y):
    from levier.accounts.enums import Role
    from levier.aids import applications
    from levier.aids.models import Scheme
    from levier.aids.services import load_reference_schemes
    from levier.organisations.services import load_reference_organisations
    from tests.factories import OrganisationFactory, user_with_role

    load_reference_organisations()
    load_reference_schemes()
    applicant = user_with_role(Role.COMPANY, OrganisationFactory(name="Mécanique d'Ivry (fictive)").main_unit(),
                               email="dirigeante@mecanique-ivry.test")
    applicant.set_password(PASSWORD)
    applicant.save()
    draft = applications.start_application(scheme=Scheme.objects.get(slug="alixio"), by=applicant, answers={
        "beneficiary": {"kind": "company", "commune": "94041", "headcount": 40, "naf": "25.62B"},
        "project": {"net_cdi_jobs_24m": 4}})
    parent = OrganisationFactory(name="Holding d'Ivry (fictive)")
    log_in(page, live_server.url, "dirigeante@mecanique-ivry.test")
    page.goto(f"{live_server.url}/aides/demandes/{draft.pk}/")
    page.get_by_role("link", name="Faire la déclaration de minimis").click()
    a11y.check(page)
    link = page.get_by_role("group", name="Entreprise liée 1")
    link.get_by_label("SIREN").fill(parent.siren)
    link.get_by_label("Raison sociale").fill(parent.name)
    link.get_by_label("Sens du lien").select_option("controlled_by")
    link.get_by_label("Lien (article 2, paragraphe 2)").select_option("a")
    first = page.get_by_role("group", name="Aide 1")
    first.get_by_label("Octroyée le").fill("2025-04-02")
    first.get_by_label("Montant (€, équivalent-subvention brut)").fill("12 000,50")
    first.get_by_label("Règlement").select_option("general")
    first.get_by_label("Financeur").fill("Région Île-de-France")
    page.locator("label[for=id_certify]").click()
    page.get_by_role("button", name="Enregistrer la déclaration").click()
    page.wait_for_load_state("networkidle")
    text = page.inner_text("main")
    assert "Déclaration de minimis enregistrée." in text and "Holding d'Ivry" in text and "12\u202f000,50" in text
    page.get_by_role("link", name="Modifier la déclaration de minimis").click()
    assert page.get_by_role("group", name="Aide 1").get_by_label("Montant (€, équivalent-subvention brut)").input_value() \
        == "12\u202f000,50"  # shown back as typed, in French
    a11y.check(page)
