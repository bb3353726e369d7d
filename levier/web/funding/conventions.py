"""The State service records a revitalisation convention, signs it, follows it and closes it."""

from decimal import Decimal

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from levier.accounts.enums import Role
from levier.accounts.permissions import scope_of
from levier.core.errors import InvalidInput
from levier.funding import services
from levier.funding.enums import Procedure
from levier.funding.instruction import parse_date
from levier.funding.models import Convention
from levier.organisations.models import Organisation, Unit
from levier.territories.models import Territory
from levier.web.forms_base import DsfrFormMixin, add_errors, flash_errors


class ConventionForm(DsfrFormMixin, forms.Form):
    reference = forms.CharField(label="Référence", max_length=40)
    siren = forms.CharField(label="SIREN de l'entreprise", max_length=11)
    procedure = forms.ChoiceField(label="Procédure", choices=Procedure.choices)
    group_headcount = forms.IntegerField(label="Effectif de l'entreprise ou du groupe", min_value=0, required=False)
    in_receivership = forms.BooleanField(label="En redressement ou liquidation judiciaire", required=False)
    notified_on = forms.DateField(label="Date de notification", widget=forms.DateInput(attrs={"type": "date"}))
    jobs_eliminated = forms.IntegerField(label="Emplois supprimés", min_value=0)
    jobs_reclassified = forms.IntegerField(label="Reclassements dans le groupe", min_value=0, initial=0)
    bassin = forms.CharField(label="Bassin d'emploi (code du territoire)", max_length=40,
                             help_text="Code d'un département, d'un EPCI ou « bassin:code »")
    rate = forms.DecimalField(label="Taux (SMIC mensuels par emploi)", min_value=Decimal("0.01"), decimal_places=2,
                              max_digits=5, initial=Decimal("2"))
    rate_reason = forms.CharField(label="Motif d'un taux inférieur à 2", required=False, max_length=200)
    national_framework = forms.BooleanField(label="Convention-cadre nationale", required=False)


def _owner_unit(user) -> Unit:
    scope = scope_of(user)
    units = sorted(scope.units(Role.STEERING))
    if not units and not scope.is_admin:
        raise PermissionDenied
    return Unit.objects.get(pk=units[0]) if units else Unit.objects.filter(reference_key="ddets-13-revitalisation").first()


@login_required
def convention_create(request):
    unit = _owner_unit(request.user)
    form = ConventionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        company = Organisation.objects.filter(siren=data.pop("siren").replace(" ", "")).first()
        code = data.pop("bassin").strip()
        kind, _, value = code.rpartition(":")
        bassin = Territory.objects.filter(code=value, **({"kind": kind} if kind else {})).exclude(kind="commune").first()
        if company is None:
            form.add_error("siren", "Aucune organisation de ce SIREN : enregistrez-la d'abord dans l'annuaire.")
        if bassin is None:
            form.add_error("bassin", "Territoire inconnu.")
        if company is not None and bassin is not None:
            try:
                convention, warnings = services.create_convention(
                    by=request.user, values={**data, "company": company, "bassin": bassin, "owner_unit": unit})
            except InvalidInput as exc:
                add_errors(form, exc)
            else:
                for warning in warnings:
                    messages.warning(request, warning)
                messages.success(request, f"Convention {convention.reference} enregistrée : {convention.get_kind_display()}.")
                return redirect("funding:convention", pk=convention.pk)
    return render(request, "funding/convention_form.html", {"title": "Nouvelle convention de revitalisation", "form": form})


def can_manage(user, convention: Convention) -> bool:
    scope = scope_of(user)
    return scope.is_admin or convention.owner_unit_id in scope.units(Role.STEERING)


@login_required
@require_POST
def convention_action(request, pk: int, action: str):
    convention = get_object_or_404(Convention.objects.visible_to(request.user), pk=pk)
    if not can_manage(request.user, convention) or action not in ("sign", "committee", "direct_action", "close"):
        raise PermissionDenied
    data = request.POST
    try:
        if action == "sign":
            for warning in services.sign_convention(convention=convention, by=request.user,
                                                    signed_on=_required_date(data, "signed_on"),
                                                    ends_on=_required_date(data, "ends_on")):
                messages.warning(request, warning)
        elif action == "committee":
            services.record_committee(convention=convention, by=request.user, held_on=_required_date(data, "held_on"),
                                      minutes=data.get("minutes", ""))
        elif action == "direct_action":
            jobs = data.get("jobs_created", "0") or "0"
            if not jobs.isdigit():
                raise InvalidInput.single("jobs_created", "Nombre entier d'emplois attendu.")
            services.add_direct_action(convention=convention, label=data.get("label", "").strip() or "Action",
                                       done_on=_required_date(data, "done_on"), value=data.get("value", ""),
                                       jobs_created=int(jobs))
        else:
            summary = services.close_convention(convention=convention, by=request.user,
                                                closed_on=_required_date(data, "closed_on"))
            messages.info(request, f"Reliquat versé au Trésor : {summary.shortfall} €.")
    except InvalidInput as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, "Enregistré.")
    return redirect("funding:convention", pk=pk)


def _required_date(data, field: str):
    value = parse_date(data.get(field))
    if value is None:
        raise InvalidInput.single(field, "Date obligatoire.")
    return value
