"""Back office of the catalogue: operators' schemes and rules, editors' publication."""

import json

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from levier.accounts.enums import Role
from levier.accounts.permissions import scope_of
from levier.aids import backoffice as service
from levier.aids.enums import AidKind, BeneficiaryKind
from levier.organisations.models import Unit
from levier.core.errors import FieldError, InvalidInput
from levier.web.forms_base import DsfrFormMixin, IsoDateInput, add_errors, flash_errors

STAFF_OF_CATALOGUE = (Role.OPERATOR_INSTRUCTOR, Role.CATALOGUE_EDITOR)
EXAMPLE_PROFILE = {"beneficiary": {"kind": "company", "commune": "94041", "headcount": 40, "naf": "25.62B"},
                   "project": {"net_cdi_jobs_24m": 4}}


class SchemeForm(DsfrFormMixin, forms.Form):
    name = forms.CharField(label="Nom", max_length=200)
    summary = forms.CharField(label="Résumé", max_length=400)
    description = forms.CharField(label="Description", required=False, widget=forms.Textarea(attrs={"rows": 4}))
    contacts = forms.CharField(label="Contacts", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    beneficiary_kinds = forms.MultipleChoiceField(label="Bénéficiaires", choices=BeneficiaryKind.choices,
                                                  widget=forms.CheckboxSelectMultiple)
    aid_kinds = forms.MultipleChoiceField(label="Natures d'aide", choices=AidKind.choices, required=False,
                                          widget=forms.CheckboxSelectMultiple)
    opens_on = forms.DateField(label="Ouvert à partir du", required=False, widget=IsoDateInput())
    closes_on = forms.DateField(label="Ouvert jusqu'au", required=False, widget=IsoDateInput())
    perimeter = forms.CharField(label="Périmètre", help_text="Territoires séparés par des virgules, ex. departement:94, ept:200058014")
    rules = forms.CharField(label="Règles (JSON)", widget=forms.Textarea(attrs={"rows": 16, "spellcheck": "false"}),
                            help_text="Conditions d'éligibilité et composantes de montant ; voir la documentation.")
    test_profile = forms.CharField(label="Profil de test pour l'aperçu (JSON)", required=False,
                                   widget=forms.Textarea(attrs={"rows": 5, "spellcheck": "false"}))

    def parsed(self):
        """(values, rules, perimeter, profile) or InvalidInput naming the field."""
        data = self.cleaned_data
        errors, rules, profile = [], None, None
        try:
            rules = json.loads(data["rules"])
        except ValueError as exc:
            errors.append(FieldError("rules", f"JSON invalide : {exc}."))
        if data.get("test_profile"):
            try:
                profile = json.loads(data["test_profile"])
            except ValueError as exc:
                errors.append(FieldError("test_profile", f"JSON invalide : {exc}."))
        try:
            perimeter = service.parse_perimeter(data["perimeter"])
        except InvalidInput as exc:
            errors += exc.errors
            perimeter = []
        if errors:
            raise InvalidInput(errors)
        values = {k: data[k] for k in service.EDITABLE_FIELDS}
        return values, rules, perimeter, profile


def _require_catalogue_staff(user):
    scope = scope_of(user)
    if not scope.has(*STAFF_OF_CATALOGUE):
        raise PermissionDenied


@login_required
def scheme_list(request):
    _require_catalogue_staff(request.user)
    schemes = list(service.manageable_schemes(request.user))
    stats = service.statistics(schemes)
    rows = [(s, stats[s.id]) for s in schemes]
    can_create = Role.OPERATOR_INSTRUCTOR in scope_of(request.user).roles or scope_of(request.user).is_admin
    return render(request, "aids/backoffice/list.html", {"title": "Gestion du catalogue", "rows": rows, "can_create": can_create})


def _initial(scheme) -> dict:
    version = scheme.versions.order_by("-number").first()
    return {
        "name": scheme.name, "summary": scheme.summary, "description": scheme.description, "contacts": scheme.contacts,
        "beneficiary_kinds": scheme.beneficiary_kinds, "aid_kinds": scheme.aid_kinds, "opens_on": scheme.opens_on,
        "closes_on": scheme.closes_on, "perimeter": ", ".join(f"{t.kind}:{t.code}" for t in scheme.perimeter.all()),
        "rules": json.dumps(version.rules if version else {}, ensure_ascii=False, indent=2),
        "test_profile": json.dumps(EXAMPLE_PROFILE, ensure_ascii=False),
    }


class UnitChoiceForm(DsfrFormMixin, forms.Form):
    """Which operator's unit carries a new scheme: asked when the creator may choose (an administrator, or
    an instructor of several units)."""

    unit = forms.ModelChoiceField(label="Service porteur du dispositif", queryset=Unit.objects.none(),
                                  empty_label="Choisir un service", error_messages={
                                      "required": "Choisissez le service qui porte le dispositif.",
                                      "invalid_choice": "Ce service ne peut pas porter de dispositif."})

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units.select_related("organisation").order_by("organisation__name", "name")
        self.fields["unit"].label_from_instance = lambda unit: f"{unit.organisation.name} — {unit.name}"


def _creatable_units(scope):
    """The units a scheme may be created for: the instructor's own, or for an administrator every unit
    where instructors work."""
    if scope.is_admin:
        return Unit.objects.filter(memberships__role=Role.OPERATOR_INSTRUCTOR).distinct()
    return Unit.objects.filter(pk__in=scope.units(Role.OPERATOR_INSTRUCTOR))


@login_required
def scheme_create(request):
    scope = scope_of(request.user)
    units = _creatable_units(scope)
    if not scope.is_admin and not units.exists():
        raise PermissionDenied
    data = request.POST or None
    form = SchemeForm(data, initial={"rules": '{"eligibility": null, "components": []}',
                                     "test_profile": json.dumps(EXAMPLE_PROFILE)})
    only_unit = units.first() if not scope.is_admin and units.count() == 1 else None
    unit_form = None if only_unit else UnitChoiceForm(data, units=units)
    if request.method == "POST" and form.is_valid() & (unit_form is None or unit_form.is_valid()):
        try:
            values, rules, perimeter, _ = form.parsed()
            unit = only_unit or unit_form.cleaned_data["unit"]
            scheme = service.create_scheme(by=request.user, unit=unit, values=values, rules=rules, perimeter=perimeter)
        except InvalidInput as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "Dispositif créé en brouillon.")
            return redirect("aids:manage", slug=scheme.slug)
    return render(request, "aids/backoffice/form.html",
                  {"title": "Nouveau dispositif", "form": form, "unit_form": unit_form})


