"""Applications to a scheme, submission side.

A signed-in company or project holder starts a draft from a scheme page (the
simulator's answers are carried over), uploads the scheme's required
documents, declares the de minimis aid its single undertaking received and the
companies it controls or that control it when a component is de minimis (a structured
field of the scheme's rules), then submits: the version of the rules in effect on that day is
frozen with its evaluation, and the application gets a receipt number.
Instruction, committees and payments belong to the funding domain, which
takes over from `submit_application`.
"""

import hashlib
import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from django.db import transaction
from django.db.models import Q
from django.dispatch import Signal
from django.utils import timezone

from levier.accounts.enums import Role
from levier.accounts.permissions import scope_of
from levier.core import workflow
from levier.core.audit import acting_as
from levier.core.errors import FieldError, InvalidInput

from levier.organisations.enums import ControlBasis
from levier.organisations.models import Organisation
from levier.organisations.rules import siren_error

from .enums import DeMinimisRegime, SchemeStatus
from .models import Application, ApplicationDocument, DeclaredAid, DeclaredLink, Scheme
from .rules import evaluate
from .services import parse_profile, result_body, version_in_effect

MAX_FILE_SIZE = 10 * 1024 * 1024
MAX_FILES = 20
# Content signatures: the file's first bytes decide its type, never its name.
SIGNATURES = {b"%PDF-": "application/pdf", b"\xff\xd8\xff": "image/jpeg", b"\x89PNG\r\n\x1a\n": "image/png"}


EXTENSIONS = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}


def detect_content_type(head: bytes) -> str | None:
    """PDF, JPEG or PNG from the first bytes of a file; None for anything else."""
    return next((kind for magic, kind in SIGNATURES.items() if head.startswith(magic)), None)


# Sent inside the submission's transaction; the funding domain opens the instruction.
application_submitted = Signal()


def needs_de_minimis(rules: dict) -> bool:
    """A scheme whose rules hold a de minimis component asks for the de minimis declaration."""
    return any(c.get("de_minimis") for c in rules.get("components", []))


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
    """A draft for the user's organisation, with the simulator's answers carried over. The organisation's draft
    of the same scheme, if it has one, is the one returned, untouched: asking twice never makes two drafts (the
    organisation's row is locked, so two clicks at once find the same draft)."""
    if scheme.status != SchemeStatus.PUBLISHED:
        raise InvalidInput.single("scheme", "Ce dispositif n'accepte pas de demande (il n'est pas ouvert).")
    organisation_id = _applicant_organisation(by)
    with transaction.atomic(), acting_as(by):
        Organisation.objects.select_for_update().filter(pk=organisation_id).first()
        draft = (Application.objects.filter(scheme=scheme, organisation_id=organisation_id,
                                            status=Application.Status.DRAFT).order_by("created_at").first())
        if draft is not None:
            draft.resumed = True  # for the page's message; not stored
            return draft
        application = Application(scheme=scheme, organisation_id=organisation_id, created_by=by, answers=answers or {})
        workflow.enter(application, by=by, action="Brouillon ouvert")
    return application


def _locked_draft(application: Application) -> Application:
    locked = Application.objects.select_for_update().get(pk=application.pk)
    if locked.status != Application.Status.DRAFT:
        raise InvalidInput.single("status", "La demande est déposée : elle ne peut plus être modifiée.")
    return locked


def save_draft(*, application: Application, by, answers: dict) -> Application:
    parse_profile(answers)
    with transaction.atomic(), acting_as(by):
        locked = _locked_draft(application)
        locked.answers = answers
        locked.save()
    return locked


@dataclass(frozen=True)
class DeclaredAidInput:
    granted_on: date
    amount: Decimal
    regime: str
    grantor: str
    beneficiary_siren: str = ""  # a company of the single undertaking; "" for the applicant itself


@dataclass(frozen=True)
class DeclaredLinkInput:
    siren: str
    name: str
    direction: str  # DeclaredLink.Direction
    basis: str  # ControlBasis


def may_declare(user, application: Application) -> bool:
    """The applicant on its draft; on a submitted file (paper, or completed on instruction), an instructor of
    the scheme's operator."""
    scope = scope_of(user)
    if application.status == Application.Status.DRAFT:
        return application.organisation_id in scope.company_organisation_ids
    return scope.is_admin or (application.scheme.owner_unit_id in scope.units(Role.OPERATOR_INSTRUCTOR)
                              and not scope.is_read_only)


