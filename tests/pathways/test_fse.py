"""FSE data and EU common indicators (issue 6): the rules at their boundaries, the SQL path against the
pure path, and the answers missing before a claim."""

import random
from dataclasses import replace
from datetime import date, timedelta

import pytest

from levier.pathways.enums import PathwayStatus
from levier.pathways.fse import (
    LABELS, P2014, P2021, ParticipantFacts, age_at, codes_2014_2020, codes_2021_2027, indicators, is_long_term_unemployed,
    is_participant, isced_group, latest_exit_followed_up, missing_answers, missing_by_participant, pure_indicators,
    rural_commune,
)
from levier.pathways.models import FseQuestionnaire, Pathway, Person, Protocol
from levier.territories.models import Territory

pytestmark = pytest.mark.django_db
AS_OF = date(2022, 12, 31)
ADULT = ParticipantFacts(sex="F", age=40, labour_status="unemployed")


# ---------------------------------------------------------------- pure rules at their boundaries


@pytest.mark.parametrize(("birth", "entry", "age"), [
    (date(1994, 3, 1), date(2019, 2, 28), 24), (date(1994, 3, 1), date(2019, 3, 1), 25),
    (date(1964, 6, 15), date(2019, 6, 14), 54), (date(1964, 6, 15), date(2019, 6, 15), 55),
    (date(2000, 2, 29), date(2025, 2, 28), 24), (date(2000, 2, 29), date(2025, 3, 1), 25),
    (date(1999, 3, 1), date(2024, 2, 29), 24), (date(1999, 2, 28), date(2024, 2, 29), 25),
])
def test_age_is_counted_in_full_years_at_the_entry_date(birth, entry, age):
    assert age_at(birth, entry) == age


def test_24_is_below_25_and_55_is_above_54():
    assert "CO06" in codes_2014_2020(replace(ADULT, age=24)) and "CO06" not in codes_2014_2020(replace(ADULT, age=25))
    assert "CO07" not in codes_2014_2020(replace(ADULT, age=54)) and "CO07" in codes_2014_2020(replace(ADULT, age=55))
    assert "CO08" in codes_2014_2020(replace(ADULT, age=55))  # unemployed and above 54
    assert "EECO08" in codes_2021_2027(replace(ADULT, age=55)) and "EECO08" not in codes_2021_2027(replace(ADULT, age=54))
    young = [age for age in (17, 18, 29, 30) if "EECO07" in codes_2021_2027(replace(ADULT, age=age))]
    assert young == [18, 29]
    assert "EECO06" in codes_2021_2027(replace(ADULT, age=17)) and "EECO06" not in codes_2021_2027(replace(ADULT, age=18))


@pytest.mark.parametrize(("months", "declared", "age", "expected"), [
    (11, None, 40, False), (12, None, 40, True), (5, None, 24, False), (6, None, 24, True), (6, None, 25, False),
    (None, True, 40, True), (None, None, 40, False), (8, True, 40, False),  # a known duration prevails
])
def test_long_term_unemployment_is_12_months_or_6_below_25(months, declared, age, expected):
    assert is_long_term_unemployed(months, declared, age) is expected
    facts = replace(ADULT, age=age, long_term_unemployed=expected)
    assert ("CO02" in codes_2014_2020(facts)) is expected and ("EECO03" in codes_2021_2027(facts)) is expected


def test_long_term_unemployed_counts_only_when_unemployed_at_entry():
    facts = replace(ADULT, labour_status="inactive", long_term_unemployed=True)
    assert not {"CO01", "CO02"} & codes_2014_2020(facts) and "CO03" in codes_2014_2020(facts)


@pytest.mark.parametrize(("answer", "level", "nomenclature", "group"), [
    ("", "VI", "1969", "0-2"), ("", "Vbis", "1969", "0-2"), ("", "V", "1969", "3-4"), ("", "IV", "1969", "3-4"),
    ("", "III", "1969", "5-8"), ("", "I", "1969", "5-8"), ("", "2", "2019", "0-2"), ("", "4", "2019", "3-4"),
    ("", "5", "2019", "5-8"), ("", "", "", None), ("6", "VI", "1969", "5-8"), ("3-4", "", "", "3-4"),
    ("9", "IV", "1969", None),
])
def test_isced_group_from_the_answer_or_the_french_level(answer, level, nomenclature, group):
    assert isced_group(answer, level, nomenclature) == group


