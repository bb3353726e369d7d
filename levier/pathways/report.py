"""The protocol dashboard: objectives against results, live, from the pathways (issue 5, "Reports").

Definitions (seed 002 and issue 5):
- participants: pathway open on at least one day of the period (carried-over included), up to `as_of`;
  new_entrants: entry date in the period;
- positive exits: validated on or before min(period end, as_of); training exits are counted within a cap
  of ⌊participants × cap⌋ (8 % for the seed protocols, read as a share of participants), the earliest
  validated first; committee exits count in their category and are shown apart;
- rates: strings with 4 decimals, rounded half-up.
One aggregate statement reads the participants once, whatever their number (plus the objectives).
"""

from collections import Counter
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal

from django.db import connection
from django.db.models import BooleanField, ExpressionWrapper, OuterRef, Q, Subquery

from .enums import EMPLOYMENT_EXIT_KINDS, ExitCategory, ExitSource, PrescriberType
from .qualifications import LEVELS, NEW, OLD, REPORT_GROUPS, Qualification

RATE_PLACES = Decimal("0.0001")
EMPLOYMENT_KINDS = EMPLOYMENT_EXIT_KINDS


def rate(numerator: int, denominator: int) -> str | None:
    """A share as a string with 4 decimals, rounded half-up; None without a denominator."""
    if not denominator:
        return None
    return str((Decimal(numerator) / Decimal(denominator)).quantize(RATE_PLACES, rounding=ROUND_HALF_UP))


def training_cap(participants: int, cap: Decimal) -> int:
    """⌊participants × cap⌋ (exact decimal arithmetic)."""
    return int((Decimal(participants) * cap).to_integral_value(rounding=ROUND_FLOOR))


def qualification_counts(rows, nomenclature: str) -> dict[str, int]:
    """One key per level of the protocol's nomenclature, its grouped keys and unknown.

    `rows` are (level, nomenclature of the level, count); a level of the other nomenclature is counted
    under its key in this one (`qualifications.REPORT_KEY_OF`: 2019 levels 1–2 → Vbis_VI, 3 → V, 4 → IV,
    5 → III, 6 → II, 7–8 → I; old levels V → 3, IV → 4, III → 5, II → 6, V bis and VI → 1_2, I → 7_8); a
    grouped key also holds the levels it names (Vbis_VI: Vbis and VI; 1_2: 1 and 2; 7_8: 7 and 8)."""
    nomenclature = OLD if nomenclature == OLD else NEW
    groups = REPORT_GROUPS[nomenclature]
    counts = dict.fromkeys((*LEVELS[nomenclature], *groups, "unknown"), 0)
    for level, level_nomenclature, count in rows:
        level_nomenclature = OLD if level_nomenclature == OLD else NEW
        known = level and level in LEVELS[level_nomenclature]
        counts[Qualification(level, level_nomenclature).report_key(nomenclature) if known else "unknown"] += count
    for group, members in groups.items():
        counts[group] += sum(counts[member] for member in members)
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


# The participants' columns the figures read, (field, name in the statement); the breakdowns add theirs.
ROW_FIELDS = (("person__sex", "sex"), ("rsa", "rsa"), ("long_term_unemployed", "long_term"), ("qpv", "qpv"),
              ("carried_over_from_id", "carried"), ("qualification_level", "level"),
              ("qualification_nomenclature", "level_nomenclature"), ("prescriber_type", "prescriber"),
              ("exit_kind", "exit_kind"), ("exit_source", "exit_source"), ("exit_category", "exit_category"))
BREAKDOWN_FIELDS = (("structure__name", "structure"), ("structure__bassin__name", "bassin"),
                    ("referent__first_name", "referent_first"), ("referent__last_name", "referent_last"))
