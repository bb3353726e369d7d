"""The protocol dashboard: objectives against results, live, from the pathways (issue 5, "Reports").

Definitions (seed 002 and issue 5):
- participants: pathway open on at least one day of the period (carried-over included), up to `as_of`;
  new_entrants: entry date in the period;
- positive exits: validated on or before min(period end, as_of); training exits are counted within a cap
  of ⌊participants × cap⌋ (8 % for the seed protocols, read as a share of participants), the earliest
  validated first; committee exits count in their category and are shown apart;
- rates: strings with 4 decimals, rounded half-up.
A fixed number of aggregate queries, whatever the number of participants.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal

from django.db.models import Count, Q

from .enums import ExitCategory, ExitSource, PrescriberType
from .qualifications import NEW_TO_OLD_REPORT, OLD, OLD_LEVELS

RATE_PLACES = Decimal("0.0001")
OLD_REPORT_KEYS = (*OLD_LEVELS, "Vbis_VI", "unknown")
NEW_REPORT_KEYS = (*(str(n) for n in range(1, 9)), "unknown")
EMPLOYMENT_KINDS = ("cdi", "cdd", "interim", "business_creation")


def rate(numerator: int, denominator: int) -> str | None:
    """A share as a string with 4 decimals, rounded half-up; None without a denominator."""
    if not denominator:
        return None
    return str((Decimal(numerator) / Decimal(denominator)).quantize(RATE_PLACES, rounding=ROUND_HALF_UP))


def training_cap(participants: int, cap: Decimal) -> int:
    """⌊participants × cap⌋ (exact decimal arithmetic)."""
    return int((Decimal(participants) * cap).to_integral_value(rounding=ROUND_FLOOR))


def qualification_counts(rows, nomenclature: str) -> dict[str, int]:
    """One key per level of the protocol's nomenclature, plus Vbis_VI (old) and unknown.

    `rows` are (level, nomenclature of the level, count); 2019 levels are mapped for old-nomenclature
    reports (1–2 → Vbis_VI, 3 → V, 4 → IV, 5 → III, 6 → II, 7–8 → I)."""
    keys = OLD_REPORT_KEYS if nomenclature == OLD else NEW_REPORT_KEYS
    counts = dict.fromkeys(keys, 0)
    for level, level_nomenclature, count in rows:
        if not level:
            key = "unknown"
        elif nomenclature == OLD:
            key = level if level_nomenclature == OLD else NEW_TO_OLD_REPORT.get(level, "unknown")
        else:
            key = level if level_nomenclature != OLD else "unknown"
        counts[key] = counts.get(key, 0) + count
    if nomenclature == OLD:
        counts["Vbis_VI"] += counts["Vbis"] + counts["VI"]
    return counts


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # participants: up to min(protocol end, as_of)
    cutoff: date  # positive exits validated on or before


def period_of(protocol, as_of: date) -> Period:
    end = min(protocol.ends_on, as_of)
    return Period(start=protocol.starts_on, end=end, cutoff=end)


def participants_of(protocol, period: Period):
    from .models import Pathway

    return Pathway.objects.filter(protocol=protocol).open_during(period.start, period.end)


def positive_exit_counts(participants, protocol, period: Period, total_participants: int) -> dict:
    """The positive_exits block: per kind, employment, training within its cap, total, RSA, committee."""
    validated = participants.filter(exit_validated_on__lte=period.cutoff).exclude(exit_category="")
    rows = validated.values_list("exit_kind", "exit_source", "exit_category").annotate(
        n=Count("id"), n_rsa=Count("id", filter=Q(rsa=True)))
    counts, rsa = Counter(), Counter()
    for kind, source, category, n, n_rsa in rows:
        if source == ExitSource.COMMITTEE:
            counts["by_committee"] += n
            key = "training" if category == ExitCategory.TRAINING else "committee_employment"
        else:
            key = "training" if category == ExitCategory.TRAINING else kind
        counts[key] += n
        rsa[key] += n_rsa
    employment_keys = (*EMPLOYMENT_KINDS, "committee_employment")
    employment = sum(counts[k] for k in employment_keys)
    cap = training_cap(total_participants, protocol.training_cap)
    training = counts["training"]
    training_counted = min(training, cap)
    training_rsa = rsa["training"]
    if training > cap:  # the earliest validated training exits are counted
        earliest = validated.filter(exit_category=ExitCategory.TRAINING).order_by("exit_validated_on", "id")[:cap]
        training_rsa = sum(1 for is_rsa in earliest.values_list("rsa", flat=True) if is_rsa)
    return {
        **{kind: counts[kind] for kind in EMPLOYMENT_KINDS},
        "employment": employment,
        "training": training,
        "training_cap": cap,
        "training_counted": training_counted,
        "total": employment + training_counted,
        "total_rsa": sum(rsa[k] for k in employment_keys) + training_rsa,
        "by_committee": counts["by_committee"],
    }


def _objectives(protocol, figures: dict) -> dict:
    achieved = {
        "participants": figures["participants"], "rsa": figures["rsa"],
        "positive_exits": figures["positive_exits"]["total"], "positive_exits_rsa": figures["positive_exits"]["total_rsa"],
        "success_rate": figures["success_rate"], "employment_rate": figures["employment_rate"],
        "training_rate": figures["training_rate"],
    }
    found = {}
    for objective in protocol.objectives.all():
        is_rate = objective.key.endswith("_rate")
        target = (str(objective.rate.quantize(RATE_PLACES)) if objective.rate is not None else None) if is_rate \
            else objective.target
        entry = {"label": objective.label, "target": target, "achieved": achieved.get(objective.key)}
        if not is_rate and objective.rate is not None:
            entry["target_rate"] = str(objective.rate.quantize(RATE_PLACES))
            entry["achieved_rate"] = rate(achieved.get(objective.key) or 0, figures["participants"])
        found[objective.key] = entry
    return found


def _breakdowns(participants, period: Period) -> dict:
    positive = Q(exit_validated_on__lte=period.cutoff) & ~Q(exit_category="")
    by = {}
    for key, fields in (("structure", ("structure__name",)), ("bassin", ("structure__bassin__name",)),
                        ("referent", ("referent__first_name", "referent__last_name"))):
        rows = participants.values_list(*fields).annotate(
            n=Count("id"), active=Count("id", filter=Q(exit_date__isnull=True) | Q(exit_date__gt=period.end)),
            positive=Count("id", filter=positive)).order_by(*fields)
        by[key] = [{"name": " ".join(part for part in row[:-3] if part) or "Non renseigné", "participants": row[-3],
                    "active": row[-2], "positive_exits": row[-1]} for row in rows]
    exits = participants.filter(exit_date__lte=period.end).exclude(exit_kind="").values_list("exit_kind").annotate(
        n=Count("id")).order_by("exit_kind")
    by["exit_kind"] = {kind: n for kind, n in exits}
    contracts = participants.filter(positive, exit_step__isnull=False).values_list("exit_step__contract_subtype").annotate(
        n=Count("id")).order_by()
    by["exit_contract_subtype"] = {subtype or "common": n for subtype, n in contracts}
    return by


def protocol_report(protocol, *, as_of: date, breakdowns: bool = True) -> dict:
    """Every figure of the protocol dashboard, as the CLI and the API give it (counts as integers, rates
    as strings)."""
    period = period_of(protocol, as_of)
    participants = participants_of(protocol, period)
    head = participants.aggregate(
        participants=Count("id"),
        new_entrants=Count("id", filter=Q(entry_date__gte=period.start)),
        women=Count("id", filter=Q(person__sex="F")), men=Count("id", filter=Q(person__sex="M")),
        non_binary=Count("id", filter=Q(person__sex="X")),
        rsa=Count("id", filter=Q(rsa=True)), long_term_unemployed=Count("id", filter=Q(long_term_unemployed=True)),
        qpv=Count("id", filter=Q(qpv=True)), carried_over=Count("id", filter=Q(carried_over_from__isnull=False)),
        active=Count("id", filter=Q(exit_date__isnull=True) | Q(exit_date__gt=period.end)),
    )
    total = head["participants"]
    qualification = qualification_counts(
        participants.values_list("qualification_level", "qualification_nomenclature").annotate(n=Count("id")).order_by(),
        protocol.nomenclature)
    prescribers = dict.fromkeys([*PrescriberType.values, "unknown"], 0)
    for prescriber, n in participants.values_list("prescriber_type").annotate(n=Count("id")).order_by():
        prescribers[prescriber or "unknown"] += n
    exits = positive_exit_counts(participants, protocol, period, total)
    figures = {
        "protocol": protocol.slug, "name": protocol.name,
        "period": {"start": protocol.starts_on.isoformat(), "end": protocol.ends_on.isoformat()},
        "as_of": as_of.isoformat(), **head, "qualification": qualification, "prescribers": prescribers,
        "positive_exits": exits,
        "success_rate": rate(exits["total"], total), "employment_rate": rate(exits["employment"], total),
        "training_rate": rate(exits["training_counted"], total),
    }
    figures["objectives"] = _objectives(protocol, figures)
    if breakdowns:
        figures["breakdowns"] = _breakdowns(participants, period)
    return figures
