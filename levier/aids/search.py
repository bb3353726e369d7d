"""Public search of the catalogue: accent-tolerant full text, filters, facets, sort.

On PostgreSQL, French stemming through `to_tsvector('french', …)` on the accent-folded
text ("entreprises" finds "entreprise", "pret" finds "prêt"); on SQLite, accent folding
and word-prefix matching, ranked by the number of words found.
"""

from dataclasses import dataclass, field
from datetime import date

from django.db import connection
from django.utils import timezone
from django.db.models import Case, IntegerField, Q, Value, When

from levier.territories.rules import normalize_name
from levier.territories.services import ancestors

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


def tokens(text: str) -> list[str]:
    return [t for t in normalize_name(text).split() if t not in STOP_WORDS]


def _text_filter(queryset, words: list[str]):
    if not words:
        return queryset.annotate(rank=Value(0, output_field=IntegerField()))
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery as PgQuery
        from django.contrib.postgres.search import SearchRank, SearchVector

        vector = SearchVector("search_text", config="french")
        query = None
        for word in words:
            term = PgQuery(f"{word}:*", config="french", search_type="raw")
            query = term if query is None else query | term
        return queryset.annotate(rank=SearchRank(vector, query)).filter(rank__gt=0)
    matches = [Q(search_text__startswith=w) | Q(search_text__contains=f" {w}") for w in words]
    score = sum((Case(When(m, then=1), default=0, output_field=IntegerField()) for m in matches), Value(0))
    any_match = matches[0]
    for m in matches[1:]:
        any_match |= m
    return queryset.filter(any_match).annotate(rank=score)


def search(query: SearchQuery, *, page: int = 1, page_size: int | None = PAGE_SIZE) -> SearchResult:
    schemes = Scheme.objects.public().select_related("operator")
    if query.place is not None:
        on = query.open_on or timezone.localdate()
        ids = ancestors(query.place, on) | {query.place.id}
        schemes = schemes.filter(Q(perimeter__id__in=ids) | Q(perimeter_qpvs__communes__id__in=ids))
    if query.operator_id:
        schemes = schemes.filter(operator_id=query.operator_id)
    if query.financer_id:
        schemes = schemes.filter(financer_rows__organisation_id=query.financer_id)
    if query.open_on:
        schemes = schemes.filter(Q(closes_on__isnull=True) | Q(closes_on__gte=query.open_on)).filter(
            Q(opens_on__isnull=True) | Q(opens_on__lte=query.open_on)
        )
    schemes = _text_filter(schemes.distinct(), tokens(query.text))
    facet_base = list(schemes.values_list("id", "filter_tags", "operator__name"))
    if query.beneficiary_kind:
        schemes = schemes.filter(filter_tags__contains=f" {query.beneficiary_kind} ")
    if query.aid_kind:
        schemes = schemes.filter(filter_tags__contains=f" {query.aid_kind} ")
    if query.sector:
        schemes = schemes.filter(
            Q(filter_tags__contains=f" naf:{query.sector} ") | Q(filter_tags__contains=" naf:all ")
        )
    order = ["-rank", "name"] if query.sort == "relevance" else ["closes_on", "name"]
    if query.sort == "closing":
        from django.db.models import F

        order = [F("closes_on").asc(nulls_last=True), "name"]
    schemes = schemes.order_by(*order)
    total = schemes.count()
    if page_size is None:
        return SearchResult(schemes=list(schemes), total=total, facets=_facets(facet_base))
    start = (max(page, 1) - 1) * page_size
    return SearchResult(schemes=list(schemes[start:start + page_size]), total=total, facets=_facets(facet_base))


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
