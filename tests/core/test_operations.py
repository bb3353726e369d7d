"""Commands, health check, production settings, branding."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import override_settings
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]


def run_levier(*args, env=None):
    environment = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "levier.cli", *args], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120
    )


def production_env(tmp_path):
    return {
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "LEVIER_SECRET_KEY": secrets.token_urlsafe(60),
        "LEVIER_ALLOWED_HOSTS": "levier.example.org",
        "LEVIER_VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'prod.sqlite3'}",
    }


def test_check_deploy_with_production_settings_is_clean(tmp_path):
    result = run_levier("check", "--deploy", "--fail-level", "WARNING", env=production_env(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_settings_need_a_secret_key(tmp_path):
    env = production_env(tmp_path)
    env["LEVIER_SECRET_KEY"] = ""
    result = run_levier("check", env=env)
    assert result.returncode != 0
    assert "LEVIER_SECRET_KEY" in result.stderr


def test_a_badly_typed_setting_is_named(tmp_path):
    result = run_levier("check", env={"LEVIER_STATE_BRAND": "peut-être", "LEVIER_VAR_DIR": str(tmp_path)})
    assert result.returncode != 0
    assert "LEVIER_STATE_BRAND" in result.stderr


def test_demo_refuses_production_settings(tmp_path):
    result = run_levier("demo", env=production_env(tmp_path))
    assert result.returncode == 2
    body = json.loads(result.stderr[result.stderr.index('{\n  "errors"'):])
    assert body["errors"][0]["field"] == "environnement"


@pytest.mark.django_db
def test_bad_input_to_a_command_prints_the_error_body_and_exits_2(capsys):
    from django.core.management import call_command

    with pytest.raises(SystemExit) as exit_info:
        call_command("referential", "smic", "22/11/2026")
    assert exit_info.value.code == 2
    body = json.loads(capsys.readouterr().err)
    assert body == {"errors": [{"field": "date", "message": "Date attendue au format AAAA-MM-JJ."}]}


@pytest.mark.django_db
def test_unknown_territory_lookup_exits_2(capsys):
    from django.core.management import call_command

    with pytest.raises(SystemExit) as exit_info:
        call_command("territories", "lookup", "Zzzzyx-sur-Rien")
    assert exit_info.value.code == 2
    assert json.loads(capsys.readouterr().err)["errors"][0]["field"] == "text"


@pytest.mark.django_db
def test_healthz_checks_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


@pytest.mark.django_db
@override_settings(SECURE_SSL_REDIRECT=True, ALLOWED_HOSTS=["levier.example.gouv.fr"])
def test_healthz_answers_a_load_balancer_over_plain_http(client):
    """Production settings: the health check comes over HTTP on the internal address and gets 200, while
    a page on the same address is redirected or refused as before."""
    response = client.get("/healthz", HTTP_HOST="10.0.3.17:8000")
    assert response.status_code == 200
    assert response.json()["database"] == "ok"
    assert "no-cache" in response["Cache-Control"]
    assert client.get("/", HTTP_HOST="levier.example.gouv.fr").status_code == 301
    assert client.get("/", HTTP_HOST="10.0.3.17:8000").status_code == 400


@pytest.mark.django_db
def test_pages_carry_a_content_security_policy_of_levier_alone(client):
    policy = client.get(reverse("web:home"))["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["default-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"


@pytest.mark.django_db
def test_no_page_template_holds_an_inline_script_or_handler():
    """The policy refuses inline scripts, styles and on… handlers: a template holding one breaks in the browser."""
    import re

    import levier

    offenders = []
    for template in Path(levier.__file__).parent.rglob("templates/**/*.html"):
        text = template.read_text()
        if re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text) or re.search(r"\son[a-z]+=\"", text) \
                or re.search(r"\sstyle=\"", text) or "hx-on" in text:
            offenders.append(str(template.relative_to(Path(levier.__file__).parent)))
    assert not offenders, offenders


@pytest.mark.django_db
class TestStateBrand:
    """Marianne, the brand block and the State fonts only where LEVIER_STATE_BRAND is on."""

    def test_state_brand_on(self, client):
        with override_settings(LEVIER_STATE_BRAND=True):
            html = client.get(reverse("web:home")).content.decode()
        assert 'class="fr-logo"' in html
        assert "nobrand.css" not in html

    def test_state_brand_off(self, client):
        with override_settings(LEVIER_STATE_BRAND=False):
            html = client.get(reverse("web:home")).content.decode()
        assert "fr-logo" not in html
        assert "République" not in html
        assert "nobrand.css" in html
        assert "favicon.svg" in html


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/mentions-legales/", "/donnees-personnelles/", "/accessibilite/"])
def test_public_legal_pages(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert "<h1>" in response.content.decode()


@pytest.mark.django_db
def test_personal_data_notice_names_the_controller_and_dpo(client, settings):
    html = client.get("/donnees-personnelles/").content.decode()
    assert settings.LEVIER_DPO_EMAIL in html
    assert "Responsable de traitement" in html
