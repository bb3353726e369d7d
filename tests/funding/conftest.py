from datetime import date
from decimal import Decimal

import pytest

from django.core.files.uploadedfile import SimpleUploadedFile

from levier.accounts.enums import Role
from levier.aids import applications
from levier.aids.models import Scheme
from levier.funding import ledger
from levier.funding.models import BaseRate, Committee, Fund, FundFinancer, FundOperator, FundScheme
from tests.factories import OrganisationFactory, UnitFactory, user_with_role


def make_fund(slug="fonds-test", *, revolving=True) -> Fund:
    manager = OrganisationFactory(name=f"Gestionnaire {slug}")
    unit = UnitFactory(organisation=manager, name="Direction")
    return Fund.objects.create(slug=slug, name=f"Fonds {slug}", manager=manager, owner_unit=unit, revolving=revolving)


def make_operator(fund: Fund) -> FundOperator:
    operator = OrganisationFactory()
    return FundOperator.objects.create(fund=fund, operator=operator, unit=UnitFactory(organisation=operator))


@pytest.fixture
def fund(db):
    return make_fund()


@pytest.fixture
def financer(fund):
    return FundFinancer.objects.create(fund=fund, organisation=OrganisationFactory(name="Entreprise contributrice"),
                                       kind="revitalisation", pledged=Decimal("500000"))


@pytest.fixture
def operator(fund):
    return make_operator(fund)


@pytest.fixture
def reference_rate(db):
    return BaseRate.objects.create(effective_from=date(2019, 1, 1), rate=Decimal("0.04"), source="valeur de test")


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
ANSWERS = {"beneficiary": {"kind": "company", "commune": "94041", "headcount": 40, "naf": "25.62B"},
           "project": {"net_cdi_jobs_24m": 4}}


@pytest.fixture
def world(db):
    """Alixio's scheme drawn on by a Val-de-Marne fund; one application submitted by a company."""
    from django.core.management import call_command

    call_command("organisations", "load-reference")
    call_command("aids", "load-reference")
    scheme = Scheme.objects.get(slug="alixio")
    manager_unit = UnitFactory(name="DDETS 94")
    fund = Fund.objects.create(slug="fonds-94", name="Fonds de revitalisation du Val-de-Marne",
                               manager=scheme.operator, owner_unit=manager_unit)
    FundScheme.objects.create(fund=fund, scheme=scheme, day_rate=Decimal("900.00"))
    operator_unit = scheme.owner_unit
    operator = FundOperator.objects.create(fund=fund, operator=scheme.operator, unit=operator_unit)
    financer = FundFinancer.objects.create(fund=fund, organisation=OrganisationFactory(), kind="revitalisation")
    ledger.receive_contribution(financer=financer, amount="500000.00", on=date(2026, 1, 5))
    ledger.allocate(operator=operator, amount="500000.00", on=date(2026, 1, 6))
    BaseRate.objects.create(effective_from=date(2026, 1, 1), rate=Decimal("0.03"), source="valeur de test")
    instructor = user_with_role(Role.OPERATOR_INSTRUCTOR, operator_unit)
    applicant = user_with_role(Role.COMPANY, OrganisationFactory(name="Mécanique d'Ivry").main_unit(),
                               email="dirigeante@mecanique-ivry.test")
    draft = applications.start_application(scheme=scheme, by=applicant, answers=ANSWERS)
    for key in ("presentation", "kbis"):
        applications.add_document(application=draft, by=applicant, document_key=key,
                                  uploaded=SimpleUploadedFile(f"{key}.pdf", PDF))
    applications.declare_de_minimis(application=draft, by=applicant, aids=[], links=[], on=date(2026, 11, 22))
    submitted = applications.submit_application(application=draft, by=applicant, today=date(2026, 11, 22))
    committee = Committee.objects.create(fund=fund, held_on=date(2026, 12, 15), title="Comité de décembre")
    return {"instruction": submitted.instruction, "instructor": instructor, "applicant": applicant, "fund": fund,
            "committee": committee, "operator": operator}


