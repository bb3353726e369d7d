"""Shared test set-up: database vendor markers, loaded referential, users per role."""

import os

import pytest
from django.db import connection

IN_CI = os.environ.get("CI", "").lower() == "true"


def pytest_collection_modifyitems(config, items):
    """`postgres` tests skip on SQLite; in CI the PostgreSQL pass must run them."""
    items.sort(key=_is_transactional)  # they flush the database when they end: run them last
    vendor = connection.vendor
    for item in items:
        if "postgres" in item.keywords and vendor != "postgresql":
            item.add_marker(pytest.mark.skip(reason="nécessite PostgreSQL (exécuté dans la passe PostgreSQL de la CI)"))


def _is_transactional(item) -> bool:
    marker = item.get_closest_marker("django_db")
    fixtures = getattr(item, "fixturenames", ())
    return bool(marker and marker.kwargs.get("transaction")) or "live_server" in fixtures or "transactional_db" in fixtures


def require_system_dependency(available: bool, what: str) -> None:
    """Skip locally with a clear message when a system dependency is missing; fail in CI."""
    if available:
        return
    message = f"{what} est absent de cette machine"
    if IN_CI:
        pytest.fail(f"{message} : la CI doit l'installer (voir .ci/run).")
    pytest.skip(f"{message} : test ignoré en local (installez-le avec apt-get).")


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the national territory referential and the SMIC table once per session."""
    from levier.referential.services import load_smic
    from levier.territories.services import load_reference

    with django_db_blocker.unblock():
        load_reference()
        load_smic()
    yield



@pytest.fixture
def referential(transactional_db):
    """For tests that run after a flush (transactional ones): reload the referential if it is gone."""
    from levier.referential.services import load_smic
    from levier.territories.models import Territory
    from levier.territories.services import load_reference

    if not Territory.objects.exists():
        load_reference()
        load_smic()


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Throttling and axes counters live in the cache: each test starts clean."""
    from django.core.cache import cache

    cache.clear()
    yield
