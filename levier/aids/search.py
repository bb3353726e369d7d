"""Public search of the catalogue: accent-tolerant full text, filters, facets, sort.

On PostgreSQL, French stemming through `to_tsvector('french', …)` on the accent-folded
text ("entreprises" finds "entreprise", "pret" finds "prêt"); on SQLite, accent folding
and word-prefix matching, ranked by the number of words found.
"""

from dataclasses import dataclass, field
from datetime import date

from django.db import connection
from django.utils import timezone
from django.db.models import Case, CharField, F, IntegerField, Q, Value, When
from django.db.models.functions import Cast

from levier.territories.rules import normalize_name
from levier.territories.services import place_and_ancestors

from . import catalogue_cache
from .enums import AidKind, BeneficiaryKind
from .models import Scheme

STOP_WORDS = {"de", "la", "le", "les", "des", "du", "d", "l", "et", "a", "au", "aux", "en", "pour", "un", "une", "sur"}
PAGE_SIZE = 20


@dataclass
class SearchQuery:
    text: str = ""
    place: object = None  # a commune Territory
    beneficiary_kind: str = ""
    aid_kind: str = ""
    sector: str = ""  # NAF section letter; schemes open to every sector match too
    operator_id: int | None = None
    financer_id: int | None = None
    open_on: date | None = None  # only schemes open on that date
    sort: str = "relevance"  # or "closing"


@dataclass
class SearchResult:
    schemes: list
    total: int
    facets: dict = field(default_factory=dict)


def operator_and_financer_choices() -> tuple[list, list]:
    """Operators and financers of the public catalogue, for the search filters (cached)."""
    from .models import SchemeFinancer

    def compute():
        public = Scheme.objects.public()
        operators = public.values_list("operator_id", "operator__name").distinct().order_by("operator__name")
        financers = (SchemeFinancer.objects.filter(scheme__in=public).values_list("organisation_id", "organisation__name")
                     .distinct().order_by("organisation__name"))
        return [(str(i), n) for i, n in operators], [(str(i), n) for i, n in financers]

    return catalogue_cache.remembered(catalogue_cache.CHOICES_KEY, compute)


def tokens(text: str) -> list[str]:
    return [t for t in normalize_name(text).split() if t not in STOP_WORDS]


def _text_filter(queryset, words: list[str]):
    if not words:
        return queryset.annotate(rank=Value(0, output_field=IntegerField()))
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery as PgQuery
        from django.contrib.postgres.search import SearchRank

        query = None
        for word in words:
            term = PgQuery(f"{word}:*", config="french", search_type="raw")
            query = term if query is None else query | term
        # The stored, GIN-indexed vector (refresh_search_vectors) is matched with @@, then ranked.
        return queryset.filter(search_vector=query).annotate(rank=SearchRank(F("search_vector"), query))
    matches = [Q(search_text__startswith=w) | Q(search_text__contains=f" {w}") for w in words]
    score = sum((Case(When(m, then=1), default=0, output_field=IntegerField()) for m in matches), Value(0))
    any_match = matches[0]
    for m in matches[1:]:
        any_match |= m
    return queryset.filter(any_match).annotate(rank=score)


def search(query: SearchQuery, *, page: int = 1, page_size: int | None = PAGE_SIZE) -> SearchResult:
    """Two queries whatever the catalogue's size: the matching rows' light columns (ranked,
    faceted, sorted and paginated in Python), then the page's schemes."""
    schemes = Scheme.objects.public()
    if query.place is not None:
        on = query.open_on or timezone.localdate()
        ids, _ = place_and_ancestors(query.place, on)
        by_territory = Scheme.perimeter.through.objects.filter(territory_id__in=ids).values("scheme_id")
        by_qpv = Scheme.perimeter_qpvs.through.objects.filter(qpv__communes__id__in=ids).values("scheme_id")
        schemes = schemes.filter(Q(id__in=by_territory) | Q(id__in=by_qpv))
    if query.operator_id:
        schemes = schemes.filter(operator_id=query.operator_id)
    if query.financer_id:
        schemes = schemes.filter(id__in=Scheme.objects.filter(financer_rows__organisation_id=query.financer_id).values("id"))
    if query.open_on:
        schemes = schemes.filter(Q(closes_on__isnull=True) | Q(closes_on__gte=query.open_on)).filter(
            Q(opens_on__isnull=True) | Q(opens_on__lte=query.open_on)
        )
    # Light columns only; the closing date as ISO text (sorts like the date, without the
    # driver's per-row conversion).
    rows = list(
        _text_filter(schemes.order_by(), tokens(query.text)).annotate(closes=Cast("closes_on", CharField()))
        .values_list("id", "rank", "name", "closes", "filter_tags", "operator__name")
    )
    facets = _facets([(r[0], r[4], r[5]) for r in rows])
    wanted = [f" {tag} " for tag in (query.beneficiary_kind, query.aid_kind) if tag]
    rows = [r for r in rows if all(tag in (r[4] or "") for tag in wanted)]
    if query.sector:
        rows = [r for r in rows if f" naf:{query.sector} " in (r[4] or "") or " naf:all " in (r[4] or "")]
    if query.sort == "closing":
        rows.sort(key=lambda r: (r[3] is None, r[3] or "", r[2]))
    else:
        rows.sort(key=lambda r: (-float(r[1] or 0), r[2]))
    total = len(rows)
    chosen = rows if page_size is None else rows[(max(page, 1) - 1) * page_size: max(page, 1) * page_size]
    by_id = Scheme.objects.select_related("operator").in_bulk([r[0] for r in chosen])
    return SearchResult(schemes=[by_id[r[0]] for r in chosen], total=total, facets=facets)


def _facets(rows) -> dict:
    beneficiary = {k: 0 for k in BeneficiaryKind.values}
    aid = {k: 0 for k in AidKind.values}
    operators: dict[str, int] = {}
    for _id, tags, operator in rows:
        for tag in (tags or "").split():
            if tag in beneficiary:
                beneficiary[tag] += 1
            elif tag in aid:
                aid[tag] += 1
        operators[operator] = operators.get(operator, 0) + 1
    return {
        "beneficiary_kind": [(k, BeneficiaryKind(k).label, n) for k, n in beneficiary.items() if n],
        "aid_kind": [(k, AidKind(k).label, n) for k, n in aid.items() if n],
        "operator": sorted(operators.items()),
    }
