"""European Social Fund participant data: the EU common indicators and the answers missing before a claim.

Sources: ../shared/domain/fse-indicators.md, Regulation (EU) No 1304/2013 Annex I (2014-2020, as amended
in 2018: CO01–CO11, CO15–CO19, CR01–CR09) and ESF+ Regulation (EU) 2021/1057 Annex I (2021-2027:
EECO01–EECO17, EECR01–EECR06); the set is the protocol's `fse_period`. docs/fse-indicators.md says
what is computed, what is not, and the items to check against the texts.

Two parts:
- pure rules (no ORM, no clock): `ParticipantFacts` are one participant's plain facts, and
  `codes_2014_2020(facts)` / `codes_2021_2027(facts)` say which indicators the participant counts in;
  `tally(facts, period)` adds them up per sex. They document the rules and are tested at the boundaries;
- `indicators(protocol, as_of=…)`: the same rules as one aggregate SQL query (conditional counts,
  grouped by sex, joining the entry, exit and follow-up questionnaires), whatever the number of
  participants; a test checks it agrees with `pure_indicators` (the pure rules applied participant by
  participant). `missing_answers` and `missing_by_participant` list what the team must still complete.

Rules (each one mirrored in `_conditions`):
- participants: pathways open during the period up to `as_of` (report.participants_of), except those
  lasting one day or less (exit date = entry date);
- age: full years at the entry date (someone born on 29 February turns a year older on 1 March in a
  common year); "below 25" is < 25, "above 54" is ≥ 55;
- labour-market status, in education, homeless, third-country national, minority, other disadvantaged:
  the entry questionnaire; disability: the pathway's RQTH; foreign background: the pathway's answer;
- long-term unemployed: unemployed at entry and 12 months of unemployment or more, 6 or more below
  25 *(check)*; without a known duration, the pathway's long-term flag as declared;
- ISCED group: the entry questionnaire's ISCED answer (a level 0–8 or a group), else the pathway's
  qualification level mapped by qualifications.py (old levels VI and V bis give 0–2, so CO09 counts
  ISCED 0 too *(check)*);
- rural: the commune of residence's `is_rural`, else fewer than 2 000 inhabitants (territories.rules);
- "declined" (ne souhaite pas répondre) counts in no sensitive indicator and is not a missing answer;
  an empty answer counts in no indicator and is listed as missing;
- results "upon leaving" read the exit questionnaire, "six months after leaving" the follow-up one,
  for participants who left on or before the period's end; an improved labour-market situation counts
  only for participants employed at entry; disadvantaged participants are those counted in CO15, CO16
  or CO17 *(check)*.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, DateField, F, FilteredRelation, Func, Q

from levier.core.dates import add_months
from levier.core.planner import planner_settings
from levier.territories.rules import RURAL_POPULATION_THRESHOLD, is_rural

from .enums import Answer, FseMoment, LabourStatus
from .qualifications import NEW, NEW_TO_ISCED, OLD, OLD_TO_ISCED, Qualification
from .report import participants_of, period_of

P2014, P2021 = "2014-2020", "2021-2027"
YES, DECLINED = Answer.YES.value, Answer.DECLINED.value
UNEMPLOYED, INACTIVE = LabourStatus.UNEMPLOYED.value, LabourStatus.INACTIVE.value
IN_EMPLOYMENT = (LabourStatus.EMPLOYED.value, LabourStatus.SELF_EMPLOYED.value)
ENTRY, EXIT, FOLLOW_UP = FseMoment.ENTRY.value, FseMoment.EXIT.value, FseMoment.FOLLOW_UP.value

LONG_TERM_MONTHS = 12
LONG_TERM_MONTHS_YOUNG = 6  # below 25 *(check)*
YOUNG_AGE, SENIOR_AGE = 25, 55
CHILD_AGE, YOUTH_MAX_AGE = 18, 29
FOLLOW_UP_MONTHS = 6

# The entry questionnaire's ISCED answer: a level or a group, as the three indicator groups.
ISCED_GROUPS = {"0-2": ("0", "1", "2", "0-2"), "3-4": ("3", "4", "3-4"), "5-8": ("5", "6", "7", "8", "5-8")}
ISCED_ANSWERS = {answer: group for group, answers in ISCED_GROUPS.items() for answer in answers}

LABELS = {
    P2014: {
        "CO01": "Chômeurs, y compris les chômeurs de longue durée",
        "CO02": "Chômeurs de longue durée",
        "CO03": "Personnes inactives",
        "CO04": "Personnes inactives ne suivant ni enseignement ni formation",
        "CO05": "Personnes exerçant un emploi, y compris les indépendants",
        "CO06": "Personnes de moins de 25 ans",
        "CO07": "Personnes de plus de 54 ans",
        "CO08": "Personnes de plus de 54 ans au chômage, y compris de longue durée, ou inactives ne suivant "
                "ni enseignement ni formation",
        "CO09": "Titulaires d'un diplôme de l'enseignement primaire (CITE 1) ou du premier cycle de "
                "l'enseignement secondaire (CITE 2)",
        "CO10": "Titulaires d'un diplôme du deuxième cycle de l'enseignement secondaire (CITE 3) ou de "
                "l'enseignement post-secondaire non supérieur (CITE 4)",
        "CO11": "Titulaires d'un diplôme de l'enseignement supérieur (CITE 5 à 8)",
        "CO15": "Migrants, participants d'origine étrangère, minorités (y compris les communautés marginalisées "
                "telles que les Roms)",
        "CO16": "Participants handicapés",
        "CO17": "Autres personnes défavorisées",
        "CO18": "Personnes sans domicile fixe ou confrontées à l'exclusion du logement",
        "CO19": "Personnes issues de zones rurales",
        "CR01": "Participants inactifs engagés dans la recherche d'un emploi au terme de leur participation",
        "CR02": "Participants suivant un enseignement ou une formation au terme de leur participation",
        "CR03": "Participants obtenant une qualification au terme de leur participation",
        "CR04": "Participants exerçant un emploi, y compris à titre indépendant, au terme de leur participation",
        "CR05": "Participants défavorisés à la recherche d'un emploi, suivant un enseignement ou une formation, "
                "obtenant une qualification ou exerçant un emploi, y compris à titre indépendant, au terme de "
                "leur participation",
        "CR06": "Participants exerçant un emploi, y compris à titre indépendant, six mois après la fin de leur "
                "participation",
        "CR07": "Participants dont la situation sur le marché du travail s'est améliorée six mois après la fin "
                "de leur participation",
        "CR08": "Participants de plus de 54 ans exerçant un emploi, y compris à titre indépendant, six mois "
                "après la fin de leur participation",
        "CR09": "Participants défavorisés exerçant un emploi, y compris à titre indépendant, six mois après la "
                "fin de leur participation",
    },
    P2021: {
        "EECO01": "Nombre total de participants",
        "EECO02": "Chômeurs, y compris les chômeurs de longue durée",
        "EECO03": "Chômeurs de longue durée",
        "EECO04": "Personnes inactives",
        "EECO05": "Personnes exerçant un emploi, y compris les indépendants",
        "EECO06": "Enfants de moins de 18 ans",
        "EECO07": "Jeunes âgés de 18 à 29 ans",
        "EECO08": "Participants âgés de 55 ans et plus",
        "EECO09": "Titulaires d'un diplôme du premier cycle de l'enseignement secondaire ou d'un niveau inférieur "
                  "(CITE 0 à 2)",
        "EECO10": "Titulaires d'un diplôme du deuxième cycle de l'enseignement secondaire (CITE 3) ou de "
                  "l'enseignement post-secondaire (CITE 4)",
        "EECO11": "Titulaires d'un diplôme de l'enseignement supérieur (CITE 5 à 8)",
        "EECO12": "Participants handicapés",
        "EECO13": "Ressortissants de pays tiers",
        "EECO14": "Participants d'origine étrangère",
        "EECO15": "Minorités (y compris les communautés marginalisées telles que les Roms)",
        "EECO16": "Personnes sans domicile fixe ou confrontées à l'exclusion du logement",
        "EECO17": "Participants issus de zones rurales",
        "EECR01": "Participants à la recherche d'un emploi au terme de leur participation",
        "EECR02": "Participants suivant un enseignement ou une formation au terme de leur participation",
        "EECR03": "Participants obtenant une qualification au terme de leur participation",
        "EECR04": "Participants exerçant un emploi, y compris à titre indépendant, au terme de leur participation",
        "EECR05": "Participants exerçant un emploi, y compris à titre indépendant, six mois après la fin de leur "
                  "participation",
        "EECR06": "Participants dont la situation sur le marché du travail s'est améliorée six mois après la fin "
                  "de leur participation",
    },
}
# Columns of each indicator: women, men, (non-binary for 2021-2027,) total. A participant of sex X
# counts in the 2014-2020 totals only.
SEX_COLUMNS = {P2014: (("women", "F"), ("men", "M")),
               P2021: (("women", "F"), ("men", "M"), ("non_binary", "X"))}


# ---------------------------------------------------------------- pure rules


def age_at(birth_date: date, on: date) -> int:
    """Full years on `on` (29 February birthdays move to 1 March in common years)."""
    return on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))


def is_participant(entry_date: date, exit_date: date | None) -> bool:
    """A pathway of one day or less (exit on the entry date) does not make a participant."""
    return exit_date is None or exit_date > entry_date


def is_long_term_unemployed(unemployment_months: int | None, declared: bool | None, age: int) -> bool:
    """12 months of unemployment or more, 6 or more below 25 *(check)*; the declared flag when the
    duration is unknown."""
    if unemployment_months is None:
        return bool(declared)
    return unemployment_months >= (LONG_TERM_MONTHS_YOUNG if age < YOUNG_AGE else LONG_TERM_MONTHS)


def follow_up_due_on(exit_date: date) -> date:
    """The follow-up questionnaire is due six months after the exit (end of month clipped)."""
    return add_months(exit_date, FOLLOW_UP_MONTHS)


def latest_exit_followed_up(as_of: date) -> date:
    """The latest exit date whose six months have passed on `as_of` (follow_up_due_on(exit) ≤ as_of): results
    "six months after leaving" are not known before (28/02/2021 → 31/08/2020, clipped months included)."""
    day = add_months(as_of, -FOLLOW_UP_MONTHS)  # its due date is on or before as_of (a day is only ever clipped down)
    while follow_up_due_on(day + timedelta(days=1)) <= as_of:  # 31/08 → 28/02: later exits due the same day
        day += timedelta(days=1)
    return day


def isced_group(answer: str, level: str, nomenclature: str) -> str | None:
    """"0-2", "3-4" or "5-8": the questionnaire's ISCED answer, else the French qualification level;
    None when unknown (an unrecognised answer is not replaced by the level)."""
    if answer:
        return ISCED_ANSWERS.get(answer)
    if not level:
        return None
    try:
        return Qualification(level, nomenclature).isced_group
    except KeyError:
        return None


def rural_commune(is_rural_flag: bool | None, population: int | None) -> bool | None:
    """The commune's flag, else the population threshold of territories.rules."""
    return is_rural_flag if is_rural_flag is not None else is_rural(population)


