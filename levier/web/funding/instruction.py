"""Instruction pages: the queue, one file with the actions the user may fire, committee members' view."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from levier.accounts.enums import Role
from levier.accounts.permissions import scope_of
from levier.core.audit import log_read
from levier.core.errors import InvalidInput
from levier.core.parsing import date_field
from levier.funding import instruction as flow
from levier.aids.enums import DeMinimisRegime
from levier.funding.enums import Collateral, CommitteeStatus, Rating
from levier.funding.models import Commitment, Committee, Instruction
from levier.web.forms_base import flash_errors, flash_form_errors


@login_required
def instruction_list(request):
    scope = scope_of(request.user)
    if not scope.has(Role.OPERATOR_INSTRUCTOR, Role.STEERING, Role.AUDITOR, Role.COMMITTEE_MEMBER):
        raise PermissionDenied
    instructions = (Instruction.objects.visible_to(request.user)
                    .select_related("application__scheme", "application__organisation", "operator__fund", "committee")
                    .order_by("-created_at"))
    status = request.GET.get("statut", "")
    if status:
        instructions = instructions.filter(status=status)
    return render(request, "funding/instructions.html", {
        "title": "Instruction des demandes", "instructions": instructions[:200], "status": status,
        "can_enter_paper": scope.has(Role.OPERATOR_INSTRUCTOR) and not scope.is_read_only,
        "statuses": flow.S.choices})


def _visible(request, pk: int) -> Instruction:
    return get_object_or_404(
        Instruction.objects.visible_to(request.user).select_related(
            "application__scheme", "application__organisation", "application__version", "operator__fund", "committee"),
        pk=pk)


@login_required
def instruction_detail(request, pk: int):
    instruction = _visible(request, pk)
    log_read(instruction.application)
    actions = flow.allowed_actions(request.user, instruction)
    labels = {d["key"]: d["label"] for d in instruction.application.scheme.required_documents}
    application = instruction.application
    proposed = flow.proposed_amounts(instruction)
    return render(request, "funding/instruction.html", {
        "title": f"Instruction — {instruction}", "instruction": instruction, "application": application,
        "needs_de_minimis": any(p["de_minimis"] for p in proposed) or not proposed,
        "may_declare": flow.may_declare_for(request.user, instruction),
        "declared_aids": application.declared_aids.all(), "declared_links": application.declared_links.all(),
        "ceilings": _ceilings(instruction, proposed) if "grant" in actions else [],
        "has_loan": any(p["kind"] == "loan" for p in proposed) or not proposed,
        "ratings": Rating.choices, "collaterals": Collateral.choices, "regimes": DeMinimisRegime.choices,
        "actions": [(name, flow.TRANSITIONS[name]) for name in actions],
        "checklist": [(key, labels.get(key, key), checked) for key, checked in instruction.checklist.items()],
        "proposed": proposed,
        "committees": Committee.objects.filter(fund=instruction.operator.fund, status=CommitteeStatus.PLANNED),
        "commitments": instruction.application.commitments.all(),
        "requests": instruction.document_requests.all(), "logs": instruction.logs.select_related("by"),
        "pending": flow.follow_up_pending(instruction) if instruction.status == flow.S.FOLLOW_UP else [],
        "is_member": instruction.committee is not None and instruction.committee.members.filter(pk=request.user.pk).exists(),
        "conflicts": instruction.conflicts.select_related("member"), "today": timezone.localdate(),
    })


@login_required
def instruction_document(request, pk: int, document_pk: int):
    """A piece of the applicant's file, for those who see the instruction (the application's own
    page is the applicant's)."""
    instruction = _visible(request, pk)
    doc = get_object_or_404(instruction.application.documents, pk=document_pk)
    log_read(instruction.application)
    return FileResponse(doc.file.open("rb"), as_attachment=True, filename=doc.download_name, content_type=doc.content_type)