def test_isced_groups_give_one_education_indicator_each():
    by_group = {group: codes_2014_2020(replace(ADULT, isced_group=group)) & {"CO09", "CO10", "CO11"}
                for group in ("0-2", "3-4", "5-8", None)}
    assert by_group == {"0-2": {"CO09"}, "3-4": {"CO10"}, "5-8": {"CO11"}, None: set()}


def test_a_declined_sensitive_answer_counts_in_no_sensitive_indicator():
    declined = replace(ADULT, disability="declined", foreign_background="declined", third_country_national="declined",
                       minority="declined", other_disadvantaged="declined")
    assert not {"CO15", "CO16", "CO17"} & codes_2014_2020(declined)
    assert not {"EECO12", "EECO13", "EECO14", "EECO15"} & codes_2021_2027(declined)
    assert {"CO15", "EECO14"} <= codes_2014_2020(replace(declined, foreign_background="yes")) | codes_2021_2027(
        replace(declined, foreign_background="yes"))


def test_a_one_day_pathway_does_not_make_a_participant():
    assert not is_participant(date(2020, 5, 4), date(2020, 5, 4))
    assert is_participant(date(2020, 5, 4), date(2020, 5, 5)) and is_participant(date(2020, 5, 4), None)


def test_rural_commune_falls_back_on_the_population():
    assert rural_commune(None, 1999) is True and rural_commune(None, 2000) is False
    assert rural_commune(False, 150) is False and rural_commune(None, None) is None


def test_results_need_the_exit_and_count_the_answers_given():
    inactive = replace(ADULT, labour_status="inactive", other_disadvantaged="yes", exit_job_searching=True,
                       exit_labour_status="unemployed")
    assert not {"CR01", "CR05"} & codes_2014_2020(inactive)  # has not left yet
    left = replace(inactive, exited=True)
    assert {"CR01", "CR05"} <= codes_2014_2020(left) and "EECR01" in codes_2021_2027(left)
    assert "CR01" not in codes_2014_2020(replace(left, labour_status="unemployed"))  # CR01: inactive at entry only
    employed = replace(ADULT, age=56, labour_status="employed", exited=True, follow_up_labour_status="self_employed",
                       follow_up_improved=True)
    assert {"CR06", "CR07", "CR08"} <= codes_2014_2020(employed) and {"EECR05", "EECR06"} <= codes_2021_2027(employed)
    assert "CR09" not in codes_2014_2020(employed)  # not disadvantaged
    assert "CR07" not in codes_2014_2020(replace(employed, labour_status="unemployed"))  # improvement: employed at entry


# ---------------------------------------------------------------- data


def test_isced_0_answered_is_outside_co09_in_2014_2020_and_inside_eeco09_in_2021_2027():
    below_primary = replace(ADULT, isced_group="0-2", isced_zero=True)
    assert "CO09" not in codes_2014_2020(below_primary)  # CO09: primary (ISCED 1) or lower secondary (ISCED 2)
    assert "EECO09" in codes_2021_2027(below_primary)  # EECO09: ISCED 0 to 2


@pytest.mark.parametrize(("as_of", "latest"), [
    (date(2021, 12, 31), date(2021, 6, 30)), (date(2021, 2, 28), date(2020, 8, 31)),
    (date(2021, 3, 31), date(2020, 9, 30)), (date(2021, 3, 30), date(2020, 9, 30)),
    (date(2024, 2, 29), date(2023, 8, 31)), (date(2024, 2, 28), date(2023, 8, 28)),
])
def test_six_months_after_the_exit_have_passed_up_to_the_latest_exit(as_of, latest):
    assert latest_exit_followed_up(as_of) == latest


