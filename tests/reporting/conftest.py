"""Reporting tests need no database. When the project's settings are not in
use (pytest run without DJANGO_SETTINGS_MODULE), configure the least Django
needs to find this app's templates; otherwise do nothing."""

import os

import django
import pytest
from django.conf import settings

if not settings.configured and not os.environ.get("DJANGO_SETTINGS_MODULE"):
    settings.configure(
        INSTALLED_APPS=["levier.reporting"],
        TEMPLATES=[{"BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": True}],
        LANGUAGE_CODE="fr",
        TIME_ZONE="Europe/Paris",
        USE_TZ=True,
    )
    django.setup()


def pytest_configure(config):
    config.addinivalue_line("markers", "pango: needs the Pango library used by WeasyPrint")


def require_weasyprint():
    """WeasyPrint, or a skip saying why; in CI (CI=true) a missing WeasyPrint fails. A library WeasyPrint
    needs and does not find (Pango, HarfBuzz-Subset…) shows up as an import error or as a warning at import:
    both are a missing system dependency, not a failure of the code under test."""
    import warnings

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            import weasyprint
    except (ImportError, OSError, Warning) as error:
        message = f"WeasyPrint indisponible (bibliothèque système manquante : Pango, HarfBuzz-Subset ?) : {error}"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    return weasyprint


@pytest.fixture
def weasyprint():
    return require_weasyprint()
