"""The API token's rotation and the second factor's enrolment: permission, one transaction, audit without secrets."""

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token

from levier.accounts import credentials
from levier.accounts.enums import Role
from levier.core.audit import history_for
from tests.factories import OrganisationFactory, UnitFactory, login, user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_user():
    return user_with_role(Role.OPERATOR_INSTRUCTOR, UnitFactory())


@pytest.fixture
def company_user():
    return user_with_role(Role.COMPANY, OrganisationFactory().main_unit())


def _code(device) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def test_rotating_replaces_the_token_and_audits_it_without_the_secret(staff_user):
    first = credentials.rotate_api_token(user=staff_user, by=staff_user)
    second = credentials.rotate_api_token(user=staff_user, by=staff_user)
    assert list(Token.objects.filter(user=staff_user).values_list("key", flat=True)) == [second.key]
    assert first.key != second.key
    entries = LogEntry.objects.get_for_object(staff_user).filter(changes__has_key="api_token")
    assert entries.count() == 2
    assert all(first.key not in str(e.changes) and second.key not in str(e.changes) for e in entries)
    shown = history_for(staff_user, staff_user)
    assert any(c.label == "jeton d'API" and c.after == "nouveau jeton créé" for e in shown for c in e.changes)


def test_a_company_member_gets_no_token(company_user):
    with pytest.raises(PermissionDenied):
        credentials.rotate_api_token(user=company_user, by=company_user)
    assert not Token.objects.filter(user=company_user).exists()


def test_nobody_rotates_another_users_token(staff_user):
    other = user_with_role(Role.OPERATOR_INSTRUCTOR, UnitFactory())
    with pytest.raises(PermissionDenied):
        credentials.rotate_api_token(user=other, by=staff_user)


def test_enrolment_creates_one_device_and_a_right_code_confirms_it(company_user):
    device = credentials.enrolment_device(user=company_user)
    assert credentials.enrolment_device(user=company_user).pk == device.pk
    verification = credentials.verify_second_factor(user=company_user, code=_code(device))
    assert verification.accepted and verification.enrolled
    assert list(TOTPDevice.objects.filter(user=company_user).values_list("confirmed", flat=True)) == [True]
    assert credentials.enrolment_device(user=company_user) is None
    assert LogEntry.objects.get_for_object(company_user).filter(changes__has_key="second_factor").count() == 1


def test_a_wrong_code_confirms_nothing(company_user):
    device = credentials.enrolment_device(user=company_user)
    wrong = "%06d" % ((int(_code(device)) + 1) % 1_000_000)
    assert not credentials.verify_second_factor(user=company_user, code=wrong).accepted
    assert not TOTPDevice.objects.filter(user=company_user, confirmed=True).exists()
    assert not LogEntry.objects.get_for_object(company_user).filter(changes__has_key="second_factor").exists()


def test_the_account_page_rotates_through_the_service(client, staff_user):
    login(client, staff_user)
    response = client.post(reverse("accounts:regenerate_token"))
    assert response.status_code == 302
    assert Token.objects.filter(user=staff_user).count() == 1
    assert LogEntry.objects.get_for_object(staff_user).filter(changes__has_key="api_token", actor=staff_user).exists()
