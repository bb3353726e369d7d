import pytest

from levier.core.errors import InvalidInput
from levier.organisations.enums import OrganisationKind, UnitKind
from levier.organisations.models import Establishment, Organisation
from levier.organisations.services import add_establishment, create_organisation, update_organisation

pytestmark = pytest.mark.django_db


@pytest.fixture
def metropole():
    return create_organisation(name="Métropole d'Aix-Marseille-Provence", kind=OrganisationKind.PUBLIC_BODY, siren="200054807")


def test_an_organisation_gets_its_whole_unit(metropole):
    assert metropole.units.get().kind == UnitKind.WHOLE


def test_duplicate_and_invalid_siren_are_refused(metropole):
    with pytest.raises(InvalidInput) as exc:
        create_organisation(name="Doublon", siren="200 054 807")
    assert exc.value.errors[0].field == "siren"
    assert "existe déjà" in exc.value.errors[0].message
    with pytest.raises(InvalidInput) as exc:
        create_organisation(name="Faux", siren="200054808")
    assert [e.field for e in exc.value.errors] == ["siren"]
    assert Organisation.objects.filter(name__in=["Doublon", "Faux"]).count() == 0


def test_organisations_without_siren_are_allowed_for_associations_and_persons():
    association = create_organisation(name="Association du quartier", kind=OrganisationKind.ASSOCIATION, rna="W133012345")
    person = create_organisation(name="Jeanne Créatrice", kind=OrganisationKind.NATURAL_PERSON)
    assert association.siren is None and person.siren is None


def test_the_seed_establishment_is_accepted_and_located(metropole):
    establishment = add_establishment(organisation=metropole, siret="20005480700017", commune_code="13055")
    assert establishment.commune.name == "Marseille"


@pytest.mark.parametrize(
    ("siret", "commune", "field", "fragment"),
    [
        ("20005480700018", "13055", "siret", "clé de contrôle"),
        ("35600000000048", "13055", "siret", "n'appartient pas"),
        ("20005480700017", "99999", "commune", "inconnu"),
        ("20005480700017", "1300", "commune", "code INSEE"),
    ],
)
def test_bad_establishments_are_refused_with_the_field_named(metropole, siret, commune, field, fragment):
    with pytest.raises(InvalidInput) as exc:
        add_establishment(organisation=metropole, siret=siret, commune_code=commune)
    assert exc.value.errors[0].field == field
    assert fragment in exc.value.errors[0].message
    assert not Establishment.objects.exists()


def test_a_duplicate_establishment_is_refused(metropole):
    add_establishment(organisation=metropole, siret="20005480700017")
    with pytest.raises(InvalidInput) as exc:
        add_establishment(organisation=metropole, siret="200 054 807 00017")
    assert "existe déjà" in exc.value.errors[0].message
    assert Establishment.objects.count() == 1


def test_updates_are_validated(metropole):
    with pytest.raises(InvalidInput) as exc:
        update_organisation(organisation=metropole, naf_code="6201Z")
    assert exc.value.errors[0].field == "naf_code"
    metropole.refresh_from_db()
    assert metropole.naf_code == ""
