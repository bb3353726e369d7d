"""The Copil report: what the funds mobilised, for how many companies and jobs, at what cost.

Figures come from records: ledger entries, commitments and job reports.
- committed: commitments minus de-commitments, dated by the commitment date;
- paid: disbursements minus recoveries, dated by the entry; in kind: valued entries, by date;
- companies: distinct SIREN (a company helped by several funds, or through two establishments,
  counts once); beneficiaries without SIREN count once per person;
- jobs: per beneficiary helped in the period, its latest declaration (and latest verification)
  as known today — a company's loan and subsidy do not double its jobs;
- cost per job created = committed ÷ jobs created; leverage = other financing recorded on the
  commitments ÷ committed; a ratio whose divisor is zero is null.
For a financer, money is attributed to each commitment pro rata of the contributions that
financer had paid into the fund up to the commitment date (the report says so).
"""

import functools
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Q, Sum

from levier.core.collector import with_collector_paused
from levier.core.errors import InvalidInput
from levier.organisations.enums import SizeCategory
from levier.territories.models import Territory
from levier.territories.services import composition

from .enums import EntryKind
from .models import Commitment, Fund, JobReport, LedgerEntry
from .rules import cents, ratio

ZERO = Decimal("0")
BREAKDOWNS = ("by_operator", "by_scheme", "by_naf_section", "by_size", "by_qpv", "by_rural")
ATTRIBUTION_NOTE = ("Montants attribués à chaque engagement au prorata des contributions que ce financeur avait versées "
                    "au fonds à la date de l'engagement.")


@dataclass(frozen=True)
class Scope:
    fund: str = ""  # slug
    territory: str = ""  # "94", "200054807", "kind:code"
    financer: str = ""  # SIREN
    start: date | None = None
    end: date | None = None
    fund_ids: frozenset | None = None  # the funds the reader may see (None: every fund)

    @property
    def label(self) -> str:
        if self.fund:
            return f"Fonds {self.fund}"
        if self.territory:
            return f"Territoire {self.territory}"
        if self.financer:
            return f"Financeur SIREN {self.financer}"
        return "Tous les fonds"


@dataclass
class _Line:
    """One commitment's figures and the keys it is grouped by."""

    beneficiary: str
    beneficiary_label: str
    siren: str
    committed: Decimal
    paid: Decimal
    in_kind: Decimal
    other_financing: Decimal
    jobs_planned: int
    counted: bool  # committed within the period: counts for companies and jobs
    groups: dict = field(default_factory=dict)


def _territory(code: str) -> Territory:
    kind, _, value = code.rpartition(":")
    candidates = Territory.objects.filter(code=value)
    if kind:
        candidates = candidates.filter(kind=kind)
    found = list(candidates.exclude(kind__in=["commune", "arrondissement"])[:2]) or list(candidates[:2])
    if len(found) != 1:
        raise InvalidInput.single("territory", f"Territoire inconnu ou ambigu : « {code} » (préciser « type:code »).")
    return found[0]


def _commitments(scope: Scope):
    query = Commitment.objects.all()
    if scope.fund_ids is not None:
        query = query.filter(fund_id__in=scope.fund_ids)
    if scope.fund:
        known = Fund.objects.filter(slug=scope.fund)
        if not (known.filter(id__in=scope.fund_ids) if scope.fund_ids is not None else known).exists():
            raise InvalidInput.single("fund", f"Fonds inconnu : « {scope.fund} ».")
        query = query.filter(fund__slug=scope.fund)
    if scope.territory:
        territory = _territory(scope.territory)
        communes = composition(territory, scope.end or date.today()).commune_ids
        query = query.filter(commune_id__in=communes)
    if scope.financer:
        query = query.filter(fund__financers__organisation__siren=scope.financer).distinct()
        if not query.exists() and not Fund.objects.filter(financers__organisation__siren=scope.financer).exists():
            raise InvalidInput.single("financer", f"Aucun fonds n'a de financeur de SIREN {scope.financer}.")
    return query