@pytest.fixture
def protocols(pathways_reference):
    p2014 = Protocol.objects.get(slug="plie-pays-aix-2018-2022")
    p2021 = Protocol.objects.create(
        slug="plie-pays-aix-2023-2027", name="PLIE du Pays d'Aix — protocole 2023-2027", territory=p2014.territory,
        starts_on=date(2023, 1, 1), ends_on=date(2027, 12, 31), fse_period=P2021, retention="Règlement 2021/1060, art. 82",
        retention_years=5)
    return p2014, p2021


@pytest.fixture
def communes():
    city = Territory.objects.get(kind="commune", code="13001")  # Aix-en-Provence, not rural
    village = Territory.objects.get(kind="commune", code="13090")  # Saint-Antonin-sur-Bayon, rural
    small = Territory.objects.create(kind="commune", code="99901", name="Petite commune d'essai", population=1500)
    unknown = Territory.objects.create(kind="commune", code="99902", name="Commune d'essai sans population")
    return city, village, small, unknown


def make(protocol, commune, *, n=[0], sex="F", birth=date(1980, 5, 10), entry=date(2019, 3, 1), exit=None,
         answers=None, leaving=None, later=None, **fields) -> Pathway:
    n[0] += 1
    person = Person.objects.create(last_name=f"Essai{n[0]:05d}", first_name="Camille", sex=sex, birth_date=birth,
                                   match_key=f"essai{n[0]}|camille")
    if exit:  # an exited pathway says how it ended
        fields.setdefault("exit_kind", "other")
    pathway = Pathway.objects.create(protocol=protocol, person=person, commune=commune, entry_date=entry, exit_date=exit,
                                     status=PathwayStatus.EXITED if exit else PathwayStatus.ACTIVE, **fields)
    for moment, given in (("entry", answers), ("exit", leaving), ("follow_up", later)):
        if given is not None:
            FseQuestionnaire.objects.create(pathway=pathway, moment=moment, answered_on=exit or entry, **given)
    return pathway


COMPLETE_ENTRY = {"labour_status": "unemployed", "in_education": False, "homeless": False,
                  "third_country_national": "no", "minority": "no", "other_disadvantaged": "no"}


# ---------------------------------------------------------------- indicators from the database


def test_the_report_splits_by_sex_and_counts_non_binary_only_in_the_total_for_2014_2020(protocols, communes):
    p2014, p2021 = protocols
    city = communes[0]
    for protocol, entry in ((p2014, date(2019, 3, 1)), (p2021, date(2023, 3, 1))):
        for sex in ("F", "F", "M", "X"):
            make(protocol, city, sex=sex, entry=entry, answers=COMPLETE_ENTRY, unemployment_months=3)
    old = indicators(p2014, as_of=AS_OF)
    assert old["participants"] == 4 and old["period"] == "2014-2020" and old["as_of"] == "2022-12-31"
    assert list(old["indicators"]) == list(LABELS[P2014])
    assert old["indicators"]["CO01"] == {"label": "Chômeurs, y compris les chômeurs de longue durée",
                                         "women": 2, "men": 1, "total": 4}
    new = indicators(p2021, as_of=date(2027, 12, 31))
    assert list(new["indicators"])[:3] == ["EECO01", "EECO02", "EECO03"] and list(new["indicators"])[-1] == "EECR06"
    assert new["indicators"]["EECO01"] == {"label": "Nombre total de participants", "women": 2, "men": 1,
                                           "non_binary": 1, "total": 4}


def test_a_one_day_pathway_is_not_counted(protocols, communes):
    p2014, _ = protocols
    make(p2014, communes[0], entry=date(2020, 5, 4), exit=date(2020, 5, 4), answers=COMPLETE_ENTRY)
    make(p2014, communes[0], entry=date(2020, 5, 4), exit=date(2020, 5, 5), answers=COMPLETE_ENTRY)
    report = indicators(p2014, as_of=AS_OF)
    assert report["participants"] == 1 and report["indicators"]["CO01"]["total"] == 1
    assert [p.exit_date for p, _ in missing_by_participant(p2014, as_of=AS_OF)] == [date(2020, 5, 5)]


