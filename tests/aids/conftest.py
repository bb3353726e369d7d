import pytest


@pytest.fixture
def catalogue(db):
    """Reference organisations and the seed schemes."""
    from levier.aids.services import load_reference_schemes
    from levier.organisations.services import load_reference_organisations

    load_reference_organisations()
    load_reference_schemes()