def _period(field_name: str, scope: Scope) -> Q:
    condition = Q()
    if scope.start:
        condition &= Q(**{f"{field_name}__gte": scope.start})
    if scope.end:
        condition &= Q(**{f"{field_name}__lte": scope.end})
    return condition


def _financer_shares(scope: Scope, rows: list[dict]) -> dict[int, Decimal]:
    """Share (0..1) of the financer in each commitment's fund at its commitment date."""
    funds = {row["fund_id"] for row in rows}
    received = defaultdict(list)  # fund → [(date, financer siren, amount)]
    for fund_id, on, siren, amount in (
        LedgerEntry.objects.filter(fund_id__in=funds, kind=EntryKind.CONTRIBUTION_RECEIVED)
        .values_list("fund_id", "on", "financer__organisation__siren", "amount").order_by("on")
    ):
        received[fund_id].append((on, siren, amount))
    shares = {}
    for row in rows:
        weights = defaultdict(Decimal)
        for on, siren, amount in received[row["fund_id"]]:
            if on <= row["committed_on"]:
                weights[siren or "?"] += amount
        total = sum(weights.values(), ZERO)
        shares[row["id"]] = weights.get(scope.financer, ZERO) / total if total else ZERO
    return shares


def _lines(scope: Scope, commitments) -> list[_Line]:
    """One line per beneficiary and breakdown keys, summed in the database (see _grouped_sql); the
    financer scope attributes money per commitment in Python (_financer_lines)."""
    if scope.financer:
        return _financer_lines(scope, commitments)
    start, end = scope.start or date.min, scope.end or date.max
    restriction = _restriction(scope, commitments)
    if restriction is None:
        return []
    restrict, params = restriction
    with connection.cursor() as cursor:
        # The period is bound 4 times in the SELECT list (commitment date), 3 times in the entries' sums.
        cursor.execute(_grouped_sql(restrict), [start, end] * 4 + [start, end] * 3 + params)
        rows = cursor.fetchall()
    lines = []
    for (key, label, siren, operator, scheme, naf, size, qpv, rural,
         counted, committed, paid, in_kind, other, planned) in rows:
        counted = bool(counted)
        if not counted and not paid and not in_kind:
            continue
        lines.append(_Line(
            beneficiary=key, beneficiary_label=label or "", siren=siren or "", committed=_money(committed),
            paid=_money(paid), in_kind=_money(in_kind), other_financing=_money(other),
            jobs_planned=int(planned or 0), counted=counted, groups=_groups(operator, scheme, naf, size, qpv, rural)))
    return lines


def _restriction(scope: Scope, commitments) -> tuple[str, list] | None:
    """The SQL condition restricting to the scope's commitments ("" for all); None when none can match."""
    if not (scope.fund or scope.territory or scope.financer or scope.fund_ids is not None):
        return "", []
    try:
        sql, params = commitments.order_by().values("id").query.sql_with_params()
    except EmptyResultSet:
        return None
    return f"AND c.id IN ({sql})", list(params)


def _money(value) -> Decimal:
    """A sum read from the database: exact on PostgreSQL; SQLite sums NUMERIC columns in binary
    floating point, so its sums are brought back to the cent (as Django's own aggregates do)."""
    if value is None:
        return Decimal("0.00")
    if isinstance(value, float):
        return Decimal(repr(value)).quantize(Decimal("0.01"))
    return Decimal(value)


@functools.lru_cache(maxsize=4096)
def _groups(operator, scheme, naf, size, qpv, rural) -> dict:
    """A line's breakdown keys (shared between lines with the same values: read only)."""
    return {
        "by_operator": operator,
        "by_scheme": scheme or "Hors catalogue",
        "by_naf_section": naf or "Non renseignée",
        "by_size": SizeCategory(size).label if size else "Non renseignée",
        "by_qpv": "Établissement en QPV" if qpv else "Hors QPV",
        "by_rural": {True: "Commune rurale", False: "Commune urbaine"}.get(None if rural is None else bool(rural), "Non renseigné"),
    }


