"""De minimis ceilings, regulation by regulation, for a single undertaking (pure).

The regulation is chosen by the aid's regime and its grant date (the date the legal right is conferred,
1407/2013 art. 3(4), 2023/2831 art. 3(3)):

| regime       | granted                 | regulation          | ceiling                       | period                      |
|--------------|-------------------------|---------------------|-------------------------------|-----------------------------|
| general      | 2007-01-01 → 2013-12-31 | 1998/2006           | 200 000 € (100 000 € road freight) | 3 fiscal years          |
| general      | 2014-01-01 → 2023-12-31 | 1407/2013 art. 3(2) | 200 000 € (100 000 € road freight for hire or reward) | 3 fiscal years |
| general      | 2024-01-01 → 2030-12-31 | 2023/2831 art. 3(2) | 300 000 €                     | any 3 years (rolling)       |
| agriculture  | 2014-01-01 → 2019-03-13 | 1408/2013           | 15 000 €                      | 3 fiscal years              |
| agriculture  | 2019-03-14 → 2024-12-15 | 1408/2013 (2019/316)| 20 000 €                      | 3 fiscal years              |
| agriculture  | 2024-12-16 → 2032-12-31 | 1408/2013 (2024/3118)| 50 000 €                     | any 3 years (rolling)       |
| fisheries    | 2014-07-01 → 2029-12-31 | 717/2014            | 30 000 €                      | 3 fiscal years              |
| sgei         | 2012-04-29 → 2023-12-31 | 360/2012 art. 2(2)  | 500 000 €                     | 3 fiscal years              |
| sgei         | 2024-01-01 → 2030-12-31 | 2023/2832 art. 3(2) | 750 000 €                     | any 3 years (rolling)       |

"3 fiscal years" is the fiscal year of the grant and the two before (1407/2013 art. 6(1), recital 10),
by the undertaking's own fiscal year (art. 3(5); the calendar year unless recorded otherwise);
"any 3 years" counts back from the grant date: the three years ending on it (2023/2831 recital 11),
so on 15/03/2025 the aid granted since 16/03/2022 counts.

Cumulation, each ceiling counting the regimes its text makes it count:
- the general ceiling counts general, agricultural and fisheries aid (1407/2013 art. 5(1) second
  sentence, 2023/2831 art. 5(2), 1408/2013 art. 5(1), 717/2014 art. 5(1));
- the agricultural and the fisheries ceilings count their own aid; both together stay within the
  higher of the two (1408/2013 art. 5(2), 717/2014 art. 5(2));
- until 31/12/2023 the SGEI ceiling (500 000 €) counts SGEI aid and the other de minimis aid (360/2012
  art. 2(7), 1407/2013 art. 5(1) first sentence: "up to the ceiling laid down in that Regulation");
  from 01/01/2024 SGEI and general de minimis "may be cumulated" with no ceiling in common (2023/2831
  art. 5(1), 2023/2832 art. 5(1)): the 750 000 € count SGEI aid only.
A ceiling of another regime applies once aid of that regime is there (an undertaking with no SGEI aid
is held to the general ceiling only). A new aid that would exceed a ceiling does not benefit
from the regulation at all (1407/2013 art. 3(7), 2023/2831 art. 3(7)): it is refused, not reduced.
Amounts are gross grant equivalents (art. 3(6)); the single undertaking is resolved by `single_undertaking`.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from levier.aids.enums import DeMinimisRegime
from levier.core.dates import month_end
from levier.core.errors import InvalidInput
from levier.core.formats import format_date, format_euros

GENERAL, AGRICULTURE, FISHERIES, SGEI = (DeMinimisRegime.GENERAL.value, DeMinimisRegime.AGRICULTURE.value,
                                         DeMinimisRegime.FISHERIES.value, DeMinimisRegime.SGEI.value)
REGIMES = {
    GENERAL: "De minimis général",
    AGRICULTURE: "De minimis agricole (production primaire)",
    FISHERIES: "De minimis pêche et aquaculture",
    SGEI: "De minimis des services d'intérêt économique général (SIEG)",
}
FISCAL, ROLLING = "fiscal_years", "rolling_years"


@dataclass(frozen=True)
class Regulation:
    number: str
    title: str
    regime: str
    starts: date
    ends: date
    ceiling: Decimal
    period: str
    road_freight_ceiling: Decimal | None = None
    counts: frozenset = frozenset()  # the regimes whose aid the ceiling counts (its own when empty)
    # A scheme under the regulation stays covered six months after its end (1998/2006 art. 5(2), 1407/2013
    # art. 7(4), 2023/2831 art. 7(3)): an aid that names it may be granted until then.
    schemes_until: date | None = None

    @property
    def counted(self) -> frozenset:
        return self.counts or frozenset({self.regime})


_GENERAL_COUNTS = frozenset({GENERAL, AGRICULTURE, FISHERIES})
REGULATIONS = (
    Regulation("1998/2006", "Règlement (CE) n° 1998/2006", GENERAL, date(2007, 1, 1), date(2013, 12, 31),
               Decimal(200_000), FISCAL, Decimal(100_000), _GENERAL_COUNTS, date(2014, 6, 30)),
    Regulation("1407/2013", "Règlement (UE) n° 1407/2013", GENERAL, date(2014, 1, 1), date(2023, 12, 31),
               Decimal(200_000), FISCAL, Decimal(100_000), _GENERAL_COUNTS, date(2024, 6, 30)),
    Regulation("2023/2831", "Règlement (UE) 2023/2831", GENERAL, date(2024, 1, 1), date(2030, 12, 31),
               Decimal(300_000), ROLLING, None, _GENERAL_COUNTS, date(2031, 6, 30)),
    Regulation("1408/2013", "Règlement (UE) n° 1408/2013", AGRICULTURE, date(2014, 1, 1), date(2019, 3, 13),
               Decimal(15_000), FISCAL),
    Regulation("1408/2013", "Règlement (UE) n° 1408/2013 modifié par le règlement (UE) 2019/316", AGRICULTURE,
               date(2019, 3, 14), date(2024, 12, 15), Decimal(20_000), FISCAL),
    Regulation("1408/2013", "Règlement (UE) n° 1408/2013 modifié par le règlement (UE) 2024/3118", AGRICULTURE,
               date(2024, 12, 16), date(2032, 12, 31), Decimal(50_000), ROLLING),
    Regulation("717/2014", "Règlement (UE) n° 717/2014", FISHERIES, date(2014, 7, 1), date(2029, 12, 31),
               Decimal(30_000), FISCAL),
    Regulation("360/2012", "Règlement (UE) n° 360/2012", SGEI, date(2012, 4, 29), date(2023, 12, 31),
               Decimal(500_000), FISCAL, None, _GENERAL_COUNTS | {SGEI}),
    Regulation("2023/2832", "Règlement (UE) 2023/2832", SGEI, date(2024, 1, 1), date(2030, 12, 31),
               Decimal(750_000), ROLLING),
)
# The words an aid's regulation may be given by (JSON, imports): a regime, or one regulation's number.
REGULATION_WORDS = {**{regime: regime for regime in REGIMES}, **{r.number: r.regime for r in REGULATIONS}}


def regulation_on(regime: str, on: date) -> Regulation | None:
    return next((r for r in REGULATIONS if r.regime == regime and r.starts <= on <= r.ends), None)


def regulation_for(word: str, on: date, *, field: str = "regulation") -> Regulation:
    """The regulation an aid given by `word` ("general", "2023/2831"…) is granted under on `on`, or
    InvalidInput naming `field` (a regulation that does not apply on that date is never silently swapped)."""
    regime = REGULATION_WORDS.get(word)
    if regime is None:
        raise InvalidInput.single(field, f"Règlement inconnu : « {word} » (attendu : {', '.join(REGULATION_WORDS)}).")
    regulation = regulation_on(regime, on)
    if regulation is None and word != regime:
        regulation = next((r for r in REGULATIONS if r.number == word and r.ends < on <= (r.schemes_until or r.ends)), None)
    if regulation is None:
        raise InvalidInput.single(field, f"Aucun règlement {REGIMES[regime].lower()} n'est applicable au {format_date(on)}.")
    if word != regime and regulation.number != word:
        named = [r for r in REGULATIONS if r.number == word]
        extended = next((r for r in named if r.ends < on <= (r.schemes_until or r.ends)), None)
        if extended is not None:
            return extended
        first, last = min(r.starts for r in named), max(r.schemes_until or r.ends for r in named)
        raise InvalidInput.single(field, f"Le règlement {word} s'applique aux aides octroyées du {format_date(first)} "
                                         f"au {format_date(last)} : une aide octroyée le {format_date(on)} relève du "
                                         f"{regulation.title[0].lower()}{regulation.title[1:]}.")
    return regulation


# ---------------------------------------------------------------- periods


def fiscal_year_of(day: date, fiscal_year_end: tuple[int, int] = (12, 31)) -> tuple[date, date]:
    """The first and last days of the fiscal year holding `day`, for a fiscal year ending each year on
    (month, day) — a 29 February end is read as the month's last day."""
    month, last = fiscal_year_end
    end = _year_end(day.year, month, last)
    if end < day:
        end = _year_end(day.year + 1, month, last)
    start = _year_end(end.year - 1, month, last) + timedelta(days=1)
    return start, end


