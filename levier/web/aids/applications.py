"""Applicant side of applications: start from a scheme, documents, de minimis, submission, receipt."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from levier.accounts.permissions import scope_of
from levier.aids import applications as service
from levier.aids.models import Application, Scheme
from levier.aids.services import version_in_effect
from levier.core.audit import log_read
from levier.core.errors import InvalidInput
from levier.funding import instruction as flow
from levier.web.forms_base import DsfrFormMixin, flash_errors


class DocumentForm(DsfrFormMixin, forms.Form):
    document_key = forms.ChoiceField(label="Pièce")
    file = forms.FileField(label="Fichier (PDF, JPEG ou PNG, 10 Mio au plus)")

    def __init__(self, *args, documents=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["document_key"].choices = [(d["key"], d["label"]) for d in documents]
        self.fields["document_key"].widget.attrs["class"] = "fr-select"
        self.fields["file"].widget.attrs["class"] = "fr-upload"


@login_required
@require_POST
def start(request, slug: str):
    scheme = get_object_or_404(Scheme.objects.public(), slug=slug)
    try:
        application = service.start_application(scheme=scheme, by=request.user, answers=request.session.get("aids_profile"))
    except InvalidInput as exc:
        flash_errors(request, exc)
        return redirect("aids:detail", slug=slug)
    if getattr(application, "resumed", False):
        messages.info(request, "Vous aviez déjà un brouillon pour ce dispositif : le voici, avec ce que vous y aviez saisi.")
    else:
        messages.success(request, "Brouillon de demande créé : joignez les pièces puis déposez-la.")
    return redirect("aids:application", pk=application.pk)


@login_required
def application_list(request):
    applications = service.ApplicationQueries.visible_to(request.user).order_by("-created_at")
    return render(request, "aids/applications.html", {"title": "Mes demandes d'aide", "applications": applications})


@login_required
def application_detail(request, pk: int):
    application = get_object_or_404(service.ApplicationQueries.visible_to(request.user), pk=pk)
    log_read(application)
    is_applicant = application.organisation_id in _own_organisations(request.user)
    version = application.version
    rules = (version or version_in_effect(application.scheme, timezone.localdate()) or application.scheme.versions.last()).rules
    present = {d.document_key for d in application.documents.all()}
    instruction = getattr(application, "instruction", None)  # opened by the funding domain at submission
    return render(request, "aids/application.html", {
        "instruction": instruction,
        "actions": [(name, flow.TRANSITIONS[name]) for name in flow.allowed_actions(request.user, instruction)
                    if flow.TRANSITIONS[name].by == flow.APPLICANT] if instruction else [],
        "instruction_logs": instruction.logs.all() if instruction else [],
        "instructs": bool(instruction) and flow.is_instructor(request.user, instruction),
        "commitments": application.commitments.all(),
        "title": f"Demande — {application.scheme.name}",
        "application": application,
        "is_applicant": is_applicant,
        "editable": is_applicant and application.status == Application.Status.DRAFT,
        "needs_de_minimis": service.needs_de_minimis(rules),
        "may_declare": service.may_declare(request.user, application),
        "declared_aids": application.declared_aids.all(), "declared_links": application.declared_links.all(),
        "document_form": DocumentForm(documents=application.scheme.required_documents),
        "required": [(d, d["key"] in present) for d in application.scheme.required_documents],
        "documents": application.documents.all(),
    })


def _own_organisations(user):
    return scope_of(user).company_organisation_ids


@login_required
@require_POST
def upload(request, pk: int):
    application = get_object_or_404(
        service.ApplicationQueries.visible_to(request.user).filter(organisation_id__in=_own_organisations(request.user)), pk=pk
    )
    form = DocumentForm(request.POST, request.FILES, documents=application.scheme.required_documents)
    if not form.is_valid():
        messages.error(request, "Choisissez une pièce et un fichier.")
        return redirect("aids:application", pk=pk)
    try:
        service.add_document(application=application, by=request.user, document_key=form.cleaned_data["document_key"],
                             uploaded=form.cleaned_data["file"])
    except InvalidInput as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, "Pièce ajoutée.")
    return redirect("aids:application", pk=pk)


@login_required
@require_POST
def submit(request, pk: int):
    application = get_object_or_404(
        service.ApplicationQueries.visible_to(request.user).filter(organisation_id__in=_own_organisations(request.user)), pk=pk
    )
    try:
        submitted = service.submit_application(application=application, by=request.user)
    except InvalidInput as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, f"Demande déposée. Récépissé n° {submitted.number}.")
    return redirect("aids:application", pk=pk)


@login_required
def document(request, pk: int, document_pk: int):
    application = get_object_or_404(service.ApplicationQueries.visible_to(request.user), pk=pk)
    doc = get_object_or_404(application.documents, pk=document_pk)
    log_read(application)
    return FileResponse(doc.file.open("rb"), as_attachment=True, filename=doc.download_name, content_type=doc.content_type)
