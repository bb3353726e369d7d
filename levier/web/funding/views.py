"""Funds, conventions, commitments and the Copil report (thin views over visible_to querysets)."""

from datetime import date
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from levier.accounts.enums import Role
from levier.accounts.permissions import scope_of
from levier.core.errors import InvalidInput
from levier.funding import copil as copil_figures
from levier.funding import ledger, services
from levier.funding.copil_report import build_report
from levier.funding.models import Commitment, Convention, Fund, LedgerEntry
from levier.reporting.render import file_response, render_html, render_pdf, render_xlsx
from levier.web.forms_base import DsfrFormMixin, IsoDateInput, add_errors
from levier.funding.enums import Anticipation, MeasureKind, RemainderUse
from levier.web.funding.conventions import can_manage, follow_up
from levier.web.pagination import pages_of

STAFF_READERS = {Role.STEERING, Role.OPERATOR_INSTRUCTOR, Role.AUDITOR}


def _require(user, roles) -> None:
    if not scope_of(user).has(*roles):
        raise PermissionDenied


@login_required
def fund_list(request):
    _require(request.user, STAFF_READERS)
    funds = (Fund.objects.visible_to(request.user).select_related("manager")
             .annotate(commitment_count=Count("commitments", distinct=True)).order_by("name"))
    funds = list(funds)
    balances = ledger.fund_balances(funds)
    rows = [(fund, balances[fund.pk]) for fund in funds]
    return render(request, "funding/funds.html", {"title": "Fonds et programmes", "rows": rows})


@login_required
def fund_detail(request, slug: str):
    _require(request.user, STAFF_READERS)
    fund = get_object_or_404(Fund.objects.visible_to(request.user).select_related("manager"), slug=slug)
    financers = list(fund.financers.select_related("organisation", "convention"))
    received = {row["financer_id"]: row["total"] for row in ledger.received_by_financer(fund)}
    plan = services.cofinancing_plan(fund)
    commitments = (Commitment.objects.visible_to(request.user).filter(fund=fund)
                   .select_related("beneficiary", "operator__operator").order_by("-committed_on", "reference"))
    page = Paginator(commitments, 25).get_page(request.GET.get("page"))
    readable = set(Convention.objects.visible_to(request.user)
                   .filter(pk__in=[f.convention_id for f in financers if f.convention_id]).values_list("pk", flat=True))
    return render(request, "funding/fund.html", {
        "title": fund.name, "fund": fund, "readable_conventions": readable, "balance": ledger.fund_balance(fund), "plan": plan,
        "financers": [(f, received.get(f.id), line.share) for f, line in zip(financers, plan.lines)],
        "operators": _operators(fund),
        "schemes": fund.scheme_links.select_related("scheme"), "page": page, "pages": pages_of(page),
        "entries": LedgerEntry.objects.visible_to(request.user).filter(fund=fund).select_related("commitment")
        .order_by("-on", "-id")[:20],
    })


def _operators(fund):
    operators = list(fund.operators.select_related("operator"))
    balances = ledger.operator_balances(operators)
    return [(operator, balances[operator.pk]) for operator in operators]


@login_required
def convention_list(request):
    conventions = Convention.objects.visible_to(request.user).select_related("company", "bassin")
    page = Paginator(conventions.order_by("-notified_on", "reference"), 25).get_page(request.GET.get("page"))
    return render(request, "funding/conventions.html", {
        "title": "Conventions de revitalisation", "page": page,
        "can_create": scope_of(request.user).has(Role.STEERING),
        "pages": pages_of(page)})


@login_required
def convention_detail(request, pk: int):
    convention = get_object_or_404(
        Convention.objects.visible_to(request.user).select_related("company", "bassin", "framework")
        .prefetch_related("steps__by", "steps__fund", "direct_actions", "committees", "departements"), pk=pk)
    today = timezone.localdate()
    manage = can_manage(request.user, convention)
    return render(request, "funding/convention.html", {
        "title": f"Convention {convention.reference}", "convention": convention, "today": today,
        **follow_up(convention, today), "committees": convention.committees.all(), "steps": convention.steps.all(),
        "logs": convention.logs.select_related("by"), "local_conventions": convention.local_conventions.all(),
        "read_only": convention.company_id in scope_of(request.user).company_organisation_ids,
        "can_manage": manage, "funds": Fund.objects.visible_to(request.user).order_by("name") if manage else [],
        "measure_kinds": MeasureKind.choices, "anticipations": Anticipation.choices,
        "remainder_uses": [c for c in RemainderUse.choices if c[0]],
    })