# Each group: (name, its key columns, its counts) — one GROUP BY each over the participants' rows.
GROUPS = (
    ("head", (), ("COUNT(*)", "entry", "sex = 'F'", "sex = 'M'", "sex = 'X'", "rsa", "long_term", "qpv",
                  "carried IS NOT NULL", "active")),
    ("qualification", ("level", "level_nomenclature"), ("COUNT(*)",)),
    ("prescriber", ("prescriber",), ("COUNT(*)",)),
    ("exits", ("exit_kind", "exit_source", "exit_category"), ("positive", "positive AND rsa", "exited")),
)
BREAKDOWN_GROUPS = (
    ("structure", ("structure",), ("COUNT(*)", "active", "positive")),
    ("bassin", ("bassin",), ("COUNT(*)", "active", "positive")),
    ("referent", ("referent_first", "referent_last"), ("COUNT(*)", "active", "positive")),
    ("subtype", ("subtype",), ("positive",)),
)
WIDTH_KEYS, WIDTH_COUNTS = 3, 10


def _rows(participants, period: Period, breakdowns: bool) -> tuple:
    """The participants as the rows the figures are counted from (the model's columns, then flags of the
    period and the exit step's contract subtype), and the names of their columns."""
    from .models import Step

    def flag(condition: Q) -> ExpressionWrapper:
        return ExpressionWrapper(condition, output_field=BooleanField())

    fields = ROW_FIELDS + (BREAKDOWN_FIELDS if breakdowns else ())
    flags = {
        "entry": flag(Q(entry_date__gte=period.start)),
        "active": flag(Q(exit_date__isnull=True) | Q(exit_date__gt=period.end)),
        "positive": flag(Q(exit_validated_on__lte=period.cutoff) & ~Q(exit_category="")),
        "exited": flag(Q(exit_date__lte=period.end) & ~Q(exit_kind="")),
    }
    if breakdowns:  # the exit step read by its key, only for the pathways that have one
        flags["subtype"] = Subquery(Step.objects.filter(pk=OuterRef("exit_step_id")).order_by()
                                    .values("contract_subtype")[:1])
    rows = participants.order_by().annotate(**{f"row_{name}": value for name, value in flags.items()})
    # Annotations come after the model's columns in the SQL: they are listed last.
    rows = rows.values_list(*(field for field, _ in fields), *(f"row_{name}" for name in flags))
    return rows, [name for _, name in fields] + list(flags)


def _grouped(participants, period: Period, breakdowns: bool) -> dict[str, list[tuple]]:
    """Every count of the report in one statement: the participants' rows (compiled by the ORM) read once,
    then grouped per figure (UNION ALL of small GROUP BYs over them). {group: [(keys…, counts…)]}."""
    rows, names = _rows(participants, period, breakdowns)
    sql, params = rows.query.sql_with_params()
    lines = []
    for name, keys, counts in GROUPS + (BREAKDOWN_GROUPS if breakdowns else ()):
        key_sql = [*keys, *["NULL"] * (WIDTH_KEYS - len(keys))]
        count_sql = [c if c == "COUNT(*)" else f"COUNT(CASE WHEN {c} THEN 1 END)" for c in counts]
        count_sql += ["0"] * (WIDTH_COUNTS - len(counts))
        line = f"SELECT '{name}', {', '.join(key_sql)}, {', '.join(count_sql)} FROM p"
        if keys:
            line += f" GROUP BY {', '.join(keys)}"
        lines.append(line)
    statement = f"WITH p ({', '.join(names)}) AS ({sql}) " + " UNION ALL ".join(lines)
    found: dict[str, list[tuple]] = {name: [] for name, _, _ in GROUPS + BREAKDOWN_GROUPS}
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        for name, *values in cursor.fetchall():
            found[name].append(tuple(values))
    return found


