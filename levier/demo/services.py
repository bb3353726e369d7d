"""`levier demo`: reference data in dependency order, then demo records."""

import base64
import hashlib
from decimal import Decimal

from django.conf import settings
from django.core.management import call_command
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from levier.accounts.enums import SECOND_FACTOR_ROLES, Role
from levier.accounts.models import User
from levier.accounts.services import grant_membership
from levier.core.errors import InvalidInput
from levier.organisations.enums import UnitKind
from levier.organisations.models import Organisation, Unit
from levier.organisations.services import create_organisation, ensure_establishments

from . import data

# Reference loads, in dependency order (later domains append theirs here).
REFERENCE_COMMANDS = [
    ("territories", "load-reference"),
    ("referential", "load-reference"),
    ("organisations", "load-reference"),
    ("aids", "load-reference"),
    ("funding", "load-reference"),
    ("pathways", "load-reference"),
]


def refuse_in_production() -> None:
    if settings.LEVIER_ENVIRONMENT == "production":
        raise InvalidInput.single("environnement", "La démonstration ne se charge jamais avec les réglages de production.")


def demo_password(prefix: str) -> str:
    """Stable, printed demo password (never used outside the demo)."""
    return f"Levier-demo-{prefix}-2026"


def demo_otp_key(email: str) -> str:
    """Stable TOTP key per demo user, so the printed instructions keep working."""
    return hashlib.sha256(f"levier-demo-otp:{email}".encode()).hexdigest()[:40]


def load_references(stdout=None) -> None:
    for app, action in REFERENCE_COMMANDS:
        call_command(app, action, stdout=stdout)


def _fictitious_organisation(spec: dict) -> Organisation:
    existing = Organisation.objects.filter(reference_key=spec["key"]).first()
    if existing:
        return existing
    values = {k: spec[k] for k in ("name", "kind", "roles", "siren", "naf_code", "iae_kinds") if k in spec}
    values.update({k: Decimal(spec[k]) for k in ("headcount", "turnover", "balance_sheet") if k in spec})
    organisation = create_organisation(**values)
    Organisation.objects.filter(pk=organisation.pk).update(reference_key=spec["key"])
    ensure_establishments(organisation, spec.get("establishments", []))
    return organisation


def load_demo_records() -> list[tuple[str, str, str, bool]]:
    """Create the fictitious organisations and one user per role; return (email, password, role, otp).

    Needs the reference organisations (`levier organisations load-reference`).
    """
    with transaction.atomic():
        units = {unit.reference_key: unit for unit in Unit.objects.exclude(reference_key=None)}
        for spec in data.FICTITIOUS_ORGANISATIONS:
            units[spec["key"]] = _fictitious_organisation(spec).units.get(kind=UnitKind.WHOLE)
        credentials = []
        for prefix, first, last, role, unit_key, scope_keys in data.USERS:
            _user, credential = ensure_demo_user(prefix, first, last, role, units[unit_key],
                                                 scope_units=[units[k] for k in scope_keys])
            credentials.append(credential)
        _demo_application()
        from levier.funding.demo import load_copil_demo, load_instruction_demo  # needs the users' organisations

        from levier.accounts.models import User

        load_copil_demo(by=User.objects.filter(email=f"pilotage@{data.EMAIL_DOMAIN}").first())
        load_instruction_demo(email_domain=data.EMAIL_DOMAIN)
        from levier.pathways.demo import load_demo as load_pathways_demo  # needs the PLIE users and lot holders

        load_pathways_demo()
    return credentials


def ensure_demo_user(prefix: str, first: str, last: str, role: str, unit: Unit, *, scope_units=()) -> tuple:
    """One demo user with its printed password, its role in `unit` and, for the roles that need
    one, its TOTP device; returns (user, (email, password, role, otp))."""
    email = f"{prefix}@{data.EMAIL_DOMAIN}"
    password = demo_password(prefix)
    user = User.objects.filter(email=email).first() or User(email=email)
    user.first_name, user.last_name = first, last
    user.is_superuser = user.is_staff = role == Role.ADMINISTRATOR
    if user.pk is None or not user.check_password(password):  # the printed password always works
        user.set_password(password)
    user.save()
    grant_membership(user=user, unit=unit, role=role, by=None, scope_units=list(scope_units))
    needs_otp = role in SECOND_FACTOR_ROLES
    if needs_otp:
        TOTPDevice.objects.update_or_create(
            user=user, name="Démonstration", defaults={"key": demo_otp_key(email), "confirmed": True}
        )
    return user, (email, password, role, needs_otp)


def _demo_application() -> None:
    """A draft application of the demo company to Alixio, with the simulator's answers."""
    from levier.aids.applications import start_application
    from levier.aids.models import Application, Scheme

    scheme = Scheme.objects.filter(slug="alixio").first()
    user = User.objects.get(email=f"entreprise@{data.EMAIL_DOMAIN}")
    if scheme is None or Application.objects.filter(scheme=scheme, created_by=user).exists():
        return
    start_application(scheme=scheme, by=user, answers={
        "beneficiary": {"kind": "company", "commune": "94041", "headcount": 42, "naf": "25.62A"},
        "project": {"net_cdi_jobs_24m": 4},
    })


def otp_secret_b32(email: str) -> str:
    return base64.b32encode(bytes.fromhex(demo_otp_key(email))).decode()