def _year_end(year: int, month: int, day: int) -> date:
    last = month_end(year, month)
    return last if day > last.day else date(year, month, day)


def three_years_back(on: date) -> date:
    """The first day of the three years ending on `on` (15/03/2025 → 16/03/2022; 29/02/2024 → 01/03/2021)."""
    try:
        back = on.replace(year=on.year - 3)
    except ValueError:  # 29 February
        back = on.replace(year=on.year - 3, day=28)
    return back + timedelta(days=1)


def window(regulation: Regulation, on: date, fiscal_year_end: tuple[int, int] = (12, 31)) -> tuple[date, date]:
    if regulation.period == ROLLING:
        return three_years_back(on), on
    start, end = fiscal_year_of(on, fiscal_year_end)
    first, _ = fiscal_year_of(start - timedelta(days=1), fiscal_year_end)
    earliest, _ = fiscal_year_of(first - timedelta(days=1), fiscal_year_end)
    return earliest, end


# ---------------------------------------------------------------- single undertaking


def single_undertaking(applicant: str, links: Iterable[tuple[str, str]]) -> set[str]:
    """The applicant and every enterprise linked to it by control, directly or through other enterprises
    (1407/2013 and 2023/2831 art. 2(2)): the connected part of the control links holding the applicant."""
    neighbours: dict[str, set[str]] = {}
    for controller, controlled in links:
        neighbours.setdefault(controller, set()).add(controlled)
        neighbours.setdefault(controlled, set()).add(controller)
    members, todo = {applicant}, [applicant]
    while todo:
        for other in neighbours.get(todo.pop(), ()):
            if other not in members:
                members.add(other)
                todo.append(other)
    return members


