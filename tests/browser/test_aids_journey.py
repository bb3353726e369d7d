"""End-to-end in headless Chromium, axe-core on each page: an anonymous visitor searches
"pret emploi Val-de-Marne", opens Alixio, runs the simulator, signs up, and submits an
application with a document."""

import re

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "Mot-de-passe-solide-2026"


@pytest.fixture
def catalogue_loaded(referential):
    from levier.aids.services import load_reference_schemes
    from levier.organisations.services import load_reference_organisations

    load_reference_organisations()
    load_reference_schemes()


def test_search_simulate_sign_up_and_apply(catalogue_loaded, live_server, page, a11y, tmp_path):
    base = live_server.url
    page.goto(f"{base}/aides/")
    a11y.check(page)
    page.get_by_label("Rechercher une aide").fill("pret emploi Val-de-Marne")
    page.get_by_role("button", name="Rechercher").click()
    # htmx swaps the results then pushes the query into the address bar.
    page.wait_for_function("() => location.search.includes('q=pret')")
    page.wait_for_load_state("networkidle")
    first = page.locator("#scheme-results h3").first.inner_text()
    assert first.startswith("Alixio"), first
    a11y.check(page)
    page.get_by_role("link", name=re.compile("^Alixio")).click()
    page.wait_for_url(re.compile(r"/aides/alixio/$"))
    assert "au moins 3" in page.inner_text("main")
    a11y.check(page)

    page.get_by_role("link", name="Simuler mon éligibilité").click()
    page.get_by_label("Vous êtes").select_option("company")
    page.get_by_label("Code INSEE de la commune de l'établissement").fill("94041")
    page.get_by_label("Effectif salarié").fill("40")
    page.get_by_label("Code NAF").fill("25.62B")
    page.get_by_label("Emplois nets en CDI créés sous 24 mois").fill("4")
    page.get_by_role("button", name="Voir mes aides").click()
    result = page.inner_text("#simulation")
    assert "Prêt : 15\u202f000\u00a0€ × 4 emplois = 60\u202f000\u00a0€" in result
    a11y.check(page)

    page.goto(f"{base}/aides/alixio/")
    page.get_by_role("link", name="Créer un compte pour déposer une demande").click()
    page.get_by_label("Prénom").fill("Ivan")
    page.locator("#id_last_name").fill("Ivryen")
    page.get_by_label("Adresse électronique").fill("ivan@mecanique-ivry.test")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_label("SIREN ou SIRET de votre entreprise").fill("732829320")
    page.get_by_label("Raison sociale").fill("Mécanique d'Ivry (fictive)")
    page.get_by_role("button", name="Créer mon compte").click()
    page.wait_for_url(re.compile(r"/aides/alixio/$"))
    page.get_by_role("button", name="Déposer une demande").click()
    page.wait_for_url(re.compile(r"/aides/demandes/\d+/$"))
    a11y.check(page)

    pdf = tmp_path / "presentation.pdf"
    pdf.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    for key in ("presentation", "kbis"):
        page.get_by_label("Pièce", exact=True).select_option(key)
        page.locator("input[type=file]").set_input_files(str(pdf))
        page.get_by_role("button", name="Ajouter la pièce").click()
        assert "Pièce ajoutée." in page.inner_text("main")
    page.get_by_role("button", name="Déposer la demande").click()
    assert "Faites la déclaration de minimis" in page.inner_text("main")  # de minimis aid: declared first
    page.get_by_role("link", name="Faire la déclaration de minimis").click()
    a11y.check(page)
    page.locator("label[for=id_certify]").click()  # no other aid, no linked company
    page.get_by_role("button", name="Enregistrer la déclaration").click()
    assert "aucune aide de minimis reçue" in page.inner_text("main")
    page.get_by_role("button", name="Déposer la demande").click()
    text = page.inner_text("main")
    assert re.search(r"Récépissé de dépôt n° LEV-\d{4}-\d{6}", text)
    assert "Prêt : 15\u202f000\u00a0€ × 4 emplois" in text  # the simulator's answers were carried over
    a11y.check(page)
    page.get_by_role("link", name="Toutes mes demandes").click()
    assert "Déposée" in page.inner_text("main")
    a11y.check(page)
