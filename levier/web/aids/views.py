from decimal import Decimal

from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from levier.aids import search as catalogue_search
from levier.aids import services
from levier.aids.describe import describe_component, describe_condition
from levier.aids.models import Scheme
from levier.core.errors import InvalidInput
from levier.territories import services as territories

from .forms import SchemeSearchForm, SimulatorForm


def _place(text: str):
    """The project's place: a postcode first (what the public knows), then an INSEE code or a name."""
    text = (text or "").strip()
    if not text:
        return None
    if text.isdigit() and len(text) == 5 and (by_postcode := territories.communes_by_postcode(text)):
        return by_postcode[0]
    found = territories.search(text, kinds=["commune", "arrondissement"], limit=1)
    return found[0] if found else None


def scheme_search(request):
    form = SchemeSearchForm(request.GET or None)
    result, place, page = None, None, 1
    if form.is_valid() or not request.GET:
        data = form.cleaned_data if request.GET else {}
        place = _place(data.get("place", ""))
        query = catalogue_search.SearchQuery(
            text=data.get("q", ""), place=place, beneficiary_kind=data.get("beneficiary_kind", ""),
            aid_kind=data.get("aid_kind", ""), sector=data.get("sector", ""), operator_id=int(data["operator"]) if data.get("operator") else None,
            financer_id=int(data["financer"]) if data.get("financer") else None, open_on=timezone.localdate() if data.get("open_now") else None,
            sort=data.get("sort") or "relevance",
        )
        try:
            page = int(request.GET.get("page", "1"))
        except ValueError:
            page = 1
        result = catalogue_search.search(query, page=page)
    template = "aids/_results.html" if request.htmx else "aids/search.html"
    pages = None
    if result is not None and result.total > catalogue_search.PAGE_SIZE:
        query_string = request.GET.copy()
        query_string.pop("page", None)
        last = (result.total - 1) // catalogue_search.PAGE_SIZE + 1
        pages = {"current": page, "last": last, "query": query_string.urlencode(),
                 "previous": page - 1 if page > 1 else None, "next": page + 1 if page < last else None}
    return render(request, template, {"title": "Guide des aides", "form": form, "result": result, "place": place,
                                      "pages": pages, "place_unknown": bool(request.GET.get("place")) and place is None})


def scheme_detail(request, slug: str):
    scheme = get_object_or_404(
        Scheme.objects.visible_to(request.user).select_related("operator").prefetch_related("perimeter", "financer_rows__organisation"),
        slug=slug,
    )
    today = timezone.localdate()
    version = services.version_in_effect(scheme, today) or scheme.versions.order_by("-number").first()
    rules = version.rules if version else {}
    definitions = rules.get("definitions", {})
    labels = {c["key"]: c.get("label", c["kind"]) for c in rules.get("components", [])}
    return render(request, "aids/detail.html", {
        "title": scheme.name,
        "scheme": scheme,
        "version": version,
        "is_closed": scheme.closes_on is not None and scheme.closes_on < today,
        "eligibility": describe_condition(rules["eligibility"], definitions) if rules.get("eligibility") else None,
        "components": [(describe_component(c, labels), c.get("legal_basis", "")) for c in rules.get("components", [])],
        "descriptive": rules.get("descriptive", ""),
        "financers": [row.organisation for row in scheme.financer_rows.all()],
    })


def simulator(request):
    form = SimulatorForm(request.POST or None, initial={"kind": request.GET.get("kind", "company")})
    body = None
    if request.method == "POST" and form.is_valid():
        try:
            body = services.simulate(form.profile())
            request.session["aids_profile"] = form.profile()
            eligible = [r for r in body["results"] if r["status"] == "eligible"]
            body["expected"] = {
                "grants": sum((Decimal(r["total_grants"]) for r in eligible), Decimal(0)),
                "loans": sum((Decimal(r["total_loans"]) for r in eligible), Decimal(0)),
                "eligible": len(eligible),
            }
        except InvalidInput as exc:
            for error in exc.errors:
                field = error.field.split(".")[-1]
                form.add_error(field if field in form.fields else None, error.message)
    return render(request, "aids/simulator.html", {"title": "Simulateur d'aides", "form": form, "body": body})