def declare_de_minimis(*, application: Application, by, aids: list[DeclaredAidInput], links: list[DeclaredLinkInput],
                       on: date, instructor: bool = False) -> Application:
    """The de minimis declaration (1407/2013 art. 6(1), 2023/2831 art. 7(4)): the other de minimis aid the
    single undertaking received, and the companies the applicant controls or that control it (art. 2(2)).
    Replaces the previous declaration, all or nothing; every bad line listed. `instructor`: the funding
    domain has checked that `by` instructs the submitted application (levier.funding.instruction)."""
    if not (may_declare(by, application) or (instructor and application.status == Application.Status.SUBMITTED)):
        raise InvalidInput.single("application", "Seul le demandeur, ou l'instructeur pour un dossier déposé, déclare "
                                                 "les aides de minimis.")
    errors = _declaration_errors(application, aids, links, on)
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic(), acting_as(by):
        locked = Application.objects.select_for_update().get(pk=application.pk)
        locked.declared_aids.all().delete()
        locked.declared_links.all().delete()
        DeclaredAid.objects.bulk_create([DeclaredAid(application=locked, granted_on=a.granted_on, amount=a.amount,
                                                     regime=a.regime, grantor=a.grantor.strip(),
                                                     beneficiary_siren=a.beneficiary_siren) for a in aids])
        DeclaredLink.objects.bulk_create([DeclaredLink(application=locked, siren=link.siren, name=link.name.strip(),
                                                       direction=link.direction, basis=link.basis) for link in links])
        locked.de_minimis_declared_on = on
        locked.save(update_fields=["de_minimis_declared_on", "updated_at"])
    return locked


def _declaration_errors(application: Application, aids, links, on: date) -> list[FieldError]:
    errors = []
    applicant = application.organisation.siren or ""
    linked = set()
    for index, link in enumerate(links):
        field = f"links[{index}]"
        if message := siren_error(link.siren):
            errors.append(FieldError(f"{field}.siren", message))
        elif link.siren == applicant:
            errors.append(FieldError(f"{field}.siren", "Le SIREN du demandeur lui-même."))
        elif link.siren in linked:
            errors.append(FieldError(f"{field}.siren", "Entreprise déjà déclarée."))
        linked.add(link.siren)
        if not link.name.strip():
            errors.append(FieldError(f"{field}.name", "Raison sociale obligatoire."))
        if link.direction not in DeclaredLink.Direction.values:
            errors.append(FieldError(f"{field}.direction", "Sens du lien attendu."))
        if link.basis not in ControlBasis.values:
            errors.append(FieldError(f"{field}.basis", "Lien de l'article 2, paragraphe 2 (a à d) attendu."))
    for index, aid in enumerate(aids):
        field = f"aids[{index}]"
        if aid.amount is None or aid.amount <= 0:
            errors.append(FieldError(f"{field}.amount", "Montant strictement positif attendu (équivalent-subvention brut)."))
        if aid.granted_on > on:
            errors.append(FieldError(f"{field}.granted_on", "Une aide déclarée est déjà octroyée."))
        if aid.regime not in DeMinimisRegime.values or not aid.regime:
            errors.append(FieldError(f"{field}.regime", "Règlement de minimis attendu."))
        if not aid.grantor.strip():
            errors.append(FieldError(f"{field}.grantor", "Financeur obligatoire."))
        if aid.beneficiary_siren and aid.beneficiary_siren != applicant and aid.beneficiary_siren not in linked:
            errors.append(FieldError(f"{field}.beneficiary_siren", "Bénéficiaire à déclarer parmi les entreprises liées."))
    return errors


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
        original_name = Path(uploaded.name or "piece").name[:255]
        uploaded.name = f"{uuid.uuid4().hex}{EXTENSIONS[content_type]}"  # stored under a name Levier gives
        return ApplicationDocument.objects.create(
            application=locked, document_key=document_key, file=uploaded, original_name=original_name,
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
        if version is not None and needs_de_minimis(version.rules) and locked.de_minimis_declared_on is None:
            errors.append(FieldError(
                "de_minimis",
                "Faites la déclaration de minimis : les aides de minimis reçues et les entreprises liées (aucune si aucune).",
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
        locked.submitted_at = timezone.now()
        locked.number = f"LEV-{today.year}-{locked.pk:06d}"
        workflow.move(locked, Application.Status.SUBMITTED, by=by, action="Dépôt",
                      fields=["version", "evaluation", "submitted_at", "number"])
        application_submitted.send(sender=Application, application=locked)  # instruction opens (funding domain)
    return locked


def record_paper_application(*, scheme: Scheme, organisation, by, answers: dict,
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
        application = Application(
            scheme=scheme, organisation=organisation, created_by=by, answers=answers, version=version,
            evaluation=result_body(scheme, version, evaluation),
            status=Application.Status.SUBMITTED, submitted_at=timezone.now(), number=f"PAP-{uuid.uuid4().hex[:24]}")  # the receipt number needs the id
        workflow.enter(application, by=by, action="Dossier papier saisi")
        application.number = f"LEV-{today.year}-{application.pk:06d}"
        application.save(update_fields=["number"])
        application_submitted.send(sender=Application, application=application, paper=True)
    return application