def _ceilings(instruction, proposed) -> list:
    """Before the committee decides: each de minimis regime's ceiling for the applicant's single undertaking
    at today's date, with what its declaration and Levier's records already count (loans at face value)."""
    from decimal import Decimal

    from levier.funding import services

    application = instruction.application
    regimes = {}
    for p in proposed:
        if p["de_minimis"] and p["unit"] == "EUR":
            regimes[p["de_minimis"]] = regimes.get(p["de_minimis"], Decimal("0.00")) + Decimal(p["amount"])
    checks = []
    for regime, amount in regimes.items():
        try:
            checks.append(services.check_de_minimis(
                beneficiary=application.organisation, amount=amount, regime=regime, on=timezone.localdate(),
                declared=services.declared_de_minimis(application)))
        except InvalidInput:
            continue
    return checks


@login_required
@require_POST
def transition(request, pk: int, action: str):
    instruction = _visible(request, pk)
    if action not in flow.allowed_actions(request.user, instruction):
        raise PermissionDenied
    try:
        flow.fire(instruction, action, by=request.user, **flow.action_data(instruction, action, request.POST, today=timezone.localdate()))
    except InvalidInput as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, f"{flow.TRANSITIONS[action].label} : fait.")
    if flow.is_applicant(request.user, instruction) and not flow.is_instructor(request.user, instruction):
        return redirect("aids:application", pk=instruction.application_id)
    return redirect("funding:instruction", pk=pk)


@login_required
@require_POST
def conflict(request, pk: int):
    instruction = _visible(request, pk)
    try:
        flow.declare_conflict(instruction=instruction, by=request.user, note=request.POST.get("note", ""))
    except InvalidInput as exc:
        raise PermissionDenied(exc.errors[0].message) from exc
    messages.success(request, "Votre déport est enregistré : vous ne prenez pas part à la délibération sur ce dossier.")
    return redirect("funding:instruction", pk=pk)


class JobsForm(forms.Form):
    reported_on = forms.DateField(label="Date de la déclaration")
    cdi_headcount = forms.IntegerField(label="Effectif CDI", min_value=0)
    qpv_resident_jobs = forms.IntegerField(label="Salariés résidant en QPV", min_value=0, required=False)


@login_required
@require_POST
def declare_jobs(request, pk: int):
    commitment = get_object_or_404(Commitment.objects.visible_to(request.user).select_related("operator"), pk=pk)
    if not flow.may_declare_jobs(request.user, commitment):
        raise PermissionDenied
    form = JobsForm(request.POST)
    if not form.is_valid():
        flash_form_errors(request, form)
        return redirect("funding:commitment", pk=pk)
    try:
        flow.declare_jobs(commitment=commitment, by=request.user, reported_on=form.cleaned_data["reported_on"],
                          cdi_headcount=form.cleaned_data["cdi_headcount"],
                          qpv_resident_jobs=form.cleaned_data["qpv_resident_jobs"] or 0)
    except InvalidInput as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, "Déclaration d'emplois enregistrée.")
    return redirect("funding:commitment", pk=pk)


def _instructed(request, pk: int) -> Commitment:
    """A commitment the user may act on as its operator's instructor (or administrator)."""
    commitment = get_object_or_404(Commitment.objects.visible_to(request.user).select_related("operator"), pk=pk)
    scope = scope_of(request.user)
    if not (scope.is_admin or commitment.operator.unit_id in scope.units(Role.OPERATOR_INSTRUCTOR)):
        raise PermissionDenied
    return commitment


@login_required
@require_POST
def verify_jobs(request, pk: int, report_pk: int):
    commitment = _instructed(request, pk)
    report = get_object_or_404(commitment.job_reports, pk=report_pk)
    value = request.POST.get("verified_jobs", "").strip()
    if not value.isdigit():
        messages.error(request, "Emplois vérifiés : nombre entier positif ou nul attendu.")
        return redirect("funding:commitment", pk=pk)
    try:
        on = date_field(request.POST.get("verified_on"), "verified_on", default=timezone.localdate())
        flow.verify_jobs(report=report, by=request.user, verified_jobs=int(value), on=on)
    except InvalidInput as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, "Emplois vérifiés.")
    return redirect("funding:commitment", pk=pk)


