"""Use cases of accounts: sign-up, membership requests and decisions, staff grants."""

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from levier.core.audit import acting_as
from levier.core.errors import FieldError, InvalidInput
from levier.organisations import rules as organisation_rules
from levier.organisations.enums import OrganisationKind, OrganisationRole
from levier.organisations.models import Organisation
from levier.organisations.services import create_organisation

from .enums import MembershipStatus, Role
from .models import Membership, MembershipLog, User
from .permissions import forget_scope
from .rules import can_move


def sign_up(
    *, email: str, password: str, first_name: str, last_name: str, siren: str = "", organisation_name: str = "",
    message: str = "",
) -> Membership:
    """Public sign-up of a company or project holder.

    - With a SIREN already known, a membership request is created for that
      organisation; nothing of it is visible before the request is accepted by
      one of its members or, while it has none, by an operator.
    - With a SIREN unknown to Levier, the organisation is recorded from what the
      user typed and the user is its first member (nothing of anyone else is revealed).
    - Without a SIREN, the user is a project holder: a natural-person
      organisation is recorded in their name, of which they are the member.
    """
    email = (email or "").strip().lower()
    siren = "".join((siren or "").split())
    errors: list[FieldError] = []
    try:
        validate_email(email)
    except ValidationError:
        errors.append(FieldError("email", "Adresse électronique invalide."))
    else:
        if User.objects.filter(email=email).exists():
            errors.append(FieldError("email", "Un compte existe déjà avec cette adresse électronique."))
    if not first_name.strip():
        errors.append(FieldError("first_name", "Le prénom est obligatoire."))
    if not last_name.strip():
        errors.append(FieldError("last_name", "Le nom est obligatoire."))
    try:
        validate_password(password, User(email=email, first_name=first_name, last_name=last_name))
    except ValidationError as exc:
        errors.extend(FieldError("password", m) for m in exc.messages)
    if siren and (message_error := organisation_rules.siren_error(siren)):
        errors.append(FieldError("siren", message_error))
    organisation = Organisation.objects.filter(siren=siren).first() if siren and not errors else None
    if not errors and siren and organisation is None and not organisation_name.strip():
        errors.append(FieldError("organisation_name", "Ce SIREN est inconnu de Levier : indiquez la raison sociale."))
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        user = User.objects.create_user(
            email=email, password=password, first_name=first_name.strip(), last_name=last_name.strip()
        )
        with acting_as(user):
            status = MembershipStatus.PENDING
            if organisation is None:
                status = MembershipStatus.ACCEPTED
                if siren:
                    organisation = create_organisation(
                        name=organisation_name.strip(), kind=OrganisationKind.COMPANY, siren=siren,
                        roles=[OrganisationRole.BENEFICIARY],
                    )
                else:
                    organisation = create_organisation(
                        name=f"{first_name.strip()} {last_name.strip()}", kind=OrganisationKind.NATURAL_PERSON,
                        roles=[OrganisationRole.BENEFICIARY],
                    )
            membership = Membership.objects.create(
                user=user, unit=organisation.main_unit(), role=Role.COMPANY, status=status, message=message.strip(),
                decided_at=timezone.now() if status == MembershipStatus.ACCEPTED else None,
            )
            MembershipLog.objects.create(membership=membership, to_status=status, by=user)
    return membership


def decide_membership(*, membership: Membership, by: User, accept: bool, reason: str = "") -> Membership:
    """Accept or refuse a pending request. Allowed to members of the organisation,
    to operator instructors while the organisation has no member, and to administrators."""
    target = MembershipStatus.ACCEPTED if accept else MembershipStatus.REFUSED
    with transaction.atomic(), acting_as(by):
        locked = Membership.objects.select_for_update().get(pk=membership.pk)
        if not Membership.objects.decidable_by(by).filter(pk=locked.pk).exists():
            raise InvalidInput.single("membership", "Vous n'êtes pas habilité à décider de cette demande.")
        if not can_move(locked.status, target):
            raise InvalidInput.single(
                "status", f"Une demande « {locked.get_status_display()} » ne peut plus être décidée."
            )
        if not accept and not reason.strip():
            raise InvalidInput.single("reason", "Le motif du refus est obligatoire.")
        previous = locked.status
        locked.status = target
        locked.decided_by = by
        locked.decided_at = timezone.now()
        locked.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
        MembershipLog.objects.create(membership=locked, from_status=previous, to_status=target, by=by, reason=reason)
    forget_scope(locked.user)
    return locked


def grant_membership(*, user: User, unit, role: str, by: User | None, scope_units=()) -> Membership:
    """Give a staff role in a unit (administrators, or the `levier demo` set-up)."""
    if role not in Role.values:
        raise InvalidInput.single("role", f"Rôle inconnu : {role}.")
    with transaction.atomic(), acting_as(by):
        membership, created = Membership.objects.get_or_create(
            user=user, unit=unit, role=role, status=MembershipStatus.ACCEPTED,
            defaults={"decided_by": by, "decided_at": timezone.now()},
        )
        if created:
            MembershipLog.objects.create(membership=membership, to_status=MembershipStatus.ACCEPTED, by=by)
        if scope_units:
            membership.scope_units.set(scope_units)
    forget_scope(user)
    return membership


def revoke_membership(*, membership: Membership, by: User, reason: str) -> Membership:
    with transaction.atomic(), acting_as(by):
        locked = Membership.objects.select_for_update().get(pk=membership.pk)
        if not can_move(locked.status, MembershipStatus.REVOKED):
            raise InvalidInput.single("status", "Seule une habilitation acceptée peut être révoquée.")
        previous = locked.status
        locked.status = MembershipStatus.REVOKED
        locked.save(update_fields=["status", "updated_at"])
        MembershipLog.objects.create(
            membership=locked, from_status=previous, to_status=MembershipStatus.REVOKED, by=by, reason=reason
        )
    forget_scope(locked.user)
    return locked
