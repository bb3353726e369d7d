"""Two people decide the same request at the same moment: the row lock lets one win."""

import threading

import pytest
from django.db import connection

from levier.accounts.enums import MembershipStatus, Role
from levier.accounts.models import Membership
from levier.accounts.services import decide_membership
from levier.core.errors import InvalidInput
from tests.factories import MembershipFactory, OrganisationFactory, UnitFactory, user_with_role


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_decisions_on_one_request_leave_one_decision():
    company = OrganisationFactory()
    request = MembershipFactory(unit=company.main_unit(), role=Role.COMPANY, pending=True)
    deciders = [user_with_role(Role.OPERATOR_INSTRUCTOR, UnitFactory()) for _ in range(2)]
    barrier = threading.Barrier(2)
    outcomes = []

    def decide(user, accept):
        try:
            barrier.wait()
            decide_membership(
                membership=Membership.objects.get(pk=request.pk), by=user, accept=accept, reason="concurrence"
            )
            outcomes.append("ok")
        except InvalidInput:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=decide, args=(u, i == 0)) for i, u in enumerate(deciders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    request.refresh_from_db()
    assert sorted(outcomes) == ["ok", "refused"]
    assert request.status in (MembershipStatus.ACCEPTED, MembershipStatus.REFUSED)
    assert request.logs.exclude(from_status="").count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_token_rotations_leave_one_working_token():
    from rest_framework.authtoken.models import Token

    from levier.accounts.credentials import rotate_api_token

    user = user_with_role(Role.OPERATOR_INSTRUCTOR, UnitFactory())
    barrier = threading.Barrier(4)
    errors = []

    def rotate():
        try:
            barrier.wait()
            rotate_api_token(user=user, by=user)
        except Exception as exc:  # noqa: BLE001 - the test reports any failure of a rotation
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=rotate) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert Token.objects.filter(user=user).count() == 1