def _names():
    from levier.aids.models import Scheme
    from levier.organisations.models import Organisation

    from .models import FundOperator

    q = connection.ops.quote_name
    return {"entry": q(LedgerEntry._meta.db_table), "commitment": q(Commitment._meta.db_table),
            "organisation": q(Organisation._meta.db_table), "operator": q(FundOperator._meta.db_table),
            "scheme": q(Scheme._meta.db_table), "territory": q(Territory._meta.db_table),
            "report": q(JobReport._meta.db_table)}


BENEFICIARY_KEY = ("CASE WHEN b.siren IS NOT NULL AND b.siren <> '' THEN 'siren:' || b.siren "
                   "WHEN c.beneficiary_id IS NOT NULL THEN 'org:' || CAST(c.beneficiary_id AS VARCHAR(20)) "
                   "ELSE 'person:' || LOWER(TRIM(c.person_name)) END")


def _grouped_sql(restrict: str) -> str:
    """Per beneficiary and breakdown keys: whether a commitment falls in the period, money committed
    (by commitment date), paid and in kind (by entry date), other financing and jobs planned."""
    n = _names()
    counted = "(c.committed_on BETWEEN %s AND %s)"
    return f"""
        SELECT {BENEFICIARY_KEY} AS beneficiary, MAX(COALESCE(b.name, c.person_name)), MAX(b.siren), po.name, s.name,
               c.naf_section, c.size_category, c.in_qpv, t.is_rural,
               MAX(CASE WHEN {counted} THEN 1 ELSE 0 END),
               SUM(CASE WHEN {counted} THEN e.committed ELSE 0 END),
               SUM(e.paid), SUM(e.in_kind),
               SUM(CASE WHEN {counted} THEN c.other_financing ELSE 0 END),
               SUM(CASE WHEN {counted} THEN c.jobs_planned ELSE 0 END)
        FROM {n["commitment"]} c
        JOIN (SELECT commitment_id,
                     SUM(CASE WHEN kind = 'commitment' THEN amount WHEN kind = 'decommitment' THEN -amount ELSE 0 END) AS committed,
                     SUM(CASE WHEN kind = 'disbursement' AND "on" BETWEEN %s AND %s THEN amount
                              WHEN kind = 'recovery' AND "on" BETWEEN %s AND %s THEN -amount ELSE 0 END) AS paid,
                     SUM(CASE WHEN kind = 'in_kind' AND "on" BETWEEN %s AND %s THEN amount ELSE 0 END) AS in_kind
              FROM {n["entry"]} WHERE commitment_id IS NOT NULL GROUP BY commitment_id) e ON e.commitment_id = c.id
        JOIN {n["operator"]} fo ON fo.id = c.operator_id
        JOIN {n["organisation"]} po ON po.id = fo.operator_id
        LEFT JOIN {n["organisation"]} b ON b.id = c.beneficiary_id
        LEFT JOIN {n["scheme"]} s ON s.id = c.scheme_id
        LEFT JOIN {n["territory"]} t ON t.id = c.commune_id
        WHERE 1 = 1 {restrict}
        GROUP BY {BENEFICIARY_KEY}, po.name, s.name, c.naf_section, c.size_category, c.in_qpv, t.is_rural
    """


