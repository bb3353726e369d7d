"""Applications to a scheme, submission side.

A signed-in company or project holder starts a draft from a scheme page (the
simulator's answers are carried over), uploads the scheme's required
documents, declares de minimis aid when a component's legal basis is de
minimis, then submits: the version of the rules in effect on that day is
frozen with its evaluation, and the application gets a receipt number.
Instruction, committees and payments belong to the funding domain, which
takes over from `submit_application`.
"""

import hashlib
import uuid
from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Q
from django.dispatch import Signal
from django.utils import timezone

from levier.accounts.enums import Role
from levier.accounts.permissions import scope_of
from levier.core.audit import acting_as
from levier.core.errors import FieldError, InvalidInput

from .enums import SchemeStatus
from .models import Application, ApplicationDocument, ApplicationLog, Scheme
from .rules import evaluate
from .services import parse_profile, result_body, version_in_effect

MAX_FILE_SIZE = 10 * 1024 * 1024
MAX_FILES = 20
# Content signatures: the file's first bytes decide its type, never its name.
SIGNATURES = {b"%PDF-": "application/pdf", b"\xff\xd8\xff": "image/jpeg", b"\x89PNG\r\n\x1a\n": "image/png"}


def detect_content_type(head: bytes) -> str | None:
    """PDF, JPEG or PNG from the first bytes of a file; None for anything else."""
    return next((kind for magic, kind in SIGNATURES.items() if head.startswith(magic)), None)


# Sent inside the submission's transaction; the funding domain opens the instruction.
application_submitted = Signal()


def needs_de_minimis(rules: dict) -> bool:
    return any("minimis" in (c.get("legal_basis") or "").lower() for c in rules.get("components", []))


class ApplicationQueries:
    """Applications a user may see: its organisation's; for operator instructors, the submitted
    applications to the schemes of their unit; everything for administrators."""

    @staticmethod
    def visible_to(user):
        scope = scope_of(user)
        queryset = Application.objects.select_related("scheme", "organisation")
        if scope.is_admin:
            return queryset
        condition = Q(organisation_id__in=scope.company_organisation_ids)
        if Role.OPERATOR_INSTRUCTOR in scope.roles:
            condition |= Q(status=Application.Status.SUBMITTED, scheme__owner_unit_id__in=scope.units(Role.OPERATOR_INSTRUCTOR))
        return queryset.filter(condition) if scope.is_authenticated else queryset.none()


def _applicant_organisation(user):
    organisations = scope_of(user).company_organisation_ids
    if not organisations:
        raise InvalidInput.single(
            "organisation", "Seul un membre accepté d'une entreprise ou un porteur de projet peut déposer une demande."
        )
    return sorted(organisations)[0]


def start_application(*, scheme: Scheme, by, answers: dict | None = None) -> Application:
    """A draft for the user's organisation, with the simulator's answers carried over."""
    if scheme.status != SchemeStatus.PUBLISHED:
        raise InvalidInput.single("scheme", "Ce dispositif n'accepte pas de demande (il n'est pas ouvert).")
    organisation_id = _applicant_organisation(by)
    with transaction.atomic(), acting_as(by):
        application = Application.objects.create(
            scheme=scheme, organisation_id=organisation_id, created_by=by, answers=answers or {}
        )
        ApplicationLog.objects.create(application=application, to_status=Application.Status.DRAFT, by=by)
    return application


def _locked_draft(application: Application) -> Application:
    locked = Application.objects.select_for_update().get(pk=application.pk)
    if locked.status != Application.Status.DRAFT:
        raise InvalidInput.single("status", "La demande est déposée : elle ne peut plus être modifiée.")
    return locked


def save_draft(*, application: Application, by, answers: dict | None = None, de_minimis_amount=None,
               de_minimis_details: str | None = None) -> Application:
    errors = []
    amount = None
    if de_minimis_amount not in (None, ""):
        try:
            amount = Decimal(str(de_minimis_amount).replace(",", ".").replace(" ", ""))
            if amount < 0:
                raise InvalidOperation
        except (InvalidOperation, ValueError):
            errors.append(FieldError("de_minimis_amount", "Montant positif attendu, en euros."))
    if answers is not None:
        try:
            parse_profile(answers)
        except InvalidInput as exc:
            errors += exc.errors
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic(), acting_as(by):
        locked = _locked_draft(application)
        if answers is not None:
            locked.answers = answers
        if de_minimis_amount not in (None, ""):
            locked.de_minimis_amount = amount
        if de_minimis_details is not None:
            locked.de_minimis_details = de_minimis_details
        locked.save()
    return locked