# ---------------------------------------------------------------- the check


@dataclass(frozen=True)
class Aid:
    granted_on: date
    amount: Decimal  # gross grant equivalent
    regime: str
    label: str = ""


@dataclass(frozen=True)
class Ceiling:
    """One ceiling checked: its regulation, period, the aid it counts and what is left."""

    regulation: Regulation
    ceiling: Decimal
    counts: tuple[str, ...]
    starts: date
    ends: date
    counted: tuple[Aid, ...]
    previous: Decimal
    requested: Decimal

    @property
    def total(self) -> Decimal:
        return self.previous + self.requested

    @property
    def allowed(self) -> bool:
        return self.total <= self.ceiling

    @property
    def headroom(self) -> Decimal:
        return max(self.ceiling - self.previous, Decimal("0.00"))


@dataclass(frozen=True)
class DeMinimisCheck:
    aid: Aid
    regulation: Regulation
    ceilings: tuple[Ceiling, ...]
    not_counted: tuple[tuple[Aid, str], ...]

    @property
    def allowed(self) -> bool:
        return all(c.allowed for c in self.ceilings)

    @property
    def main(self) -> Ceiling:
        return self.ceilings[0]

    @property
    def reason(self) -> str:
        failed = [c for c in self.ceilings if not c.allowed]
        if not failed:
            c = self.main
            return (f"Plafond respecté : {format_euros(c.total, cents=True)} sur {format_euros(c.ceiling)} "
                    f"du {format_date(c.starts)} au {format_date(c.ends)} ({c.regulation.title}).")
        c = failed[0]
        own = self.regulation.title
        return (f"Plafond de minimis dépassé : {format_euros(c.previous, cents=True)} déjà octroyés du "
                f"{format_date(c.starts)} au {format_date(c.ends)} + {format_euros(c.requested, cents=True)} demandés = "
                f"{format_euros(c.total, cents=True)}, au-delà de {format_euros(c.ceiling)} ({c.regulation.title}) : "
                f"l'aide ne peut être octroyée au titre du {own[0].lower()}{own[1:]} (article 3, paragraphe 7).")

    def as_dict(self) -> dict:
        money = lambda m: f"{m:.2f}"  # noqa: E731
        aid = lambda a: {"date": a.granted_on.isoformat(), "amount": money(a.amount), "regime": a.regime,  # noqa: E731
                         "regulation": _number(a), **({"label": a.label} if a.label else {})}
        ceilings = [{
            "regulation": c.regulation.number, "title": c.regulation.title, "ceiling": money(c.ceiling),
            "counts": list(c.counts), "period": c.regulation.period,
            "window": {"from": c.starts.isoformat(), "to": c.ends.isoformat()},
            "counted": [aid(a) for a in c.counted], "previous": money(c.previous), "requested": money(c.requested),
            "total": money(c.total), "headroom": money(c.headroom), "allowed": c.allowed,
        } for c in self.ceilings]
        main = ceilings[0]
        return {
            "regulation": self.regulation.number, "title": self.regulation.title, "regime": self.regulation.regime,
            "ceiling": main["ceiling"], "window": main["window"], "counted": main["counted"],
            "previous": main["previous"], "requested": main["requested"], "total": main["total"],
            "headroom": money(min(c.headroom for c in self.ceilings)), "allowed": self.allowed, "reason": self.reason, "ceilings": ceilings,
            "not_counted": [{**aid(a), "reason": why} for a, why in self.not_counted],
        }


