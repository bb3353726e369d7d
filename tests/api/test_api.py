import pytest
from django.conf import settings
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from levier.accounts.enums import Role
from tests.factories import OrganisationFactory, UnitFactory, user_with_role

pytestmark = pytest.mark.django_db


def test_bad_input_gets_the_shared_error_body_with_400():
    response = APIClient().get("/api/v1/smic/", {"date": "2024-13-01"})
    assert response.status_code == 400
    assert response.json() == {"errors": [{"field": "date", "message": "Date invalide : « 2024-13-01 » (AAAA-MM-JJ attendu)."}]}


def instructor_client() -> APIClient:
    """An API client signed in as an instructor of a unit of its own."""
    client = APIClient()
    client.force_authenticate(user_with_role(Role.OPERATOR_INSTRUCTOR, UnitFactory()))
    return client


def test_serializer_errors_use_the_shared_body():
    client = instructor_client()
    response = client.post("/api/v1/organisations/", {"name": "", "siren": "200054808"}, format="json")
    assert response.status_code == 400
    assert {e["field"] for e in response.json()["errors"]} == {"name"}
    response = client.post("/api/v1/organisations/", {"name": "Faux", "siren": "200054808"}, format="json")
    assert response.json()["errors"][0]["field"] == "siren"


def test_postcode_and_composition_endpoints():
    client = APIClient()
    assert [t["code"] for t in client.get("/api/v1/postcodes/13001/").json()] == ["13201"]
    body = client.get("/api/v1/territories/project/pays-aix/composition/", {"date": "2013-06-01"}).json()
    assert len(body["communes"]) == 34 and body["verified"] is True


def test_token_authentication_for_operator_tools():
    user = user_with_role(Role.OPERATOR_INSTRUCTOR, UnitFactory())
    token = Token.objects.create(user=user)
    client = APIClient()
    assert client.get("/api/v1/me/").status_code == 403
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    body = client.get("/api/v1/me/").json()
    assert body["email"] == user.email and body["roles"] == [Role.OPERATOR_INSTRUCTOR]


def test_confidential_fields_are_nulled_for_roles_that_may_not_see_them():
    from decimal import Decimal

    organisation = OrganisationFactory(turnover=Decimal("5000000"))
    client = APIClient()
    client.force_authenticate(user_with_role(Role.CLAUSE_FACILITATOR, UnitFactory()))
    assert client.get(f"/api/v1/organisations/{organisation.pk}/").json()["turnover"] is None
    client.force_authenticate(user_with_role(Role.STEERING, UnitFactory()))
    assert client.get(f"/api/v1/organisations/{organisation.pk}/").json()["turnover"] == "5000000.00"


def test_anonymous_endpoints_are_rate_limited(monkeypatch):
    from django.core.cache import cache
    from rest_framework.throttling import AnonRateThrottle

    assert "rest_framework.throttling.AnonRateThrottle" in settings.REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"]
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "3/minute"})
    cache.clear()
    client = APIClient()
    codes = [client.get("/api/v1/qpv/").status_code for _ in range(4)]
    cache.clear()
    assert codes == [200, 200, 200, 429]


def test_openapi_schema_lists_the_endpoints():
    schema = APIClient().get("/api/schema/", HTTP_ACCEPT="application/json")
    assert schema.status_code == 200
    assert b"/api/v1/territories/" in schema.content


@pytest.mark.parametrize("url", ["/api/v1/aids/simulate", "/api/v1/funding/obligation", "/api/v1/funding/loan",
                                 "/api/v1/funding/de-minimis", "/api/v1/pathways/exit-classification",
                                 "/api/v1/organisations/"])
@pytest.mark.parametrize("body", ["42", "[]", '"texte"', "null"])
def test_a_body_that_is_not_a_json_object_is_refused_with_the_body_named(url, body):
    client = instructor_client()
    response = client.post(url, body, content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"errors": [{"field": "body", "message": "Le corps de la requête doit être un objet JSON "
                                                                       "({…}), pas une valeur isolée ni une liste."}]}


def test_an_organisation_created_through_the_api_is_readable_by_its_creator():
    """A natural person is seen by staff only through its owner unit: the creator's unit owns it."""
    client = instructor_client()
    created = client.post("/api/v1/organisations/", {"name": "Jeanne Créatrice", "kind": "natural_person"}, format="json")
    assert created.status_code == 201
    response = client.get(f"/api/v1/organisations/{created.json()['id']}/")
    assert response.status_code == 200 and response.json()["name"] == "Jeanne Créatrice"
    assert instructor_client().get(f"/api/v1/organisations/{created.json()['id']}/").status_code == 404
