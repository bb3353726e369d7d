"""PLIE pages: protocols and their dashboard, participants list, caseload with alerts, export (the import
page is in import_page.py)."""

from datetime import date

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from levier.accounts.enums import Role
from levier.accounts.permissions import scope_of
from levier.core.errors import InvalidInput
from levier.core.parsing import date_or
from levier.pathways import access
from levier.pathways.caseload import caseload, caseload_counts
from levier.pathways.enums import PathwayStatus
from levier.pathways.exports import export_csv
from levier.pathways.models import Pathway, Protocol
from levier.pathways.report import protocol_report
from levier.pathways.report_document import build_report
from levier.reporting.render import file_response, render_html, render_pdf, render_xlsx
from levier.web.pagination import pages_of

PLIE_ROLES = {Role.PLIE_COORDINATOR, Role.REFERENT, Role.FSE_CONTROLLER, Role.AUDITOR, Role.STEERING}
TO_CONFIRM = "sortie-reprise-a-confirmer"  # the participants list's filter of imported exits left unvalidated
RECORD_ROLES = {Role.PLIE_COORDINATOR, Role.REFERENT, Role.FSE_CONTROLLER, Role.AUDITOR}


def require(user, roles) -> None:
    if not scope_of(user).has(*roles):
        raise PermissionDenied


def _query(request) -> str:
    """The filters of a list page, kept when paging."""
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def _as_of(request) -> date:
    return date_or(request.GET.get("au"), timezone.localdate())


@login_required
def protocol_list(request):
    require(request.user, PLIE_ROLES)
    protocols = Protocol.objects.visible_to(request.user).select_related("territory").order_by("-starts_on")
    return render(request, "pathways/protocols.html", {
        "title": "PLIE — protocoles", "protocols": protocols,
        "sees_records": scope_of(request.user).has(*RECORD_ROLES)})


@login_required
def dashboard(request, slug: str):
    require(request.user, PLIE_ROLES)
    protocol = get_object_or_404(Protocol.objects.visible_to(request.user), slug=slug)
    as_of = _as_of(request)
    figures = protocol_report(protocol, as_of=as_of)
    report = build_report(figures, generated_on=timezone.localdate())
    fmt = request.GET.get("format")
    name = f"tableau-de-bord-{protocol.slug}-{as_of.isoformat()}"
    if fmt == "pdf":
        return file_response(render_pdf(report, brand=settings.LEVIER_STATE_BRAND), f"{name}.pdf", "application/pdf")
    if fmt == "xlsx":
        return file_response(render_xlsx(report), f"{name}.xlsx",
                             "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    return render(request, "pathways/dashboard.html", {
        "title": f"Tableau de bord — {protocol.name}", "protocol": protocol, "figures": figures, "as_of": as_of,
        "report_html": render_html(report), "is_coordinator": access.is_coordinator(request.user, protocol),
        "may_export": access.may_export(request.user, protocol),
    })


@login_required
def participant_list(request):
    require(request.user, RECORD_ROLES)
    pathways = (Pathway.objects.visible_to(request.user)
                .select_related("person", "protocol__unit", "structure__unit", "referent", "commune").order_by("-entry_date", "id"))
    protocol = request.GET.get("protocole", "")
    status = request.GET.get("etat", "")
    text = request.GET.get("q", "").strip()
    if protocol:
        pathways = pathways.filter(protocol__slug=protocol)
    if status in PathwayStatus.values:
        pathways = pathways.filter(status=status)
    elif status == TO_CONFIRM:
        pathways = pathways.imported_exits_to_confirm()
    if text and not _pseudonyms_only(request.user):
        for word in text.split():
            pathways = pathways.filter(Q(person__last_name__icontains=word) | Q(person__first_name__icontains=word)
                                       | Q(external_id__iexact=word))
    page = Paginator(pathways, 50).get_page(request.GET.get("page"))
    rows = [(p, access.sees_names(request.user, p, in_list=True)) for p in page]
    return render(request, "pathways/participants.html", {
        "title": "Participants du PLIE", "page": page, "pages": pages_of(page, _query(request)), "rows": rows,
        "protocols": Protocol.objects.visible_to(request.user).order_by("-starts_on"), "protocol": protocol,
        "status": status, "statuses": [*PathwayStatus.choices, (TO_CONFIRM, "Sortie reprise à confirmer")], "q": text,
        "can_create": Protocol.objects.visible_to(request.user).exists() and not scope_of(request.user).is_read_only
        and scope_of(request.user).has(Role.PLIE_COORDINATOR, Role.REFERENT),
    })


