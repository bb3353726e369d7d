"""Use cases of accounts: sign-up, membership requests and decisions, staff grants."""

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from levier.core import workflow
from levier.core.audit import acting_as
from levier.core.errors import FieldError, InvalidInput
from levier.organisations import rules as organisation_rules
from levier.organisations.enums import OrganisationKind, OrganisationRole
from levier.organisations.models import Organisation
from levier.organisations.services import create_organisation

from .enums import MembershipStatus, Role
from .models import MEMBERSHIP_WORKFLOW, Membership, User
from .permissions import forget_scope


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
    if siren:
        siren, message_error = organisation_rules.siren_or_siret(siren)
        if message_error:
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
            membership = Membership(
                user=user, unit=organisation.main_unit(), role=Role.COMPANY, status=status, message=message.strip(),
                decided_at=timezone.now() if status == MembershipStatus.ACCEPTED else None,
            )
            workflow.enter(membership, by=user, action="Inscription")
    return membership


def decide_membership(*, membership: Membership, by: User, accept: bool, reason: str = "") -> Membership:
    """Accept or refuse a pending request. Allowed to members of the organisation,
    to operator instructors while the organisation has no member, and to administrators."""
    target = MembershipStatus.ACCEPTED if accept else MembershipStatus.REFUSED
    with transaction.atomic(), acting_as(by):
        locked = Membership.objects.select_for_update().get(pk=membership.pk)
        if not Membership.objects.decidable_by(by).filter(pk=locked.pk).exists():
            raise InvalidInput.single("membership", "Vous n'êtes pas habilité à décider de cette demande.")
        if MEMBERSHIP_WORKFLOW.refusal(locked.status, target) or locked.status == target:
            raise InvalidInput.single(
                "status", f"Une demande « {locked.get_status_display()} » ne peut plus être décidée."
            )
        if not accept and not reason.strip():
            raise InvalidInput.single("reason", "Le motif du refus est obligatoire.")
        locked.decided_by, locked.decided_at = by, timezone.now()
        workflow.move(locked, target, by=by, action="Acceptation" if accept else "Refus", reason=reason,
                      fields=["decided_by", "decided_at"])
    forget_scope(locked.user)
    return locked


def grant_membership(*, user: User, unit, role: str, by: User | None, scope_units=()) -> Membership:
    """Give a staff role in a unit (administrators, or the `levier demo` set-up)."""
    if role not in Role.values:
        raise InvalidInput.single("role", f"Rôle inconnu : {role}.")
    with transaction.atomic(), acting_as(by):
        membership = Membership.objects.filter(user=user, unit=unit, role=role, status=MembershipStatus.ACCEPTED).first()
        if membership is None:
            membership = Membership(user=user, unit=unit, role=role, status=MembershipStatus.ACCEPTED,
                                    decided_by=by, decided_at=timezone.now())
            workflow.enter(membership, by=by, action="Habilitation donnée")
        if scope_units:
            membership.scope_units.set(scope_units)
    forget_scope(user)
    return membership


def revoke_membership(*, membership: Membership, by: User, reason: str) -> Membership:
    with transaction.atomic(), acting_as(by):
        locked = Membership.objects.select_for_update().get(pk=membership.pk)
        if locked.status != MembershipStatus.ACCEPTED:
            raise InvalidInput.single("status", "Seule une habilitation acceptée peut être révoquée.")
        workflow.move(locked, MembershipStatus.REVOKED, by=by, action="Révocation", reason=reason)
    forget_scope(locked.user)
    return locked