def positive_exit_counts(groups: list[tuple], participants, protocol, period: Period, total_participants: int) -> dict:
    """The positive_exits block: per kind, employment, training within its cap, total, RSA, committee.

    `groups`: (exit kind, source, category, positive exits, of which RSA, …) lines of _grouped."""
    counts, rsa = Counter(), Counter()
    for kind, source, category, n, n_rsa, *_ in groups:
        if not n:
            continue
        if source == ExitSource.COMMITTEE:
            counts["by_committee"] += n
            key = {ExitCategory.TRAINING: "training", ExitCategory.BUSINESS_CREATION: "business_creation"}.get(
                category, "committee_employment")
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
        validated = participants.filter(exit_validated_on__lte=period.cutoff, exit_category=ExitCategory.TRAINING)
        earliest = validated.order_by("exit_validated_on", "id")[:cap]
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
    from .models import Objective

    achieved = {
        "participants": figures["participants"], "rsa": figures["rsa"],
        "positive_exits": figures["positive_exits"]["total"], "positive_exits_rsa": figures["positive_exits"]["total_rsa"],
        "success_rate": figures["success_rate"], "employment_rate": figures["employment_rate"],
        "training_rate": figures["training_rate"],
    }
    found = {}
    for objective in protocol.objectives.all():
        is_rate = Objective.is_rate_key(objective.key)
        target = (str(objective.rate.quantize(RATE_PLACES)) if objective.rate is not None else None) if is_rate \
            else objective.target
        entry = {"label": objective.label, "target": target, "achieved": achieved.get(objective.key)}
        if not is_rate and objective.rate is not None:
            entry["target_rate"] = str(objective.rate.quantize(RATE_PLACES))
            entry["achieved_rate"] = rate(achieved.get(objective.key) or 0, figures["participants"])
        found[objective.key] = entry
    return found


def _name_order(key: tuple) -> tuple:
    """Names in order, the unknown ("Non renseigné") last, the same on every database."""
    return tuple((part is None, part or "") for part in key)


def _breakdowns(grouped: dict[str, list[tuple]]) -> dict:
    by = {}
    for key, width in (("structure", 1), ("bassin", 1), ("referent", 2)):
        lines = sorted(grouped[key], key=lambda line: _name_order(line[:width]))
        by[key] = [{"name": " ".join(part for part in line[:width] if part) or "Non renseigné",
                    "participants": line[WIDTH_KEYS], "active": line[WIDTH_KEYS + 1],
                    "positive_exits": line[WIDTH_KEYS + 2]} for line in lines]
    exits = Counter()
    for kind, _source, _category, _n, _n_rsa, exited, *_ in grouped["exits"]:
        if kind and exited:
            exits[kind] += exited
    by["exit_kind"] = dict(sorted(exits.items()))
    by["exit_contract_subtype"] = {line[0] or "common": line[WIDTH_KEYS] for line in grouped["subtype"]
                                   if line[0] is not None and line[WIDTH_KEYS]}
    return by


def protocol_report(protocol, *, as_of: date, breakdowns: bool = True) -> dict:
    """Every figure of the protocol dashboard, as the CLI and the API give it (counts as integers, rates
    as strings). One statement reads the participants once (_grouped); the objectives are a second one, and
    a third lists the earliest training exits when the cap bites."""
    period = period_of(protocol, as_of)
    participants = participants_of(protocol, period)
    grouped = _grouped(participants, period, breakdowns)
    head = dict(zip(("participants", "new_entrants", "women", "men", "non_binary", "rsa", "long_term_unemployed",
                     "qpv", "carried_over", "active"), grouped["head"][0][WIDTH_KEYS:], strict=True))
    total = head["participants"]
    qualification = qualification_counts([(level, nomenclature, n) for level, nomenclature, _, n, *_
                                          in grouped["qualification"]], protocol.nomenclature)
    prescribers = dict.fromkeys([*PrescriberType.values, "unknown"], 0)
    for prescriber, _, _, n, *_ in grouped["prescriber"]:
        prescribers[prescriber or "unknown"] += n
    exits = positive_exit_counts(grouped["exits"], participants, protocol, period, total)
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
        figures["breakdowns"] = _breakdowns(grouped)
    return figures