def _financer_lines(scope: Scope, commitments) -> list[_Line]:
    """Per commitment, money attributed pro rata of the financer's contributions to the fund."""
    in_period = _period("on", scope)
    sums = defaultdict(lambda: defaultdict(Decimal))
    entries = LedgerEntry.objects.filter(commitment__in=commitments.values("id"))
    if scope.start or scope.end:  # commitments count by their own date, the other entries by theirs
        entries = entries.filter(Q(kind__in=[EntryKind.COMMITMENT, EntryKind.DECOMMITMENT]) | in_period)
    entries = entries.values_list("commitment_id", "kind").annotate(total=Sum("amount")).order_by()
    for commitment_id, kind, total in entries:
        sums[commitment_id][kind] += total
    rows = list(commitments.values(
        "id", "fund_id", "committed_on", "beneficiary_id", "beneficiary__siren", "beneficiary__name", "person_name",
        "operator__operator__name", "scheme__name", "naf_section", "size_category", "in_qpv", "commune__is_rural",
        "jobs_planned", "other_financing"))
    shares = _financer_shares(scope, rows)
    counted_period = (scope.start or date.min, scope.end or date.max)
    lines = []
    for row in rows:
        s = sums[row["id"]]
        counted = counted_period[0] <= row["committed_on"] <= counted_period[1]
        committed = s[EntryKind.COMMITMENT] - s[EntryKind.DECOMMITMENT] if counted else ZERO
        paid = s[EntryKind.DISBURSEMENT] - s[EntryKind.RECOVERY]
        in_kind, other = s[EntryKind.IN_KIND], row["other_financing"] if counted else ZERO
        share = shares[row["id"]]
        if share == 0:
            continue
        committed, paid, in_kind, other = (cents(v * share) for v in (committed, paid, in_kind, other))
        if not counted and not paid and not in_kind:
            continue
        siren = row["beneficiary__siren"] or ""
        key = f"siren:{siren}" if siren else (f"org:{row['beneficiary_id']}" if row["beneficiary_id"]
                                               else f"person:{row['person_name'].strip().lower()}")
        lines.append(_Line(
            beneficiary=key, beneficiary_label=row["beneficiary__name"] or row["person_name"], siren=siren,
            committed=committed, paid=paid, in_kind=in_kind, other_financing=other,
            jobs_planned=row["jobs_planned"] if counted else 0, counted=counted,
            groups=_groups(row["operator__operator__name"], row["scheme__name"], row["naf_section"], row["size_category"],
                           row["in_qpv"], row["commune__is_rural"])))
    return lines


def _jobs(scope: Scope, commitments, beneficiaries: set[str]) -> dict[str, tuple[int, int | None]]:
    """Per beneficiary helped in the period: (latest declared jobs, latest verified jobs) as known today,
    from the reports of its commitments in scope and period (one window query)."""
    if not beneficiaries:
        return {}
    n = _names()
    start, end = scope.start or date.min, scope.end or date.max
    restriction = _restriction(scope, commitments)
    if restriction is None:
        return {}
    restrict, params = restriction
    query = f"""
        SELECT beneficiary, jobs_created, verified_jobs, last_verified FROM (
            SELECT {BENEFICIARY_KEY} AS beneficiary, r.jobs_created, r.verified_jobs,
                   ROW_NUMBER() OVER (PARTITION BY {BENEFICIARY_KEY} ORDER BY r.reported_on DESC, r.id DESC) AS latest,
                   FIRST_VALUE(r.verified_jobs) OVER (
                       PARTITION BY {BENEFICIARY_KEY}
                       ORDER BY CASE WHEN r.verified_jobs IS NULL THEN 1 ELSE 0 END, r.reported_on DESC, r.id DESC
                   ) AS last_verified
            FROM {n["report"]} r JOIN {n["commitment"]} c ON c.id = r.commitment_id
            LEFT JOIN {n["organisation"]} b ON b.id = c.beneficiary_id
            WHERE c.committed_on BETWEEN %s AND %s {restrict}
        ) latest_reports WHERE latest = 1
    """
    with connection.cursor() as cursor:
        cursor.execute(query, [start, end, *params])
        return {key: (created, verified) for key, created, _latest_verified, verified in cursor.fetchall()
                if key in beneficiaries}


NO_JOBS = (0, None)