@dataclass(frozen=True)
class ParticipantFacts:
    """One participant's facts as the indicators read them. Answers are None (booleans) or "" when
    unknown; sensitive answers are "yes", "no", "declined" or "". Exit and follow-up answers count only
    when `exited` (left on or before the period's end)."""

    sex: str  # "F", "M", "X"
    age: int  # full years at the entry date
    labour_status: str = ""  # at entry: LabourStatus value
    long_term_unemployed: bool = False  # by duration (is_long_term_unemployed), whatever the status
    in_education: bool | None = None  # at entry
    isced_group: str | None = None  # "0-2", "3-4", "5-8"
    disability: str = ""  # RQTH
    third_country_national: str = ""
    foreign_background: str = ""
    minority: str = ""
    homeless: bool | None = None
    rural: bool | None = None
    other_disadvantaged: str = ""
    exited: bool = False
    exit_labour_status: str = ""
    exit_job_searching: bool | None = None
    exit_in_education: bool | None = None
    exit_qualification_gained: bool | None = None
    follow_up_labour_status: str = ""  # empty while the six months after the exit have not passed
    follow_up_improved: bool | None = None
    isced_zero: bool = False  # "0" answered: below ISCED 1, outside CO09 (ISCED 1 or 2) in 2014-2020

    @property
    def unemployed(self) -> bool:
        return self.labour_status == UNEMPLOYED

    @property
    def long_term(self) -> bool:
        return self.unemployed and self.long_term_unemployed

    @property
    def inactive(self) -> bool:
        return self.labour_status == INACTIVE

    @property
    def inactive_not_in_education(self) -> bool:
        return self.inactive and self.in_education is False

    @property
    def employed(self) -> bool:
        return self.labour_status in IN_EMPLOYMENT

    @property
    def migrant_or_minority(self) -> bool:
        return YES in (self.third_country_national, self.foreign_background, self.minority)

    @property
    def disadvantaged(self) -> bool:
        """Counted in CO15, CO16 or CO17 *(check)*."""
        return self.migrant_or_minority or self.disability == YES or self.other_disadvantaged == YES

    @property
    def employed_upon_leaving(self) -> bool:
        return self.exited and self.exit_labour_status in IN_EMPLOYMENT

    @property
    def employed_six_months_after(self) -> bool:
        return self.exited and self.follow_up_labour_status in IN_EMPLOYMENT