@login_required
def commitment_detail(request, pk: int):
    commitment = get_object_or_404(
        Commitment.objects.visible_to(request.user).select_related("fund", "beneficiary", "operator__operator", "scheme"), pk=pk)
    today = timezone.localdate()
    scope = scope_of(request.user)
    is_instructor = scope.is_admin or commitment.operator.unit_id in scope.units(Role.OPERATOR_INSTRUCTOR)
    is_beneficiary = commitment.beneficiary_id in scope.company_organisation_ids
    return render(request, "funding/commitment.html", {
        "title": f"Engagement {commitment.reference}", "commitment": commitment,
        "balance": ledger.commitment_balance(commitment), "arrears": services.arrears(commitment, today),
        "entries": commitment.entries.order_by("on", "id"), "instalments": commitment.instalments.all(),
        "reports": commitment.job_reports.all(), "shortfall": _shortfall(commitment, today),
        "can_declare": is_beneficiary or is_instructor, "is_instructor": is_instructor, "today": today,
    })


def _shortfall(commitment, today):
    from levier.funding.instruction import job_shortfall

    return job_shortfall(commitment, today)


class CopilForm(DsfrFormMixin, forms.Form):
    fund = forms.ChoiceField(label="Fonds", required=False)
    territory = forms.CharField(label="ou territoire (code)", required=False, max_length=40,
                                help_text="« 13 », « 200054807 » ou « epci:200054807 »")
    financer = forms.CharField(label="ou financeur (SIREN)", required=False, max_length=9)
    start = forms.DateField(label="Du", required=False, widget=IsoDateInput())
    end = forms.DateField(label="Au", required=False, widget=IsoDateInput())

    def __init__(self, *args, funds=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fund"].choices = [("", "Tous les fonds visibles")] + [(f.slug, f.name) for f in funds]

    def clean(self):
        data = super().clean()
        if sum(bool(data.get(k)) for k in ("fund", "territory", "financer")) > 1:
            raise forms.ValidationError("Choisissez un fonds, un territoire ou un financeur, pas plusieurs.")
        return data


@login_required
def copil(request):
    _require(request.user, {Role.STEERING, Role.AUDITOR, Role.OPERATOR_INSTRUCTOR})
    funds = list(Fund.objects.visible_to(request.user).order_by("name"))
    form = CopilForm(request.GET or None, funds=funds)
    figures = report = None
    if form.is_valid() or not request.GET:
        data = form.cleaned_data if request.GET else {}
        scope = copil_figures.Scope(fund=data.get("fund") or "", territory=(data.get("territory") or "").strip(),
                                    financer=(data.get("financer") or "").replace(" ", ""), start=data.get("start"),
                                    end=data.get("end"), fund_ids=frozenset(f.id for f in funds))
        try:
            figures = copil_figures.copil_figures(scope)
        except InvalidInput as exc:
            add_errors(form, exc)
        else:
            report = build_report(figures, generated_on=timezone.localdate())
            name = f"copil-{scope.fund or 'fonds'}-{date.today():%Y%m%d}"
            if request.GET.get("format") == "pdf":
                return file_response(render_pdf(report, brand=settings.LEVIER_STATE_BRAND), f"{name}.pdf", "application/pdf")
            if request.GET.get("format") == "xlsx":
                return file_response(render_xlsx(report), f"{name}.xlsx",
                                     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    query = urlencode({k: v for k, v in request.GET.items() if k != "format"})
    return render(request, "funding/copil.html", {
        "title": "Comité de pilotage des fonds", "form": form, "figures": figures,
        "report_html": render_html(report) if report else "", "query": query})