class _Totals:
    """Sums of lines, and the beneficiaries they count, merged group by group."""

    __slots__ = ("committed", "paid", "in_kind", "other", "planned", "beneficiaries")

    def __init__(self):
        self.committed = self.paid = self.in_kind = self.other = ZERO
        self.planned = 0
        self.beneficiaries: set[str] = set()

    def add(self, line: _Line) -> None:
        self.committed += line.committed
        self.paid += line.paid
        self.in_kind += line.in_kind
        self.other += line.other_financing
        self.planned += line.jobs_planned
        if line.counted:
            self.beneficiaries.add(line.beneficiary)

    def merge(self, other: "_Totals") -> None:
        self.committed += other.committed
        self.paid += other.paid
        self.in_kind += other.in_kind
        self.other += other.other
        self.planned += other.planned
        self.beneficiaries |= other.beneficiaries

    def figures(self, jobs: dict) -> dict:
        created = verified = 0
        for beneficiary in self.beneficiaries:
            declared, checked = jobs.get(beneficiary, NO_JOBS)
            created += declared
            verified += checked or 0
        return {
            "committed_eur": self.committed,
            "paid_eur": self.paid,
            "in_kind_eur": self.in_kind,
            "companies": len(self.beneficiaries),
            "jobs_planned": self.planned,
            "jobs_created": created,
            "jobs_verified": verified,
            "cost_per_job_created_eur": ratio(self.committed, Decimal(created)),
            "leverage": ratio(self.other, self.committed),
        }


@with_collector_paused
def copil_figures(scope: Scope) -> dict:
    """Every figure of the report, as exact numbers (Decimal, int, None).

    The lines (~one per commitment) are summed once per combination of breakdown keys and once per
    beneficiary; each breakdown then merges the few combinations' totals."""
    if scope.start and scope.end and scope.start > scope.end:
        raise InvalidInput.single("from", "La date de début suit la date de fin.")
    commitments = _commitments(scope)
    lines = _lines(scope, commitments)
    jobs = _jobs(scope, commitments, {line.beneficiary for line in lines if line.counted})
    # Lines with the same keys share one `groups` dict (_groups is cached): its identity names the combination.
    combinations: dict[int, tuple[dict, _Totals]] = {}
    per_beneficiary: dict[tuple, _Totals] = defaultdict(_Totals)
    for line in lines:
        found = combinations.get(id(line.groups))
        if found is None:
            found = combinations[id(line.groups)] = (line.groups, _Totals())
        found[1].add(line)
        per_beneficiary[(line.beneficiary, line.beneficiary_label, line.siren)].add(line)
    total = _Totals()
    for _keys, totals in combinations.values():
        total.merge(totals)
    result = {"scope": scope.label, "from": scope.start, "to": scope.end, **total.figures(jobs)}
    for breakdown in BREAKDOWNS:
        groups: dict[str, _Totals] = defaultdict(_Totals)
        for keys, totals in combinations.values():
            groups[keys[breakdown]].merge(totals)
        result[breakdown] = [{"key": key, **totals.figures(jobs)} for key, totals in sorted(groups.items())]
    result["beneficiaries"] = [
        {"name": label, "siren": siren or None, **totals.figures(jobs)}
        for (key, label, siren), totals in sorted(per_beneficiary.items(), key=lambda item: item[0][1])
    ]
    result["notes"] = [ATTRIBUTION_NOTE] if scope.financer else []
    return result


def as_json(figures: dict) -> dict:
    """Amounts and ratios as strings with 2 decimals (rounded half-up), dates in ISO, null ratios kept."""

    def convert(key, value):
        if isinstance(value, Decimal):
            return f"{cents(value):.2f}"
        if isinstance(value, date):
            return value.isoformat()
        if isinstance(value, list):
            return [{k: convert(k, v) for k, v in item.items()} if isinstance(item, dict) else item for item in value]
        return value

    return {key: convert(key, value) for key, value in figures.items()}