def codes_2014_2020(f: ParticipantFacts) -> frozenset[str]:
    """The 2014-2020 indicators (Regulation 1304/2013 Annex I) a participant counts in."""
    left = f.exited
    searching, studying = left and f.exit_job_searching is True, left and f.exit_in_education is True
    qualified = left and f.exit_qualification_gained is True
    senior = f.age >= SENIOR_AGE
    rules = {
        "CO01": f.unemployed, "CO02": f.long_term, "CO03": f.inactive, "CO04": f.inactive_not_in_education,
        "CO05": f.employed, "CO06": f.age < YOUNG_AGE, "CO07": senior,
        "CO08": senior and (f.unemployed or f.inactive_not_in_education),
        "CO09": f.isced_group == "0-2" and not f.isced_zero, "CO10": f.isced_group == "3-4",
        "CO11": f.isced_group == "5-8",
        "CO15": f.migrant_or_minority, "CO16": f.disability == YES, "CO17": f.other_disadvantaged == YES,
        "CO18": f.homeless is True, "CO19": f.rural is True,
        "CR01": f.inactive and searching, "CR02": studying, "CR03": qualified, "CR04": f.employed_upon_leaving,
        "CR05": f.disadvantaged and (searching or studying or qualified or f.employed_upon_leaving),
        "CR06": f.employed_six_months_after,
        "CR07": left and f.employed and f.follow_up_improved is True,
        "CR08": senior and f.employed_six_months_after,
        "CR09": f.disadvantaged and f.employed_six_months_after,
    }
    return frozenset(code for code, counts in rules.items() if counts)