def _pseudonyms_only(user) -> bool:
    scope = scope_of(user)
    return not scope.is_admin and scope.roles & RECORD_ROLES == {Role.AUDITOR}


@login_required
def caseload_view(request):
    """A referent's caseload with its alerts; the coordinator's view per structure and referent.

    The date is today, or the end of the last running protocol when every protocol has ended (an
    archive shows the situation on its last day), or the one asked (`?au=`)."""
    require(request.user, {Role.PLIE_COORDINATOR, Role.REFERENT})
    scope = scope_of(request.user)
    protocols = Protocol.objects.visible_to(request.user).order_by("-starts_on")
    latest = protocols.order_by("-ends_on").values_list("ends_on", flat=True).first()
    today = timezone.localdate()
    as_of = _as_of(request) if request.GET.get("au") else min(today, latest or today)
    running = protocols.filter(starts_on__lte=as_of, ends_on__gte=as_of)
    chosen = request.GET.get("protocole", "")
    if chosen:
        running = running.filter(slug=chosen)
    visible = Pathway.objects.visible_to(request.user).filter(protocol__in=running, entry_date__lte=as_of)
    mine = visible.filter(referent=request.user)
    coordinated = visible.filter(protocol__unit_id__in=scope.units(Role.PLIE_COORDINATOR)) \
        if scope.has(Role.PLIE_COORDINATOR) else visible.none()
    is_coordinator = coordinated.exists()
    shown = coordinated if is_coordinator and request.GET.get("vue") != "moi" else mine
    rows = caseload(shown, today=as_of)
    only_alerts = request.GET.get("alertes") == "1"
    listed = [r for r in rows if r.alerts] if only_alerts else rows
    page = Paginator(listed, 100).get_page(request.GET.get("page"))
    return render(request, "pathways/caseload.html", {
        "title": "Suivi des parcours", "page": page, "pages": pages_of(page, _query(request)), "rows": page.object_list,
        "total": len(rows), "only_alerts": only_alerts, "alert_count": sum(1 for r in rows if r.alerts),
        "today": as_of, "counts": caseload_counts(coordinated) if is_coordinator else None,
        "is_coordinator": is_coordinator, "protocols": protocols, "protocol": chosen,
        "to_confirm": Pathway.objects.visible_to(request.user).filter(
            protocol__unit_id__in=scope.units(Role.PLIE_COORDINATOR)).imported_exits_to_confirm().count()
        if scope.has(Role.PLIE_COORDINATOR) else 0,
        "to_confirm_filter": TO_CONFIRM,
    })


@login_required
def export(request, slug: str):
    """Pseudonymised CSV unless a coordinator asks for names; never for the FSE controller nor steering
    (exports.export_csv says who may export what)."""
    require(request.user, {Role.PLIE_COORDINATOR, Role.REFERENT, Role.AUDITOR})
    protocol = get_object_or_404(Protocol.objects.visible_to(request.user), slug=slug)
    names = request.GET.get("noms") == "1"
    try:
        lines = export_csv(protocol=protocol, user=request.user, names=names)
        first = next(lines)
    except InvalidInput as exc:
        raise PermissionDenied(exc.errors[0].message) from exc
    response = StreamingHttpResponse(_chain(first, lines), content_type="text/csv; charset=utf-8")
    suffix = "nominatif" if names else "pseudonymise"
    response["Content-Disposition"] = f'attachment; filename="participants-{protocol.slug}-{suffix}.csv"'
    return response


def _chain(first, rest):
    yield "\ufeff" + first
    yield from rest

