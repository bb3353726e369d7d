import pytest
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_login_with_email_and_password(client):
    user = UserFactory(email="camille@exemple.test")
    response = client.post(reverse("accounts:login"), {"username": user.email, "password": "Mot-de-passe-solide-2026"})
    assert response.status_code == 302 and response["Location"] == reverse("web:dashboard")


def test_wrong_password_message_is_in_french(client):
    UserFactory(email="camille@exemple.test")
    response = client.post(reverse("accounts:login"), {"username": "camille@exemple.test", "password": "faux"})
    assert "Adresse électronique ou mot de passe incorrect." in response.content.decode()


def test_five_failures_lock_the_account_even_with_the_right_password(client):
    UserFactory(email="camille@exemple.test")
    for _ in range(5):
        client.post(reverse("accounts:login"), {"username": "camille@exemple.test", "password": "faux"})
    response = client.post(reverse("accounts:login"), {"username": "camille@exemple.test", "password": "Mot-de-passe-solide-2026"})
    assert response.status_code == 429
    assert "temporairement bloqué" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_login_page_is_named_after_levier_not_the_host(client, settings):
    page = client.get(reverse("accounts:login"), HTTP_HOST="127.0.0.1:8101").content.decode()
    assert f"Connexion à {settings.LEVIER_SITE_NAME}" in page and "127.0.0.1:8101" not in page
