"""Use cases of a user's credentials: the API token and the second factor (TOTP).

Each is one transaction on the user's locked row (two rotations at once leave one token, two enrolments one
device) and writes an audit entry on the user naming what changed — never the secret itself.
"""

from dataclasses import dataclass

from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token

from levier.core.audit import acting_as

from .models import User
from .permissions import scope_of

DEVICE_NAME = "Application d'authentification"


@dataclass(frozen=True)
class Verification:
    device: TOTPDevice
    accepted: bool
    enrolled: bool  # this code confirmed a new device


def may_hold_token(user: User) -> bool:
    """API tokens serve the tools of operators and services (staff members), not companies nor participants."""
    return scope_of(user).is_staff_member


def _audit(user: User, *, by: User, field: str, before: str, after: str) -> None:
    LogEntry.objects.log_create(user, action=LogEntry.Action.UPDATE, changes={field: [before, after]},
                                actor=by if getattr(by, "is_authenticated", False) else None)


def _locked(user: User) -> User:
    return User.objects.select_for_update().get(pk=user.pk)


def rotate_api_token(*, user: User, by: User) -> Token:
    """Replace the user's API token: the old one stops working in the same transaction."""
    if by.pk != user.pk or not may_hold_token(user):
        raise PermissionDenied("Les jetons d'API sont réservés aux outils des opérateurs et des services.")
    with transaction.atomic(), acting_as(by):
        locked = _locked(user)
        had = Token.objects.filter(user=locked).delete()[0] > 0
        token = Token.objects.create(user=locked)
        _audit(locked, by=by, field="api_token", before="jeton remplacé" if had else "aucun",
               after="nouveau jeton créé")
    return token


def enrolment_device(*, user: User) -> TOTPDevice | None:
    """The device being enrolled (created once, unconfirmed), or None when the user already has a confirmed one."""
    with transaction.atomic():
        locked = _locked(user)
        if TOTPDevice.objects.filter(user=locked, confirmed=True).exists():
            return None
        device = TOTPDevice.objects.filter(user=locked, confirmed=False).order_by("pk").first()
        return device or TOTPDevice.objects.create(user=locked, name=DEVICE_NAME, confirmed=False)


def verify_second_factor(*, user: User, code: str) -> Verification:
    """Check a 6-digit code against the user's confirmed device, or against the device being enrolled, which it
    then confirms (audited). A code is accepted once (the device's counter moves on)."""
    with transaction.atomic(), acting_as(user):
        locked = _locked(user)
        device = TOTPDevice.objects.select_for_update().filter(user=locked, confirmed=True).first()
        enrolling = device is None
        if enrolling:
            device = TOTPDevice.objects.select_for_update().filter(user=locked, confirmed=False).order_by("pk").first()
        if device is None or not device.verify_token(code):
            return Verification(device=device, accepted=False, enrolled=False)
        if enrolling:
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            TOTPDevice.objects.filter(user=locked, confirmed=False).delete()
            _audit(locked, by=user, field="second_factor", before="non activée", after="activée")
    return Verification(device=device, accepted=True, enrolled=enrolling)
