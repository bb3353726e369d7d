import pytest
from django.db import connection

from levier.core.planner import planner_settings

pytestmark = pytest.mark.django_db


def test_settings_hold_inside_the_block_only():
    if connection.vendor != "postgresql":
        with planner_settings(random_page_cost=1.1):  # a no-op elsewhere
            pass
        return

    def current():
        with connection.cursor() as cursor:
            cursor.execute("SHOW random_page_cost")
            return cursor.fetchone()[0]

    before = current()
    with planner_settings(random_page_cost=1.1, enable_seqscan=False):
        assert current() == "1.1"
    assert current() == before


def test_only_known_settings_with_their_type():
    with pytest.raises(ValueError, match="random_page_cost"):
        with planner_settings(random_page_cost="1; DROP TABLE x"):
            pass
    with pytest.raises(ValueError, match="work_mem"):
        with planner_settings(work_mem=64):
            pass
