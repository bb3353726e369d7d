from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render

from levier.accounts.permissions import can_see_field, scope_of
from levier.core.audit import history_for, log_read
from levier.core.errors import InvalidInput
from levier.organisations import services
from levier.organisations.models import Organisation
from django.views.decorators.http import require_POST

from levier.web.forms_base import add_errors, flash_errors
from levier.web.pagination import pages_of

from .forms import ControlLinkForm, EstablishmentForm, FiscalYearEndForm, OrganisationForm, OrganisationSearchForm


def _can_edit(user, organisation: Organisation | None = None) -> bool:
    """Staff who are not read-only may record organisations; companies edit only their own."""
    scope = scope_of(user)
    if scope.is_admin:
        return True
    if organisation is not None and organisation.id in scope.company_organisation_ids:
        return True
    return scope.is_staff_member and not scope.is_read_only


@login_required
def organisation_list(request):
    form = OrganisationSearchForm(request.GET or None)
    organisations = Organisation.objects.visible_to(request.user).order_by("name")
    if form.is_valid() and form.cleaned_data["q"]:
        text = form.cleaned_data["q"].strip()
        organisations = organisations.filter(Q(name__icontains=text) | Q(siren=text.replace(" ", "")))
    page = Paginator(organisations, 25).get_page(request.GET.get("page"))
    template = "organisations/_list_rows.html" if request.htmx else "organisations/list.html"
    return render(
        request, template,
        {"title": "Organisations", "form": form, "page": page,
         "pages": pages_of(page, urlencode({"q": request.GET.get("q", "")})),
         "can_create": _can_edit(request.user) and scope_of(request.user).is_staff_member},
    )


@login_required
def organisation_detail(request, pk: int):
    organisation = get_object_or_404(Organisation.objects.visible_to(request.user), pk=pk)
    log_read(organisation)
    financials_visible = can_see_field(request.user, organisation, "turnover")
    return render(
        request,
        "organisations/detail.html",
        {
            "title": organisation.name,
            "organisation": organisation,
            "establishments": organisation.establishments.select_related("commune", "qpv"),
            "units": organisation.units.all(),
            "financials_visible": financials_visible,
            "can_edit": _can_edit(request.user, organisation),
            "controls": organisation.controls.select_related("controlled"),
            "controlled_by": organisation.controlled_by.select_related("controller"),
            "can_link": _can_link(request.user),
            "link_form": ControlLinkForm(), "fiscal_form": FiscalYearEndForm(initial={
                "fiscal_year_end_day": organisation.fiscal_year_end_day,
                "fiscal_year_end_month": organisation.fiscal_year_end_month}),
        },
    )


def _can_link(user) -> bool:
    """Staff who record organisations (not read-only) record control links and fiscal years."""
    scope = scope_of(user)
    return scope.is_admin or (scope.is_staff_member and not scope.is_read_only)


@login_required
@require_POST
def control_link_create(request, pk: int):
    organisation = get_object_or_404(Organisation.objects.visible_to(request.user), pk=pk)
    if not _can_link(request.user):
        raise PermissionDenied
    form = ControlLinkForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Lien de contrôle : " + " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("organisations:detail", pk=pk)
    data = form.cleaned_data
    other = Organisation.objects.visible_to(request.user).filter(siren=data["siren"].replace(" ", "")).first()
    if other is None:
        messages.error(request, "Aucune organisation de ce SIREN : enregistrez-la d'abord dans l'annuaire.")
        return redirect("organisations:detail", pk=pk)
    controller, controlled = (organisation, other) if data["direction"] == "controls" else (other, organisation)
    try:
        services.record_control_link(controller=controller, controlled=controlled, basis=data["basis"],
                                     since=data["since"], by=request.user, source="Saisie dans l'annuaire")
    except InvalidInput as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, "Lien de contrôle enregistré.")
    return redirect("organisations:detail", pk=pk)


@login_required
@require_POST
def fiscal_year_end(request, pk: int):
    organisation = get_object_or_404(Organisation.objects.visible_to(request.user), pk=pk)
    if not _can_link(request.user) and not _can_edit(request.user, organisation):
        raise PermissionDenied
    form = FiscalYearEndForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Clôture de l'exercice : jour entre 1 et 31, mois entre 1 et 12.")
        return redirect("organisations:detail", pk=pk)
    try:
        services.set_fiscal_year_end(organisation=organisation, day=form.cleaned_data["fiscal_year_end_day"],
                                     month=form.cleaned_data["fiscal_year_end_month"], by=request.user)
    except InvalidInput as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, "Clôture de l'exercice enregistrée.")
    return redirect("organisations:detail", pk=pk)


@login_required
def organisation_history(request, pk: int):
    organisation = get_object_or_404(Organisation.objects.visible_to(request.user), pk=pk)
    return render(
        request,
        "organisations/history.html",
        {"title": f"Historique — {organisation.name}", "organisation": organisation,
         "entries": history_for(organisation, request.user)},
    )


@login_required
def organisation_create(request):
    if not (_can_edit(request.user) and scope_of(request.user).is_staff_member):
        raise PermissionDenied
    form = OrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            organisation = services.create_organisation(by=request.user, **form.cleaned_data)
        except InvalidInput as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"Organisation « {organisation.name} » enregistrée.")
            return redirect("organisations:detail", pk=organisation.pk)
    return render(request, "organisations/form.html", {"title": "Nouvelle organisation", "form": form})


@login_required
def establishment_create(request, pk: int):
    organisation = get_object_or_404(Organisation.objects.visible_to(request.user), pk=pk)
    if not _can_edit(request.user, organisation):
        raise PermissionDenied
    form = EstablishmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_establishment(organisation=organisation, by=request.user, **form.cleaned_data)
        except InvalidInput as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "Établissement ajouté.")
            return redirect("organisations:detail", pk=organisation.pk)
    return render(
        request, "organisations/form.html",
        {"title": f"Nouvel établissement — {organisation.name}", "form": form, "organisation": organisation},
    )