@login_required
def scheme_manage(request, slug: str):
    _require_catalogue_staff(request.user)
    scheme = get_object_or_404(service.manageable_schemes(request.user), slug=slug)
    today = timezone.localdate()
    editable = service.can_edit(request.user, scheme)
    form = SchemeForm(request.POST or None, initial=_initial(scheme))
    preview = None
    if request.method == "POST" and editable and form.is_valid():
        try:
            values, rules, perimeter, profile = form.parsed()
            if "preview" in request.POST:
                preview = service.preview(rules=rules, profile=profile or EXAMPLE_PROFILE, scheme=scheme)
            else:
                version = service.update_scheme(scheme=scheme, by=request.user, values=values, rules=rules, perimeter=perimeter)
                messages.success(request, f"Enregistré (version {version.number}, non publiée).")
                return redirect("aids:manage", slug=slug)
        except InvalidInput as exc:
            add_errors(form, exc)
    return render(request, "aids/backoffice/form.html", {
        "title": f"Gestion — {scheme.name}", "form": form, "scheme": scheme, "editable": editable, "preview": preview,
        "can_publish": service.can_publish(request.user, scheme, today),
        "versions": scheme.versions.order_by("-number"), "logs": scheme.logs.select_related("by"),
    })


@login_required
def scheme_transition(request, slug: str, action: str):
    _require_catalogue_staff(request.user)
    scheme = get_object_or_404(service.manageable_schemes(request.user), slug=slug)
    if request.method != "POST":
        raise PermissionDenied
    today = timezone.localdate()
    try:
        if action == "relecture":
            service.ask_review(scheme=scheme, by=request.user)
        elif action == "publication":
            service.publish(scheme=scheme, by=request.user, on=today)
        elif action == "renvoi":
            service.send_back(scheme=scheme, by=request.user, reason=request.POST.get("reason", ""), on=today)
        elif action == "cloture":
            service.close(scheme=scheme, by=request.user, on=today)
        else:
            raise PermissionDenied
    except InvalidInput as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, "C'est fait.")
    return redirect("aids:manage", slug=slug)
