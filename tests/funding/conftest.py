from datetime import date
from decimal import Decimal

import pytest

from levier.funding.models import Fund, FundFinancer, FundOperator, ReferenceRate
from tests.factories import OrganisationFactory, UnitFactory


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
    return ReferenceRate.objects.create(effective_from=date(2019, 1, 1), base_rate=Decimal("0.04"),
                                        source="valeur de démonstration", demonstration=True)