@login_required
@require_POST
def repay(request, pk: int):
    from levier.funding import ledger

    commitment = _instructed(request, pk)
    try:
        ledger.repay(commitment=commitment, amount=request.POST.get("amount", ""), by=request.user,
                     on=flow.parse_date(request.POST.get("on")) or timezone.localdate(), note=request.POST.get("note", ""))
    except InvalidInput as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, "Remboursement enregistré.")
    return redirect("funding:commitment", pk=pk)


@login_required
@require_POST
def write_off(request, pk: int):
    from levier.funding import ledger

    commitment = _instructed(request, pk)
    try:
        ledger.write_off(commitment=commitment, amount=request.POST.get("amount", ""), reason=request.POST.get("reason", ""),
                         on=flow.parse_date(request.POST.get("on")) or timezone.localdate(), by=request.user)
    except InvalidInput as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, "Passage en perte enregistré.")
    return redirect("funding:commitment", pk=pk)


class PaperForm(forms.Form):
    scheme = forms.ChoiceField(label="Dispositif")
    siren = forms.CharField(label="SIREN du demandeur", max_length=11)
    commune = forms.CharField(label="Code INSEE de la commune de l'établissement", max_length=5)
    headcount = forms.IntegerField(label="Effectif salarié", min_value=0, required=False)
    naf = forms.CharField(label="Code NAF", max_length=6, required=False)
    jobs = forms.IntegerField(label="Emplois nets en CDI créés sous 24 mois", min_value=0, required=False)
    investment = forms.DecimalField(label="Investissement prévu (€)", min_value=0, required=False)
    consulting = forms.DecimalField(label="Coût de conseil prévu (€)", min_value=0, required=False)


def paper_schemes(user):
    """Published schemes of the user's operator units that a fund draws on."""
    from levier.aids.models import Scheme
    from levier.funding.models import FundScheme

    scope = scope_of(user)
    schemes = Scheme.objects.public().filter(status="published", id__in=FundScheme.objects.values("scheme_id"))
    return schemes if scope.is_admin else schemes.filter(owner_unit_id__in=scope.units(Role.OPERATOR_INSTRUCTOR))


@login_required
def paper_application(request):
    from levier.aids.applications import record_paper_application
    from levier.organisations.models import Organisation

    if not scope_of(request.user).has(Role.OPERATOR_INSTRUCTOR):
        raise PermissionDenied
    schemes = {str(s.pk): s for s in paper_schemes(request.user)}
    form = PaperForm(request.POST or None)
    form.fields["scheme"].choices = [(pk, s.name) for pk, s in schemes.items()]
    for field in form.fields.values():
        field.widget.attrs["class"] = "fr-select" if isinstance(field, forms.ChoiceField) else "fr-input"
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        organisation = Organisation.objects.filter(siren=data["siren"].replace(" ", "")).first()
        if organisation is None:
            form.add_error("siren", "Aucune organisation de ce SIREN : enregistrez-la d'abord dans l'annuaire.")
        else:
            answers = {"beneficiary": {k: v for k, v in {"kind": "company", "commune": data["commune"],
                                                         "headcount": data["headcount"], "naf": data["naf"] or None}.items()
                                       if v is not None},
                       "project": {k: str(v) if v is not None and k != "net_cdi_jobs_24m" else v for k, v in {
                           "net_cdi_jobs_24m": data["jobs"], "investment_eur": data["investment"],
                           "consulting_cost_eur": data["consulting"]}.items() if v is not None}}
            try:
                application = record_paper_application(scheme=schemes[data["scheme"]], organisation=organisation,
                                                       by=request.user, answers=answers)
            except InvalidInput as exc:
                for error in exc.errors:
                    form.add_error(None, f"{error.field} : {error.message}")
            else:
                instruction = getattr(application, "instruction", None)
                messages.success(request, f"Dossier papier enregistré : {application.number}.")
                if instruction is not None:
                    return redirect("funding:instruction", pk=instruction.pk)
                return redirect("funding:instructions")
    return render(request, "funding/paper.html", {"title": "Saisir un dossier papier", "form": form})