def test_ages_and_long_term_unemployment_at_their_boundaries_in_the_database(protocols, communes):
    p2014, _ = protocols
    entry = date(2019, 3, 1)
    make(p2014, communes[0], birth=date(1994, 3, 2), entry=entry, answers=COMPLETE_ENTRY, unemployment_months=6)  # 24
    make(p2014, communes[0], birth=date(1994, 3, 1), entry=entry, answers=COMPLETE_ENTRY, unemployment_months=11)  # 25
    make(p2014, communes[0], birth=date(1964, 3, 2), entry=entry, answers=COMPLETE_ENTRY, unemployment_months=12)  # 54
    make(p2014, communes[0], birth=date(1964, 3, 1), entry=entry, answers=COMPLETE_ENTRY)  # 55, duration unknown
    counts = {code: row["total"] for code, row in indicators(p2014, as_of=AS_OF)["indicators"].items()}
    assert (counts["CO06"], counts["CO07"], counts["CO08"]) == (1, 1, 1)
    assert counts["CO02"] == 2  # the 24-year-old after 6 months, the 54-year-old after 12


def test_29_february_birthdays_and_entries_in_the_database(protocols, communes):
    p2014, _ = protocols
    for birth, entry in ((date(1995, 3, 1), date(2020, 2, 29)), (date(1995, 2, 28), date(2020, 2, 29)),
                         (date(1996, 2, 29), date(2021, 2, 28)), (date(1996, 2, 29), date(2021, 3, 1))):
        make(p2014, communes[0], birth=birth, entry=entry, answers=COMPLETE_ENTRY)
    assert indicators(p2014, as_of=AS_OF)["indicators"]["CO06"]["total"] == 2  # the 1st and the 3rd are 24


def test_results_count_exits_up_to_the_report_date(protocols, communes):
    p2014, _ = protocols
    leaving = {"labour_status": "employed", "in_education": False, "qualification_gained": True}
    make(p2014, communes[0], exit=date(2021, 6, 30), answers=COMPLETE_ENTRY, leaving=leaving,
         later={"labour_status": "employed", "improved_situation": False})
    make(p2014, communes[0], exit=date(2022, 6, 30), answers=COMPLETE_ENTRY, leaving=leaving)
    on_2021 = indicators(p2014, as_of=date(2021, 12, 31))["indicators"]
    assert (on_2021["CR03"]["total"], on_2021["CR04"]["total"], on_2021["CR06"]["total"]) == (1, 1, 1)
    assert indicators(p2014, as_of=AS_OF)["indicators"]["CR04"]["total"] == 2
    assert on_2021["CR07"]["total"] == 0


def test_six_month_results_wait_for_the_six_months_after_the_exit(protocols, communes):
    """A follow-up recorded early (or a report dated in the past) does not count before its six months."""
    p2014, _ = protocols
    later = {"labour_status": "employed", "improved_situation": True}
    make(p2014, communes[0], sex="M", exit=date(2020, 8, 31), answers={**COMPLETE_ENTRY, "labour_status": "employed"},
         later=later)
    for as_of, counted in ((date(2021, 2, 27), 0), (date(2021, 2, 28), 1)):  # due 28/02/2021 (31/08 + 6 months)
        by_sql = indicators(p2014, as_of=as_of)["indicators"]
        assert (by_sql["CR06"]["men"], by_sql["CR07"]["men"]) == (counted, counted), as_of
        assert indicators(p2014, as_of=as_of) == pure_indicators(p2014, as_of=as_of)


def test_an_isced_0_answer_counts_in_no_2014_2020_education_indicator(protocols, communes):
    p2014, p2021 = protocols
    make(p2014, communes[0], answers={**COMPLETE_ENTRY, "isced": "0"})
    make(p2014, communes[0], answers={**COMPLETE_ENTRY, "isced": "1"})
    make(p2021, communes[0], entry=date(2023, 3, 1), answers={**COMPLETE_ENTRY, "isced": "0"})
    assert indicators(p2014, as_of=AS_OF)["indicators"]["CO09"]["total"] == 1
    assert indicators(p2021, as_of=date(2027, 12, 31))["indicators"]["EECO09"]["total"] == 1