def codes_2021_2027(f: ParticipantFacts) -> frozenset[str]:
    """The 2021-2027 indicators (ESF+ Regulation 2021/1057 Annex I) a participant counts in."""
    left = f.exited
    rules = {
        "EECO01": True, "EECO02": f.unemployed, "EECO03": f.long_term, "EECO04": f.inactive, "EECO05": f.employed,
        "EECO06": f.age < CHILD_AGE, "EECO07": CHILD_AGE <= f.age <= YOUTH_MAX_AGE, "EECO08": f.age >= SENIOR_AGE,
        "EECO09": f.isced_group == "0-2", "EECO10": f.isced_group == "3-4", "EECO11": f.isced_group == "5-8",
        "EECO12": f.disability == YES, "EECO13": f.third_country_national == YES,
        "EECO14": f.foreign_background == YES, "EECO15": f.minority == YES, "EECO16": f.homeless is True,
        "EECO17": f.rural is True,
        "EECR01": left and f.exit_job_searching is True, "EECR02": left and f.exit_in_education is True,
        "EECR03": left and f.exit_qualification_gained is True, "EECR04": f.employed_upon_leaving,
        "EECR05": f.employed_six_months_after, "EECR06": left and f.employed and f.follow_up_improved is True,
    }
    return frozenset(code for code, counts in rules.items() if counts)


