"""End-to-end in headless Chromium, axe-core on each page: a submitted application goes to
instruction, committee, agreement, two tranches and a 24-month job follow-up."""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "Mot-de-passe-solide-2026"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def submitted(referential):
    from levier.accounts.enums import Role
    from levier.aids import applications
    from levier.aids.models import Scheme
    from levier.aids.services import load_reference_schemes
    from levier.funding import ledger
    from levier.funding.models import BaseRate, Committee, Fund, FundFinancer, FundOperator, FundScheme
    from levier.organisations.services import load_reference_organisations
    from tests.factories import OrganisationFactory, UnitFactory, user_with_role

    load_reference_organisations()
    load_reference_schemes()
    scheme = Scheme.objects.get(slug="alixio")
    fund = Fund.objects.create(slug="fonds-94", name="Fonds de revitalisation du Val-de-Marne", manager=scheme.operator,
                               owner_unit=UnitFactory(name="DDETS 94"))
    FundScheme.objects.create(fund=fund, scheme=scheme)
    operator = FundOperator.objects.create(fund=fund, operator=scheme.operator, unit=scheme.owner_unit)
    financer = FundFinancer.objects.create(fund=fund, organisation=OrganisationFactory(), kind="revitalisation")
    ledger.receive_contribution(financer=financer, amount="300000.00", on=date(2026, 1, 5))
    ledger.allocate(operator=operator, amount="300000.00", on=date(2026, 1, 6))
    BaseRate.objects.create(effective_from=date(2026, 1, 1), rate=Decimal("0.03"), source="valeur de test")
    Committee.objects.create(fund=fund, held_on=date(2026, 12, 15), title="Comité de décembre")
    instructor = user_with_role(Role.OPERATOR_INSTRUCTOR, scheme.owner_unit, email="instructrice@alixio.test")
    applicant = user_with_role(Role.COMPANY, OrganisationFactory(name="Mécanique d'Ivry (fictive)").main_unit(),
                               email="dirigeante@mecanique-ivry.test")
    for user in (instructor, applicant):
        user.set_password(PASSWORD)
        user.save()
    draft = applications.start_application(scheme=scheme, by=applicant, answers={
        "beneficiary": {"kind": "company", "commune": "94041", "headcount": 40, "naf": "25.62B"},
        "project": {"net_cdi_jobs_24m": 4}})
    for key in ("presentation", "kbis"):
        applications.add_document(application=draft, by=applicant, document_key=key,
                                  uploaded=SimpleUploadedFile(f"{key}.pdf", PDF))
    applications.declare_de_minimis(application=draft, by=applicant, aids=[], links=[], on=date(2026, 11, 22))
    return applications.submit_application(application=draft, by=applicant, today=date(2026, 11, 22))


def log_in(page, base, email):
    page.goto(f"{base}/compte/connexion/")
    page.get_by_label("Adresse électronique").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_load_state("networkidle")


def act(page, button, **fields):
    form = page.locator("form").filter(has=page.get_by_role("button", name=button, exact=True))
    for label, value in fields.items():
        form.get_by_label(label).fill(value)
    form.get_by_role("button", name=button, exact=True).click()
    page.wait_for_load_state("networkidle")
    text = page.inner_text("main")
    assert "fait" in text, text[:600]
    return text


def test_from_submission_to_follow_up(submitted, live_server, browser, a11y):
    base = live_server.url
    instructor = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900}).new_page()
    log_in(instructor, base, "instructrice@alixio.test")
    instructor.get_by_role("link", name="Instruction").first.click()
    a11y.check(instructor)
    instructor.get_by_role("link", name=submitted.number).click()
    a11y.check(instructor)
    act(instructor, "Commencer l'instruction")
    # DSFR checkboxes are styled through their label: click what the user clicks.
    instructor.locator("label[for=check_presentation]").click()
    instructor.locator("label[for=check_kbis]").click()
    assert instructor.get_by_label("Extrait Kbis de moins de 3 mois : pièce vérifiée").is_checked()
    act(instructor, "Déclarer éligible")
    act(instructor, "Inscrire à l'ordre du jour")
    assert "Comité de décembre" in instructor.inner_text("main")
    a11y.check(instructor)
    grant = instructor.locator("form").filter(has=instructor.get_by_role("button", name="Accorder", exact=True))
    grant.get_by_label("Notation de l'emprunteur").select_option("good")  # BBB, normal collateral: 100 bp of margin
    grant.get_by_label("Sûretés").select_option("normal")
    act(instructor, "Accorder", Date="2026-12-15")
    act(instructor, "Enregistrer la convention signée", Date="2027-01-10")
    loan_field = instructor.get_by_label(re.compile(r"Tranche — .*-1 \(Prêt"))
    subsidy_field = instructor.get_by_label(re.compile(r"Tranche — .*-2 \(Subvention"))
    loan_field.fill("30000")
    subsidy_field.fill("2500")
    act(instructor, "Verser une tranche", Date="2027-01-20")
    instructor.get_by_label(re.compile(r"Tranche — .*-1 \(Prêt")).fill("30000")
    instructor.get_by_label(re.compile(r"Tranche — .*-2 \(Subvention")).fill("2500")
    act(instructor, "Verser une tranche", Date="2027-06-01")
    act(instructor, "Passer au suivi des emplois")
    assert "Suivi des emplois" in instructor.inner_text("main")
    a11y.check(instructor)

    company = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900}).new_page()
    log_in(company, base, "dirigeante@mecanique-ivry.test")
    company.goto(f"{base}/aides/demandes/{submitted.pk}/")
    text = company.inner_text("main")
    assert "Suivi des emplois" in text and "Accordée" in text
    a11y.check(company)
    company.get_by_role("link", name=re.compile(r"-1$")).click()
    assert "60\u202f000\u00a0€" in company.inner_text("main")  # committed, paid in two tranches
    company.get_by_label("Date", exact=True).fill("2028-12-20")  # 24 months after the decision
    company.get_by_label("Effectif en CDI à cette date").fill("45")
    company.get_by_role("button", name="Déclarer").click()
    assert "Déclaration d'emplois enregistrée." in company.inner_text("main")
    a11y.check(company)

    instructor.goto(company.url)
    instructor.get_by_label("Emplois vérifiés").fill("4")
    instructor.get_by_role("button", name="Valider").click()
    text = instructor.inner_text("main")
    assert "Emplois vérifiés." in text and "Il manque" not in text
    a11y.check(instructor)
