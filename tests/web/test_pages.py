import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from levier.accounts.enums import Role
from tests.factories import OrganisationFactory, UnitFactory, login, user_with_role

pytestmark = pytest.mark.django_db


def count_queries(client, url, **extra):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **extra)
    assert response.status_code == 200
    return len(queries)


def test_organisation_list_does_not_query_per_row(client):
    login(client, user_with_role(Role.STEERING, UnitFactory()))
    OrganisationFactory.create_batch(3)
    few = count_queries(client, reverse("organisations:list"))
    OrganisationFactory.create_batch(20)
    assert count_queries(client, reverse("organisations:list")) == few


def test_htmx_search_returns_only_the_rows(client):
    login(client, user_with_role(Role.STEERING, UnitFactory()))
    OrganisationFactory(name="Fonderie Mistral")
    OrganisationFactory(name="Boulangerie Tramontane")
    response = client.get(reverse("organisations:list"), {"q": "mistral"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "<html" not in html and "Fonderie Mistral" in html and "Tramontane" not in html


def test_territory_page_shows_the_composition_at_the_chosen_date(client):
    login(client, user_with_role(Role.STEERING, UnitFactory()))
    url = reverse("territories:detail", kwargs={"kind": "project", "code": "pays-aix"})
    assert "34 communes" in client.get(url, {"date": "2013-06-01"}).content.decode().replace("\u202f", " ")
    html = client.get(url, {"date": "2014-01-01"}).content.decode()
    assert "36 communes" in html and "Gardanne" in html


def test_commune_page_lists_its_epci_and_qpv(client):
    login(client, user_with_role(Role.STEERING, UnitFactory()))
    html = client.get(reverse("territories:detail", kwargs={"kind": "commune", "code": "13001"})).content.decode()
    assert "Métropole d&#x27;Aix-Marseille-Provence" in html or "Métropole d'Aix-Marseille-Provence" in html
    assert "Encagnane" in html and "non vérifié" in html


def test_signup_form_shows_errors_next_to_fields(client):
    response = client.post(reverse("accounts:signup"), {
        "first_name": "A", "last_name": "B", "email": "a@exemple.test", "password": "Un-mot-de-passe-solide-2026",
        "siren": "123456789",
    })
    html = response.content.decode()
    assert response.status_code == 200
    assert 'aria-invalid="true"' in html and "clé de contrôle" in html


def test_establishment_form_refuses_an_invalid_siret_and_saves_nothing(client):
    organisation = OrganisationFactory()
    login(client, user_with_role(Role.OPERATOR_INSTRUCTOR, UnitFactory()))
    response = client.post(
        reverse("organisations:establishment_create", args=[organisation.pk]), {"siret": "12345678901234", "commune_code": "13001"}
    )
    assert response.status_code == 200
    assert "SIRET" in response.content.decode()
    assert not organisation.establishments.exists()


@pytest.mark.parametrize("model", ["territories/territory", "territories/qpv", "organisations/organisation",
                                   "organisations/unit", "accounts/user", "accounts/membership"])
def test_admin_changelists_render_for_administrators(client, model):
    login(client, user_with_role(Role.ADMINISTRATOR, UnitFactory()))
    assert client.get(f"/admin/{model}/").status_code == 200