CODES_OF = {P2014: codes_2014_2020, P2021: codes_2021_2027}


def empty_counts(period: str) -> dict[str, dict]:
    columns = [name for name, _ in SEX_COLUMNS[period]]
    return {code: {"label": label, **dict.fromkeys(columns, 0), "total": 0} for code, label in LABELS[period].items()}


def tally(facts: Iterable[ParticipantFacts], period: str) -> dict[str, dict]:
    """The indicators of `period` over participants' facts, split by sex, in code order."""
    counts = empty_counts(period)
    column_of = {sex: name for name, sex in SEX_COLUMNS[period]}
    for one in facts:
        column = column_of.get(one.sex)
        for code in CODES_OF[period](one):
            counts[code]["total"] += 1
            if column:
                counts[code][column] += 1
    return counts


# ---------------------------------------------------------------- from the database


def _questionnaires(pathway) -> dict:
    return {q.moment: q for q in pathway.fse_questionnaires.all()}


def facts_of(pathway, *, period_end: date, as_of: date) -> ParticipantFacts:
    """The facts of a pathway (person, commune and questionnaires loaded or prefetched)."""
    answers = _questionnaires(pathway)
    entry, leaving, later = answers.get(ENTRY), answers.get(EXIT), answers.get(FOLLOW_UP)
    if pathway.exit_date is None or pathway.exit_date > latest_exit_followed_up(as_of):
        later = None
    age = age_at(pathway.person.birth_date, pathway.entry_date)
    return ParticipantFacts(
        sex=pathway.person.sex, age=age, labour_status=entry.labour_status if entry else "",
        long_term_unemployed=is_long_term_unemployed(pathway.unemployment_months, pathway.long_term_unemployed, age),
        in_education=entry.in_education if entry else None,
        isced_group=isced_group(entry.isced if entry else "", pathway.qualification_level,
                                pathway.qualification_nomenclature),
        disability=pathway.rqth, foreign_background=pathway.foreign_background,
        third_country_national=entry.third_country_national if entry else "",
        minority=entry.minority if entry else "", homeless=entry.homeless if entry else None,
        rural=rural_commune(pathway.commune.is_rural, pathway.commune.population),
        other_disadvantaged=entry.other_disadvantaged if entry else "",
        exited=pathway.exit_date is not None and pathway.exit_date <= period_end,
        exit_labour_status=leaving.labour_status if leaving else "",
        exit_job_searching=leaving.job_searching if leaving else None,
        exit_in_education=leaving.in_education if leaving else None,
        exit_qualification_gained=leaving.qualification_gained if leaving else None,
        follow_up_labour_status=later.labour_status if later else "",
        follow_up_improved=later.improved_situation if later else None,
        isced_zero=bool(entry) and entry.isced == "0",
    )