def add_document(*, application: Application, by, document_key: str, uploaded) -> ApplicationDocument:
    """Store one required document, checked by content (PDF, JPEG, PNG), 10 MiB at most, 20 files at most."""
    labels = {d["key"]: d["label"] for d in application.scheme.required_documents}
    label = labels.get(document_key, document_key)
    if document_key not in labels:
        raise InvalidInput.single("document_key", f"Pièce inconnue pour ce dispositif : {document_key}.")
    if uploaded.size > MAX_FILE_SIZE:
        raise InvalidInput.single(f"documents.{document_key}", f"« {label} » : le fichier dépasse 10 Mio.")
    head = uploaded.read(16)
    uploaded.seek(0)
    content_type = detect_content_type(head)
    if content_type is None:
        raise InvalidInput.single(
            f"documents.{document_key}", f"« {label} » : seuls les fichiers PDF, JPEG ou PNG sont acceptés (contenu vérifié)."
        )
    digest = hashlib.sha256()
    for chunk in uploaded.chunks():
        digest.update(chunk)
    uploaded.seek(0)
    with transaction.atomic(), acting_as(by):
        locked = _locked_draft(application)
        if locked.documents.count() >= MAX_FILES:
            raise InvalidInput.single(f"documents.{document_key}", f"« {label} » : 20 fichiers au plus par demande.")
        return ApplicationDocument.objects.create(
            application=locked, document_key=document_key, file=uploaded, original_name=uploaded.name[:255],
            content_type=content_type, size=uploaded.size, sha256=digest.hexdigest(),
        )


def submit_application(*, application: Application, by, today: date | None = None) -> Application:
    """Freeze the application: rules version in effect today, evaluation, receipt number.

    The funding domain's instruction starts from a submitted application."""
    today = today or timezone.localdate()
    with transaction.atomic(), acting_as(by):
        locked = _locked_draft(application)
        scheme = locked.scheme
        version = version_in_effect(scheme, today)
        errors = []
        if version is None or scheme.status != SchemeStatus.PUBLISHED:
            errors.append(FieldError("scheme", "Ce dispositif n'accepte plus de demande."))
        present = set(locked.documents.values_list("document_key", flat=True))
        for document in scheme.required_documents:
            if document["key"] not in present:
                errors.append(FieldError(f"documents.{document['key']}", f"Pièce manquante : « {document['label']} »."))
        if version is not None and needs_de_minimis(version.rules) and locked.de_minimis_amount is None:
            errors.append(FieldError(
                "de_minimis_amount",
                "Déclarez le montant des aides de minimis reçues sur les 3 dernières années (0 si aucune).",
            ))
        try:
            profile = parse_profile({**locked.answers, "as_of": today.isoformat()})
        except InvalidInput as exc:
            profile = None
            errors += exc.errors
        if errors:
            raise InvalidInput(errors)
        evaluation = evaluate(version.rules, profile.facts, opens_on=scheme.opens_on, closes_on=scheme.closes_on)
        locked.version = version
        locked.evaluation = result_body(scheme, version, evaluation)
        locked.status = Application.Status.SUBMITTED
        locked.submitted_at = timezone.now()
        locked.number = f"LEV-{today.year}-{locked.pk:06d}"
        locked.save()
        ApplicationLog.objects.create(
            application=locked, from_status=Application.Status.DRAFT, to_status=Application.Status.SUBMITTED, by=by
        )
        application_submitted.send(sender=Application, application=locked)  # instruction opens (funding domain)
    return locked


def record_paper_application(*, scheme: Scheme, organisation, by, answers: dict, de_minimis_amount=None,
                             today: date | None = None) -> Application:
    """An application received on paper, entered by an instructor of the scheme's operator: submitted
    at once with the rules in effect today (its documents are checked during the instruction)."""
    today = today or timezone.localdate()
    if Role.OPERATOR_INSTRUCTOR not in scope_of(by).roles and not scope_of(by).is_admin \
            or (not scope_of(by).is_admin and scheme.owner_unit_id not in scope_of(by).units(Role.OPERATOR_INSTRUCTOR)):
        raise InvalidInput.single("scheme", "Seuls les instructeurs de l'opérateur du dispositif saisissent ses dossiers papier.")
    version = version_in_effect(scheme, today)
    if version is None or scheme.status != SchemeStatus.PUBLISHED:
        raise InvalidInput.single("scheme", "Ce dispositif n'accepte plus de demande.")
    profile = parse_profile({**answers, "as_of": today.isoformat()})
    evaluation = evaluate(version.rules, profile.facts, opens_on=scheme.opens_on, closes_on=scheme.closes_on)
    with transaction.atomic(), acting_as(by):
        application = Application.objects.create(
            scheme=scheme, organisation=organisation, created_by=by, answers=answers, version=version,
            evaluation=result_body(scheme, version, evaluation), de_minimis_amount=de_minimis_amount,
            status=Application.Status.SUBMITTED, submitted_at=timezone.now(), number=f"PAP-{uuid.uuid4().hex[:24]}")  # the receipt number needs the id
        application.number = f"LEV-{today.year}-{application.pk:06d}"
        application.save(update_fields=["number"])
        ApplicationLog.objects.create(application=application, from_status="", to_status=Application.Status.SUBMITTED, by=by)
        application_submitted.send(sender=Application, application=application, paper=True)
    return application
