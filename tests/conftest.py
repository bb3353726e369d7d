"""Shared test set-up: database vendor markers, loaded referential, users per role."""

import os

import pytest
from django.db import connection

IN_CI = os.environ.get("CI", "").lower() == "true"


def pytest_collection_modifyitems(config, items):
    """`postgres` tests skip on SQLite; in CI the PostgreSQL pass must run them."""
    items.sort(key=lambda item: "browser" in item.keywords)  # live-server tests flush the database: last
    vendor = connection.vendor
    for item in items:
        if "postgres" in item.keywords and vendor != "postgresql":
            item.add_marker(pytest.mark.skip(reason="nécessite PostgreSQL (exécuté dans la passe PostgreSQL de la CI)"))


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



@pytest.fixture(autouse=True)
def _fresh_cache():
    """Throttling and axes counters live in the cache: each test starts clean."""
    from django.core.cache import cache

    cache.clear()
    yield