class YearsBefore(Func):
    """The date `years` before a date expression: age at D ≥ n ⇔ birth date ≤ YearsBefore(D, n).

    PostgreSQL subtracts an interval (29 February → 28 February of a common year); SQLite builds the
    text 'YYYY-MM-DD', possibly '1999-02-29', compared as text with the stored dates: both give
    `age_at` exactly."""

    output_field = DateField()

    def __init__(self, expression, years: int):
        super().__init__(expression)
        self.years = int(years)

    def as_sql(self, compiler, connection, **extra):
        raise NotImplementedError(f"YearsBefore: PostgreSQL and SQLite only, not {connection.vendor}.")

    def as_postgresql(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"(({sql}) - interval '{self.years} years')::date", params

    def as_sqlite(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        return (f"printf('%%04d-%%s', CAST(strftime('%%Y', {sql}) AS INTEGER) - {self.years}, "
                f"strftime('%%m-%%d', {sql}))"), [*params, *params]


def _age_below(years: int) -> Q:
    return Q(person__birth_date__gt=YearsBefore(F("entry_date"), years))


def _age_at_least(years: int) -> Q:
    return Q(person__birth_date__lte=YearsBefore(F("entry_date"), years))


def _qualification_in(group: str) -> Q:
    old = [level for level in OLD_TO_ISCED if Qualification(level, OLD).isced_group == group]
    new = [level for level in NEW_TO_ISCED if Qualification(level, NEW).isced_group == group]
    return Q(qualification_nomenclature=OLD, qualification_level__in=old) | (
        ~Q(qualification_nomenclature=OLD) & Q(qualification_level__in=new))


def _conditions(period: str, period_end: date, as_of: date) -> dict[str, Q | None]:
    """Each indicator of `period` as a condition on a pathway annotated with `entry`, `leaving` and
    `later` (the three questionnaires), None for every participant: the SQL twin of codes_2014_2020 /
    codes_2021_2027."""
    unemployed = Q(entry__labour_status=UNEMPLOYED)
    long_term = unemployed & (Q(unemployment_months__gte=LONG_TERM_MONTHS)
                              | (Q(unemployment_months__gte=LONG_TERM_MONTHS_YOUNG) & _age_below(YOUNG_AGE))
                              | Q(unemployment_months__isnull=True, long_term_unemployed=True))
    inactive = Q(entry__labour_status=INACTIVE)
    inactive_neet = inactive & Q(entry__in_education=False)
    employed = Q(entry__labour_status__in=IN_EMPLOYMENT)
    no_isced_answer = Q(entry__isced__isnull=True) | Q(entry__isced="")
    isced = {group: Q(entry__isced__in=answers) | (no_isced_answer & _qualification_in(group))
             for group, answers in ISCED_GROUPS.items()}
    disability, foreign = Q(rqth=YES), Q(foreign_background=YES)
    third_country, minority = Q(entry__third_country_national=YES), Q(entry__minority=YES)
    other = Q(entry__other_disadvantaged=YES)
    homeless = Q(entry__homeless=True)
    rural = Q(commune__is_rural=True) | Q(commune__is_rural__isnull=True,
                                          commune__population__lt=RURAL_POPULATION_THRESHOLD)
    left = Q(exit_date__lte=period_end)  # results: answers of participants who left by the period's end
    searching, studying = Q(leaving__job_searching=True), Q(leaving__in_education=True)
    qualified = Q(leaving__qualification_gained=True)
    employed_leaving = Q(leaving__labour_status__in=IN_EMPLOYMENT)
    followed = Q(exit_date__lte=latest_exit_followed_up(as_of))  # six months after the exit passed by as_of
    employed_later = followed & Q(later__labour_status__in=IN_EMPLOYMENT)
    improved = employed & followed & Q(later__improved_situation=True)
    senior = _age_at_least(SENIOR_AGE)
    if period == P2014:
        disadvantaged = third_country | foreign | minority | disability | other
        return {
            "CO01": unemployed, "CO02": long_term, "CO03": inactive, "CO04": inactive_neet, "CO05": employed,
            "CO06": _age_below(YOUNG_AGE), "CO07": senior, "CO08": senior & (unemployed | inactive_neet),
            "CO09": isced["0-2"] & ~Q(entry__isced="0"), "CO10": isced["3-4"], "CO11": isced["5-8"],
            "CO15": third_country | foreign | minority, "CO16": disability, "CO17": other, "CO18": homeless,
            "CO19": rural,
            "CR01": left & inactive & searching, "CR02": left & studying, "CR03": left & qualified,
            "CR04": left & employed_leaving,
            "CR05": left & disadvantaged & (searching | studying | qualified | employed_leaving),
            "CR06": left & employed_later, "CR07": left & improved, "CR08": left & senior & employed_later,
            "CR09": left & disadvantaged & employed_later,
        }
    return {
        "EECO01": None, "EECO02": unemployed, "EECO03": long_term, "EECO04": inactive,
        "EECO05": employed, "EECO06": _age_below(CHILD_AGE),
        "EECO07": _age_at_least(CHILD_AGE) & _age_below(YOUTH_MAX_AGE + 1), "EECO08": senior,
        "EECO09": isced["0-2"], "EECO10": isced["3-4"], "EECO11": isced["5-8"],
        "EECO12": disability, "EECO13": third_country, "EECO14": foreign, "EECO15": minority, "EECO16": homeless,
        "EECO17": rural,
        "EECR01": left & searching, "EECR02": left & studying, "EECR03": left & qualified,
        "EECR04": left & employed_leaving, "EECR05": left & employed_later, "EECR06": left & improved,
    }


def fse_participants(protocol, *, as_of: date):
    """The protocol's ESF participants at `as_of`: open during the period, more than one day."""
    return participants_of(protocol, period_of(protocol, as_of)).exclude(exit_date=F("entry_date"))


def _with_questionnaires(pathways):
    def moment(name: str) -> FilteredRelation:
        return FilteredRelation("fse_questionnaires", condition=Q(fse_questionnaires__moment=name))

    return pathways.annotate(entry=moment(ENTRY), leaving=moment(EXIT), later=moment(FOLLOW_UP))


def _period_name(protocol) -> str:
    if protocol.fse_period not in LABELS:
        raise ValueError(f"Période FSE inconnue : « {protocol.fse_period} ».")
    return protocol.fse_period


def indicators(protocol, *, as_of: date) -> dict:
    """The EU common indicators of the protocol's FSE period at `as_of`, split by sex, in code order.

    One aggregate query (grouped by sex) whatever the number of participants."""
    period = _period_name(protocol)
    period_end = period_of(protocol, as_of).end
    conditions = _conditions(period, period_end, as_of)
    query = _with_questionnaires(fse_participants(protocol, as_of=as_of)).order_by().values("person__sex").annotate(
        participants=Count("id"), **{code: Count("id", filter=condition) for code, condition in conditions.items()})
    # With the default cost of a random read (4, for spinning disks) PostgreSQL joins the three
    # questionnaires by hashing all of them (millions on a national base) instead of probing the unique
    # (pathway, moment) index once per participant: 1,8 × the hand-written query (docs/performance.md).
    with planner_settings(random_page_cost=1.1):
        rows = list(query)
    counts = empty_counts(period)
    column_of = {sex: name for name, sex in SEX_COLUMNS[period]}
    total = 0
    for row in rows:
        total += row["participants"]
        column = column_of.get(row["person__sex"])
        for code in conditions:
            counts[code]["total"] += row[code]
            if column:
                counts[code][column] += row[code]
    return {"protocol": protocol.slug, "period": period, "as_of": as_of.isoformat(), "participants": total,
            "indicators": counts}


def pure_indicators(protocol, *, as_of: date) -> dict:
    """`indicators` computed participant by participant through the pure rules (for tests and checks on
    small protocols: it loads every participant)."""
    period = _period_name(protocol)
    period_end = period_of(protocol, as_of).end
    pathways = participants_of(protocol, period_of(protocol, as_of)).select_related("person", "commune") \
        .prefetch_related("fse_questionnaires")
    facts = [facts_of(pathway, period_end=period_end, as_of=as_of) for pathway in pathways
             if is_participant(pathway.entry_date, pathway.exit_date)]
    return {"protocol": protocol.slug, "period": period, "as_of": as_of.isoformat(), "participants": len(facts),
            "indicators": tally(facts, period)}


# ---------------------------------------------------------------- missing answers

ENTRY_PREFIX, EXIT_PREFIX, FOLLOW_UP_PREFIX = "À l'entrée", "À la sortie", "Six mois après la sortie"


def _entry_missing(pathway, entry, period: str) -> list[str]:
    missing = []
    if entry is None:
        missing.append(f"{ENTRY_PREFIX} : questionnaire FSE non renseigné")
    else:
        if not entry.labour_status:
            missing.append(f"{ENTRY_PREFIX} : situation sur le marché du travail")
        if period == P2014 and entry.labour_status == INACTIVE and entry.in_education is None:
            missing.append(f"{ENTRY_PREFIX} : en études ou en formation")
        if entry.labour_status == UNEMPLOYED and pathway.unemployment_months is None \
                and pathway.long_term_unemployed is None:
            missing.append(f"{ENTRY_PREFIX} : durée de chômage")
        if entry.homeless is None:
            missing.append(f"{ENTRY_PREFIX} : sans domicile ou exclu du logement")
        if not entry.third_country_national:
            missing.append(f"{ENTRY_PREFIX} : ressortissant de pays tiers")
        if not entry.minority:
            missing.append(f"{ENTRY_PREFIX} : minorité")
        if period == P2014 and not entry.other_disadvantaged:
            missing.append(f"{ENTRY_PREFIX} : autre personne défavorisée")
        if entry.isced and entry.isced not in ISCED_ANSWERS:
            missing.append(f"{ENTRY_PREFIX} : niveau CITE (ISCED) « {entry.isced} » non reconnu (0 à 8)")
    if not (entry and entry.isced) and isced_group("", pathway.qualification_level,
                                                   pathway.qualification_nomenclature) is None:
        missing.append(f"{ENTRY_PREFIX} : niveau de qualification")
    if not pathway.rqth:
        missing.append(f"{ENTRY_PREFIX} : RQTH (situation de handicap)")
    if not pathway.foreign_background:
        missing.append(f"{ENTRY_PREFIX} : origine étrangère")
    return missing


def missing_answers(pathway, *, as_of: date) -> list[str]:
    """What a claim still needs for this participant, in French, at `as_of`: the entry questionnaire
    (and the pathway's entry answers), the exit questionnaire once the participant has left, the
    follow-up questionnaire once six months have passed since the exit. Only the answers an indicator
    of the protocol's period reads are required; "ne souhaite pas répondre" is an answer.

    Reads pathway.protocol and the questionnaires (prefetch them for a list)."""
    period = _period_name(pathway.protocol)
    answers = _questionnaires(pathway)
    entry = answers.get(ENTRY)
    missing = _entry_missing(pathway, entry, period)
    if pathway.exit_date is None or pathway.exit_date > as_of:
        return missing
    leaving = answers.get(EXIT)
    if leaving is None:
        missing.append(f"{EXIT_PREFIX} : questionnaire FSE non renseigné")
    else:
        if not leaving.labour_status:
            missing.append(f"{EXIT_PREFIX} : situation sur le marché du travail")
        if leaving.labour_status not in IN_EMPLOYMENT and leaving.job_searching is None:
            missing.append(f"{EXIT_PREFIX} : en recherche d'emploi")
        if leaving.in_education is None:
            missing.append(f"{EXIT_PREFIX} : en études ou en formation")
        if leaving.qualification_gained is None:
            missing.append(f"{EXIT_PREFIX} : a obtenu une qualification")
    if follow_up_due_on(pathway.exit_date) > as_of:
        return missing
    later = answers.get(FOLLOW_UP)
    if later is None:
        missing.append(f"{FOLLOW_UP_PREFIX} : questionnaire FSE non renseigné")
    else:
        if not later.labour_status:
            missing.append(f"{FOLLOW_UP_PREFIX} : situation sur le marché du travail")
        if entry is not None and entry.labour_status in IN_EMPLOYMENT and later.improved_situation is None:
            missing.append(f"{FOLLOW_UP_PREFIX} : situation améliorée sur le marché du travail")
    return missing


def missing_by_participant(protocol, *, as_of: date) -> list[tuple]:
    """[(pathway, [missing answers])] for the protocol's participants at `as_of` who lack any, by name.

    Two queries (participants with person and commune, then their questionnaires)."""
    _period_name(protocol)
    pathways = fse_participants(protocol, as_of=as_of).select_related("person", "commune").prefetch_related(
        "fse_questionnaires").order_by("person__last_name", "person__first_name", "id")
    found = []
    for pathway in pathways:
        pathway.protocol = protocol
        missing = missing_answers(pathway, as_of=as_of)
        if missing:
            found.append((pathway, missing))
    return found
