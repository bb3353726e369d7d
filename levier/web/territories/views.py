from datetime import date

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from levier.core.parsing import date_or
from levier.territories import services
from levier.territories.enums import COMMUNE_LEVEL, TerritoryKind
from levier.territories.models import Territory


def _parse_date(value: str | None) -> date:
    return date_or(value, timezone.localdate())


@login_required
def territory_search(request):
    text = request.GET.get("q", "").strip()
    results = services.search(text, limit=30) if text else []
    template = "territories/_results.html" if request.htmx else "territories/search.html"
    return render(request, template, {"title": "Territoires", "q": text, "results": results})


@login_required
def territory_detail(request, kind: str, code: str):
    if kind not in TerritoryKind.values:
        raise Http404
    territory = get_object_or_404(Territory.objects.visible_to(request.user), kind=kind, code=code)
    on = _parse_date(request.GET.get("date"))
    composition = services.composition(territory, on)
    members = Territory.objects.filter(id__in=composition.commune_ids).order_by("code")
    parents = Territory.objects.filter(id__in=services.ancestors(territory, on)).order_by("kind", "name")
    return render(
        request,
        "territories/detail.html",
        {
            "title": str(territory),
            "territory": territory,
            "on": on,
            "composition": composition,
            "members": members[:500] if territory.kind not in COMMUNE_LEVEL else [],
            "member_count": members.count(),
            "parents": parents,
            "qpvs": territory.qpvs.all() if territory.kind in COMMUNE_LEVEL else [],
        },
    )
