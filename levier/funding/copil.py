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

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Q, Sum

from levier.core.errors import InvalidInput
from levier.organisations.enums import SizeCategory
from levier.territories.models import Territory
from levier.territories.services import composition

from .enums import EntryKind
from .models import Commitment, Fund, JobReport, LedgerEntry
from .rules import cents, pro_rata, ratio

ZERO = Decimal("0")
FIGURES = ("committed_eur", "paid_eur", "in_kind_eur", "companies", "jobs_planned", "jobs_created", "jobs_verified",
           "cost_per_job_created_eur", "leverage")
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
    commitment_id: int
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


def _lines(scope: Scope) -> list[_Line]:
    commitments = _commitments(scope)
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
    shares = _financer_shares(scope, rows) if scope.financer else {}
    counted_period = (scope.start or date.min, scope.end or date.max)
    lines = []
    for row in rows:
        s = sums[row["id"]]
        counted = counted_period[0] <= row["committed_on"] <= counted_period[1]
        committed = s[EntryKind.COMMITMENT] - s[EntryKind.DECOMMITMENT] if counted else ZERO
        paid = s[EntryKind.DISBURSEMENT] - s[EntryKind.RECOVERY]
        in_kind, other = s[EntryKind.IN_KIND], row["other_financing"] if counted else ZERO
        if scope.financer:
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
            groups={
                "by_operator": row["operator__operator__name"],
                "by_scheme": row["scheme__name"] or "Hors catalogue",
                "by_naf_section": row["naf_section"] or "Non renseignée",
                "by_size": SizeCategory(row["size_category"]).label if row["size_category"] else "Non renseignée",
                "by_qpv": "Établissement en QPV" if row["in_qpv"] else "Hors QPV",
                "by_rural": {True: "Commune rurale", False: "Commune urbaine"}.get(row["commune__is_rural"], "Non renseigné"),
            },
            commitment_id=row["id"],
        ))
    return lines


def _jobs(lines: list[_Line]) -> dict[str, tuple[int, int | None]]:
    """Per beneficiary helped in the period: (latest declared jobs, latest verified jobs) as known today."""
    by_commitment = {line.commitment_id: line.beneficiary for line in lines if line.counted}
    reports = JobReport.objects.filter(commitment_id__in=list(by_commitment))
    declared, verified = {}, {}
    for commitment_id, jobs, checked, on, pk in reports.values_list(
            "commitment_id", "jobs_created", "verified_jobs", "reported_on", "id").order_by("reported_on", "id"):
        beneficiary = by_commitment[commitment_id]
        declared[beneficiary] = jobs
        if checked is not None:
            verified[beneficiary] = checked
    return {b: (declared.get(b, 0), verified.get(b)) for b in set(declared) | set(verified)}


def _figures(lines: list[_Line], jobs: dict) -> dict:
    committed = sum((line.committed for line in lines), ZERO)
    beneficiaries = {line.beneficiary for line in lines if line.counted}
    created = sum(jobs.get(b, (0, None))[0] for b in beneficiaries)
    verified = sum(jobs.get(b, (0, None))[1] or 0 for b in beneficiaries)
    other = sum((line.other_financing for line in lines), ZERO)
    return {
        "committed_eur": committed,
        "paid_eur": sum((line.paid for line in lines), ZERO),
        "in_kind_eur": sum((line.in_kind for line in lines), ZERO),
        "companies": len(beneficiaries),
        "jobs_planned": sum(line.jobs_planned for line in lines),
        "jobs_created": created,
        "jobs_verified": verified,
        "cost_per_job_created_eur": ratio(committed, Decimal(created)),
        "leverage": ratio(other, committed),
    }


def copil_figures(scope: Scope) -> dict:
    """Every figure of the report, as exact numbers (Decimal, int, None)."""
    if scope.start and scope.end and scope.start > scope.end:
        raise InvalidInput.single("from", "La date de début suit la date de fin.")
    lines = _lines(scope)
    jobs = _jobs(lines)
    result = {"scope": scope.label, "from": scope.start, "to": scope.end, **_figures(lines, jobs)}
    for breakdown in BREAKDOWNS:
        groups = defaultdict(list)
        for line in lines:
            groups[line.groups[breakdown]].append(line)
        result[breakdown] = [{"key": key, **_figures(group, jobs)} for key, group in sorted(groups.items())]
    per_beneficiary = defaultdict(list)
    for line in lines:
        per_beneficiary[(line.beneficiary, line.beneficiary_label, line.siren)].append(line)
    result["beneficiaries"] = [
        {"name": label, "siren": siren or None, **_figures(group, jobs)}
        for (key, label, siren), group in sorted(per_beneficiary.items(), key=lambda item: item[0][1])
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
