from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from levier.accounts.enums import Role
from levier.accounts.permissions import scope_of
from levier.territories.models import Territory
from tests.factories import UnitFactory, user_with_role

PARIS = ZoneInfo("Europe/Paris")


@pytest.mark.django_db
@pytest.mark.parametrize(("today", "sees_gardanne"), [(datetime(2013, 6, 1, 12, tzinfo=PARIS), False),
                                                      (datetime(2026, 11, 22, 12, tzinfo=PARIS), True)])
def test_steering_territory_is_its_composition_today(today, sees_gardanne):
    """A steering unit over the Pays d'Aix covers Gardanne only since it joined (January 2014)."""
    unit = UnitFactory()
    unit.territories.set([Territory.objects.get(kind="project", code="pays-aix")])
    user = user_with_role(Role.STEERING, unit)
    gardanne = Territory.objects.get(kind="commune", code="13041")
    with time_machine.travel(today, tick=False):
        assert (gardanne.id in scope_of(user).steering_commune_ids) is sees_gardanne


@pytest.mark.django_db
def test_pending_and_refused_memberships_give_no_role():
    from tests.factories import MembershipFactory

    membership = MembershipFactory(role=Role.STEERING, pending=True)
    assert scope_of(membership.user).roles == set()