def test_the_report_is_one_query(protocols, communes):
    """One statement reads the data, whatever the number of participants (on PostgreSQL, the planner
    settings it runs with are set and put back around it)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    p2014, _ = protocols
    for _ in range(3):
        make(p2014, communes[0], answers=COMPLETE_ENTRY, leaving={"labour_status": "inactive"}, exit=date(2020, 1, 1))
    with CaptureQueriesContext(connection) as captured:
        indicators(p2014, as_of=AS_OF)
    reads = [q["sql"] for q in captured.captured_queries if "pathways_" in q["sql"]]
    assert len(reads) == 1
    assert all("pathways_" in q["sql"] or "set_config" in q["sql"] or "SAVEPOINT" in q["sql"]
               for q in captured.captured_queries)


def _random_dataset(protocol, communes, rng: random.Random, count: int) -> None:
    """Participants with every kind of answer, ages around the thresholds, 29 February births and entries."""
    start = protocol.starts_on
    answers = ["yes", "no", "declined", ""]
    flags = [True, False, None]
    levels = [("VI", "1969"), ("Vbis", "1969"), ("V", "1969"), ("IV", "1969"), ("III", "1969"), ("I", "1969"),
              ("2", "2019"), ("4", "2019"), ("7", "2019"), ("", ""), ("IV", "")]
    statuses = ["unemployed", "inactive", "employed", "self_employed", ""]
    for index in range(count):
        entry = rng.choice([start + timedelta(days=rng.randrange(0, 1500)), date(2020, 2, 29), date(2024, 2, 29)])
        if not protocol.starts_on <= entry <= protocol.ends_on:
            entry = start + timedelta(days=rng.randrange(0, 1000))
        age = rng.choice([16, 17, 18, 24, 25, 29, 30, 40, 54, 55, 60])
        birth = date(entry.year - age, entry.month, min(entry.day, 28)) + timedelta(days=rng.choice([-1, 0, 1]))
        if rng.random() < 0.05:
            birth = date(2000 - 4 * rng.randrange(0, 10), 2, 29)
        exit = rng.choice([None, None, entry, entry + timedelta(days=rng.randrange(1, 900))])
        level, nomenclature = rng.choice(levels)
        entry_answers = None if rng.random() < 0.1 else {
            "labour_status": rng.choice(statuses), "in_education": rng.choice(flags),
            "isced": rng.choice(["", "", "", "0", "3", "6", "3-4", "9"]), "homeless": rng.choice(flags),
            "third_country_national": rng.choice(answers), "minority": rng.choice(answers),
            "other_disadvantaged": rng.choice(answers)}
        exit_answers = None if exit is None or rng.random() < 0.2 else {
            "labour_status": rng.choice(statuses), "job_searching": rng.choice(flags),
            "in_education": rng.choice(flags), "qualification_gained": rng.choice(flags)}
        follow_up = None if exit is None or rng.random() < 0.3 else {
            "labour_status": rng.choice(statuses), "improved_situation": rng.choice(flags)}
        make(protocol, rng.choice(communes), sex=rng.choice("FFMMX"), birth=birth, entry=entry, exit=exit,
             answers=entry_answers, leaving=exit_answers, later=follow_up,
             unemployment_months=rng.choice([None, 3, 5, 6, 11, 12, 30]), long_term_unemployed=rng.choice(flags),
             rqth=rng.choice(answers), foreign_background=rng.choice(answers), qualification_level=level,
             qualification_nomenclature=nomenclature)


@pytest.mark.parametrize("which", [0, 1])
def test_the_sql_path_agrees_with_the_pure_rules(protocols, communes, which):
    protocol = protocols[which]
    _random_dataset(protocol, communes, random.Random(2026 + which), 300)
    for as_of in (protocol.starts_on + timedelta(days=400), protocol.ends_on):
        by_sql, by_rules = indicators(protocol, as_of=as_of), pure_indicators(protocol, as_of=as_of)
        assert by_sql == by_rules
    assert by_sql["participants"] > 200
    assert all(row["total"] > 0 for row in by_sql["indicators"].values())  # every rule was exercised


# ---------------------------------------------------------------- missing answers


def test_missing_answers_list_what_a_claim_needs(protocols, communes):
    p2014, _ = protocols
    pathway = make(p2014, communes[0], exit=date(2021, 6, 30), rqth="declined", foreign_background="no",
                   qualification_level="IV", qualification_nomenclature="1969")
    assert missing_answers(pathway, as_of=date(2021, 5, 1)) == ["À l'entrée : questionnaire FSE non renseigné"]
    assert missing_answers(pathway, as_of=date(2021, 12, 29)) == [
        "À l'entrée : questionnaire FSE non renseigné", "À la sortie : questionnaire FSE non renseigné"]
    assert missing_answers(pathway, as_of=date(2021, 12, 30))[-1] == (  # six months after 30 June
        "Six mois après la sortie : questionnaire FSE non renseigné")


def test_empty_answers_are_missing_and_declined_ones_are_not(protocols, communes):
    p2014, _ = protocols
    pathway = make(p2014, communes[0], exit=date(2021, 6, 30),
                   answers={"labour_status": "employed", "third_country_national": "declined", "minority": "declined",
                            "other_disadvantaged": ""},
                   leaving={"labour_status": "unemployed", "in_education": False},
                   later={"labour_status": "employed"}, rqth="", foreign_background="declined")
    assert missing_answers(pathway, as_of=AS_OF) == [
        "À l'entrée : sans domicile ou exclu du logement", "À l'entrée : autre personne défavorisée",
        "À l'entrée : niveau de qualification", "À l'entrée : RQTH (situation de handicap)",
        "À la sortie : en recherche d'emploi", "À la sortie : a obtenu une qualification",
        "Six mois après la sortie : situation améliorée sur le marché du travail"]


def test_2021_2027_does_not_ask_what_no_indicator_reads(protocols, communes):
    _, p2021 = protocols
    pathway = make(p2021, communes[0], entry=date(2023, 3, 1), rqth="no", foreign_background="no",
                   qualification_level="V", qualification_nomenclature="1969",
                   answers={"labour_status": "inactive", "homeless": False, "third_country_national": "no",
                            "minority": "no"})
    assert missing_answers(pathway, as_of=date(2024, 1, 1)) == []


def test_missing_by_participant_lists_each_participant_in_a_bounded_number_of_queries(
        protocols, communes, django_assert_num_queries):
    p2014, _ = protocols
    complete = make(p2014, communes[0], answers=COMPLETE_ENTRY, rqth="no", foreign_background="no",
                    qualification_level="V", qualification_nomenclature="1969", unemployment_months=4)
    for _ in range(4):
        make(p2014, communes[1], answers={**COMPLETE_ENTRY, "minority": ""}, rqth="yes", foreign_background="no",
             qualification_level="V", qualification_nomenclature="1969", unemployment_months=4)
    with django_assert_num_queries(2):
        listed = missing_by_participant(p2014, as_of=AS_OF)
    assert len(listed) == 4 and complete not in [pathway for pathway, _ in listed]
    assert all(missing == ["À l'entrée : minorité"] for _, missing in listed)


def test_an_unrecognised_isced_answer_is_listed_and_counts_in_no_education_indicator(protocols, communes):
    _, p2021 = protocols
    pathway = make(p2021, communes[0], entry=date(2023, 3, 1), rqth="no", foreign_background="no",
                   qualification_level="V", qualification_nomenclature="1969",
                   answers={"labour_status": "inactive", "homeless": False, "third_country_national": "no",
                            "minority": "no", "isced": "9"})
    assert missing_answers(pathway, as_of=date(2024, 1, 1)) == [
        "À l'entrée : niveau CITE (ISCED) « 9 » non reconnu (0 à 8)"]
    counts = indicators(p2021, as_of=date(2024, 1, 1))["indicators"]
    assert [counts[code]["total"] for code in ("EECO09", "EECO10", "EECO11")] == [0, 0, 0]
