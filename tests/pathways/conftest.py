import pytest


@pytest.fixture
def pathways_reference(db):
    """The seed protocols (2013-2017, 2018-2022) and their objectives."""
    from levier.pathways.services import load_reference_protocols

    load_reference_protocols()