def _number(aid: Aid) -> str | None:
    regulation = regulation_on(aid.regime, aid.granted_on)
    return regulation.number if regulation else None


def check(aid: Aid, previous: list[Aid], *, fiscal_year_end: tuple[int, int] = (12, 31),
          road_freight: bool = False, regulation: Regulation | None = None) -> DeMinimisCheck:
    """May `aid` be granted on top of the `previous` de minimis aid of the same single undertaking?"""
    regulation = regulation or regulation_for(aid.regime, aid.granted_on)
    regimes_present = {aid.regime} | {p.regime for p in previous}
    ceilings = [_ceiling(regulation, regulation.counted, aid, previous, fiscal_year_end, road_freight)]
    for other in (GENERAL, SGEI):
        cross = regulation_on(other, aid.granted_on)
        if cross is not None and other != regulation.regime and aid.regime in cross.counted and other in regimes_present:
            ceilings.append(_ceiling(cross, cross.counted, aid, previous, fiscal_year_end, road_freight))
    if aid.regime in (AGRICULTURE, FISHERIES) and {AGRICULTURE, FISHERIES} <= regimes_present:
        primary = [r for r in (regulation_on(AGRICULTURE, aid.granted_on), regulation_on(FISHERIES, aid.granted_on)) if r]
        highest = max(primary, key=lambda r: r.ceiling)
        ceilings.append(_ceiling(highest, frozenset({AGRICULTURE, FISHERIES}), aid, previous, fiscal_year_end,
                                 road_freight))
    counted_ids = {id(a) for c in ceilings for a in c.counted}
    earliest = min(c.starts for c in ceilings)
    not_counted = tuple((p, _why_not(p, aid, earliest)) for p in previous if id(p) not in counted_ids)
    return DeMinimisCheck(aid, regulation, tuple(ceilings), not_counted)


def _ceiling(regulation: Regulation, counts: frozenset, aid: Aid, previous: list[Aid], fiscal_year_end,
             road_freight) -> Ceiling:
    starts, ends = window(regulation, aid.granted_on, fiscal_year_end)
    counted = tuple(sorted((p for p in previous if p.regime in counts and starts <= p.granted_on <= ends),
                           key=lambda p: p.granted_on))
    amount = regulation.ceiling
    if road_freight and regulation.road_freight_ceiling is not None and regulation.regime == GENERAL:
        amount = regulation.road_freight_ceiling
    previous_total = sum((p.amount for p in counted), Decimal("0.00"))
    return Ceiling(regulation, amount, tuple(sorted(counts)), starts, ends, counted, previous_total, aid.amount)


def _why_not(aid: Aid, new: Aid, earliest: date) -> str:
    if aid.granted_on > new.granted_on:
        return "Postérieure à l'aide examinée."
    if aid.granted_on < earliest:
        return f"Antérieure à la période prise en compte (depuis le {format_date(earliest)})."
    return "Relève d'un plafond distinct de celui de l'aide examinée."
