"""The protocol dashboard's rules at their boundaries (issue 5, "Reports"; seed 002).

Given participants imported or recorded in a protocol, when the coordinator opens the report at a date,
then participants, new entrants, positive exits within the training cap, committee exits and rates
(4-decimal strings, rounded half-up) are what the definitions say."""

import csv
import io
import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command

from levier.accounts.enums import Role
from levier.core.errors import InvalidInput
from levier.pathways import participants as service
from levier.pathways.imports import COLUMNS, import_pathways
from levier.pathways.models import Pathway, Protocol
from levier.pathways.report import protocol_report, qualification_counts, rate, training_cap
from levier.territories.services import commune_by_code
from tests.factories import UnitFactory, user_with_role

OLD, NEW = "plie-pays-aix-2013-2017", "plie-pays-aix-2018-2022"


# ---------------------------------------------------------------- pure helpers


@pytest.mark.parametrize(("numerator", "denominator", "expected"), [
    (1, 3, "0.3333"), (2, 3, "0.6667"), (1, 8, "0.1250"), (0, 5, "0.0000"), (5, 5, "1.0000"), (7, 4, "1.7500"),
    (1, 20000, "0.0001"),  # exactly half: rounded up, not to even
    (3, 20000, "0.0002"), (1, 20001, "0.0000"), (1878, 6491, "0.2893"),
])
def test_rates_are_4_decimal_strings_rounded_half_up(numerator, denominator, expected):
    assert rate(numerator, denominator) == expected


def test_a_rate_without_participants_is_none():
    assert rate(0, 0) is None and rate(3, 0) is None


@pytest.mark.parametrize(("participants", "cap"), [(0, 0), (12, 0), (13, 1), (24, 1), (25, 2), (37, 2), (38, 3),
                                                   (100, 8), (6491, 519)])
def test_the_training_cap_is_the_floor_of_8_percent_of_participants(participants, cap):
    assert training_cap(participants, Decimal("0.08")) == cap
    assert training_cap(participants, Decimal("0.0800")) == cap


def test_qualification_levels_in_the_old_nomenclature():
    rows = [("IV", "1969", 3), ("Vbis", "1969", 2), ("VI", "1969", 1), ("3", "2019", 4), ("1", "2019", 5),
            ("2", "2019", 1), ("7", "2019", 1), ("8", "2019", 1), ("", "", 6)]

    counts = qualification_counts(rows, "1969")

    assert counts == {"I": 2, "II": 0, "III": 0, "IV": 3, "V": 4, "Vbis": 2, "VI": 1, "Vbis_VI": 9, "unknown": 6}


def test_qualification_levels_in_the_2019_nomenclature():
    rows = [("3", "2019", 4), ("IV", "1969", 2), ("V", "1969", 1), ("Vbis", "1969", 1), ("VI", "1969", 2),
            ("1", "2019", 3), ("I", "1969", 1), ("8", "2019", 2), ("", "", 1)]

    counts = qualification_counts(rows, "2019")

    # An old level is counted at its 2019 counterpart; V bis, VI and I, without one, under the grouped keys.
    assert counts == {"1": 3, "2": 0, "3": 5, "4": 2, "5": 0, "6": 0, "7": 0, "8": 2, "1_2": 6, "7_8": 3, "unknown": 1}


# ---------------------------------------------------------------- the report from participants



def row(n: int, **cells) -> dict:
    return {"external_id": f"P{n}", "last_name": f"Martin{n}", "first_name": "Louis", "sex": "M" if n % 2 else "F",
            "birth_date": (date(1975, 1, 1) + timedelta(days=n)).isoformat(), "commune_insee": "13001",
            "entry_date": "2018-03-01", **cells}


def load(protocol, tmp_path, rows, name="f.csv"):
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(COLUMNS), delimiter=";")
    writer.writeheader()
    writer.writerows(rows)
    path = tmp_path / name
    path.write_text(buffer.getvalue(), encoding="utf-8")
    import_pathways(protocol=protocol, path=path)


def exit_cells(kind: str, on: str, *, validated: str = "1", rsa: str = "0") -> dict:
    return {"exit_type": kind, "exit_date": on, "exit_validated": validated, "rsa": rsa}


@pytest.fixture
def later(pathways_reference):
    return Protocol.objects.get(slug=NEW)


@pytest.fixture
def coordinator(later):
    unit = UnitFactory()
    Protocol.objects.update(unit=unit)
    later.refresh_from_db()
    return user_with_role(Role.PLIE_COORDINATOR, unit)


@pytest.mark.django_db
def test_the_cap_bites_and_the_earliest_validated_training_exits_are_counted(later, tmp_path):
    rows = [row(n) for n in range(1, 26)]  # 25 participants: cap ⌊25 × 0.08⌋ = 2
    rows[0].update(exit_cells("training", "2019-03-01", rsa="0"))
    rows[1].update(exit_cells("training", "2019-02-01", rsa="1"))
    rows[2].update(exit_cells("training", "2019-04-01", rsa="1"))  # the latest: over the cap
    rows[3].update(exit_cells("cdi", "2019-05-01", rsa="1"))
    load(later, tmp_path, rows)

    report = protocol_report(later, as_of=date(2020, 6, 30))

    exits = report["positive_exits"]
    assert (exits["training"], exits["training_cap"], exits["training_counted"]) == (3, 2, 2)
    assert (exits["cdi"], exits["employment"], exits["total"]) == (1, 1, 3)
    assert exits["total_rsa"] == 2  # the CDI and the February training; not the April one
    assert (report["success_rate"], report["employment_rate"], report["training_rate"]) == ("0.1200", "0.0400", "0.0800")


@pytest.mark.django_db
def test_one_participant_fewer_and_the_cap_is_one(later, tmp_path):
    rows = [row(n) for n in range(1, 25)]  # 24: cap 1
    rows[0].update(exit_cells("training", "2019-03-01"))
    rows[1].update(exit_cells("training", "2019-02-01", rsa="1"))
    load(later, tmp_path, rows)

    exits = protocol_report(later, as_of=date(2020, 6, 30))["positive_exits"]

    assert (exits["training"], exits["training_cap"], exits["training_counted"], exits["total"], exits["total_rsa"]) == (
        2, 1, 1, 1, 1)


@pytest.mark.django_db
def test_under_the_cap_every_training_exit_counts(later, tmp_path):
    rows = [row(n) for n in range(1, 51)]  # 50: cap 4
    for n, on in enumerate(("2019-03-01", "2019-02-01", "2019-04-01")):
        rows[n].update(exit_cells("training", on, rsa="1"))
    load(later, tmp_path, rows)

    exits = protocol_report(later, as_of=date(2020, 6, 30))["positive_exits"]

    assert (exits["training"], exits["training_cap"], exits["training_counted"], exits["total_rsa"]) == (3, 4, 3, 3)


@pytest.mark.django_db
def test_exits_not_validated_or_validated_after_the_date_do_not_count(later, tmp_path):
    load(later, tmp_path, [
        row(1, **exit_cells("cdi", "2020-07-01")), row(2, **exit_cells("cdd", "2019-01-01", validated="0")),
        row(3, **exit_cells("interim", "2019-01-01", validated="")), row(4, **exit_cells("dropout", "2019-01-01")),
        row(5, **exit_cells("business_creation", "2020-06-30")),
    ])

    on_june_30 = protocol_report(later, as_of=date(2020, 6, 30))
    on_july_1 = protocol_report(later, as_of=date(2020, 7, 1))

    assert (on_june_30["positive_exits"]["total"], on_june_30["positive_exits"]["business_creation"]) == (1, 1)
    assert (on_july_1["positive_exits"]["total"], on_july_1["positive_exits"]["cdi"]) == (2, 1)
    assert on_june_30["breakdowns"]["exit_kind"] == {"business_creation": 1, "cdd": 1, "dropout": 1, "interim": 1}


@pytest.mark.django_db
def test_participants_are_pathways_open_on_one_day_of_the_period_new_entrants_entered_in_it(later, tmp_path):
    load(later, tmp_path, [
        row(1, entry_date="2017-03-01", exit_type="dropout", exit_date="2017-12-31"),  # closed the day before
        row(2, entry_date="2017-03-01", exit_type="dropout", exit_date="2018-01-01"),  # open on the first day
        row(3, entry_date="2017-03-01"),  # entered before, still in
        row(4, entry_date="2018-01-01"),
        row(5, entry_date="2020-06-30"),  # the report's date
        row(6, entry_date="2020-07-01"),  # not yet
    ])

    report = protocol_report(later, as_of=date(2020, 6, 30))

    assert (report["participants"], report["new_entrants"], report["active"]) == (4, 2, 3)
    assert (report["men"], report["women"]) == (2, 2)


@pytest.mark.django_db
def test_candidates_awaiting_or_refused_are_not_participants(later, coordinator):
    data = {"first_name": "Léa", "sex": "F", "birth_date": date(1990, 1, 1), "commune": commune_by_code("13001"),
            "entry_date": date(2019, 1, 7), "notice_given_on": date(2019, 1, 7), "consent_on": date(2019, 1, 7)}
    pending = service.register_participant(protocol=later, by=coordinator, entry=service.EntryInput(**{**data, "last_name": "Attente"})).pathway
    refused = service.register_participant(protocol=later, by=coordinator, entry=service.EntryInput(**{**data, "last_name": "Refus"})).pathway
    admitted = service.register_participant(protocol=later, by=coordinator, entry=service.EntryInput(**{**data, "last_name": "Admise"})).pathway
    service.decide_eligibility(pathway=refused, by=coordinator, eligible=False, criteria=[], reason="Hors public",
                               on=date(2019, 1, 10))
    service.decide_eligibility(pathway=admitted, by=coordinator, eligible=True, criteria=["senior"], on=date(2019, 1, 10))

    report = protocol_report(later, as_of=date(2019, 12, 31))

    assert pending.status == "pending" and (report["participants"], report["new_entrants"]) == (1, 1)


@pytest.mark.django_db
def test_committee_exits_count_in_their_category_and_in_by_committee(later, coordinator, tmp_path):
    load(later, tmp_path, [row(n) for n in range(1, 5)] + [row(5, **exit_cells("cdi", "2019-01-01", rsa="1"))])
    first, second, third, _fourth = Pathway.objects.filter(protocol=later, status="active").order_by("external_id")
    for pathway, category in ((first, "employment"), (second, "training"), (third, "business_creation")):
        service.record_committee_exit(pathway=pathway, by=coordinator, on=date(2019, 6, 3), category=category,
                                      reason="Décision du comité opérationnel du 3 juin 2019.")

    report = protocol_report(later, as_of=date(2020, 6, 30))

    exits = report["positive_exits"]
    assert exits["by_committee"] == 3
    assert (exits["cdi"], exits["business_creation"], exits["employment"]) == (1, 1, 3)
    assert (exits["training"], exits["training_counted"], exits["total"], exits["total_rsa"]) == (1, 0, 3, 1)


@pytest.mark.django_db
def test_a_carried_over_participant_counts_as_participant_not_new_entrant(pathways_reference, coordinator, tmp_path):
    old, later = Protocol.objects.get(slug=OLD), Protocol.objects.get(slug=NEW)
    load(old, tmp_path, [row(1, entry_date="2016-09-01"), row(2, entry_date="2016-09-01", exit_type="moved",
                                                              exit_date="2017-06-30")], name="old.csv")
    load(later, tmp_path, [row(3, entry_date="2018-02-01")], name="new.csv")

    assert service.carry_over(from_protocol=old, to_protocol=later, by=coordinator) == 1

    report = protocol_report(later, as_of=date(2018, 12, 31))
    assert (report["participants"], report["new_entrants"], report["carried_over"], report["active"]) == (2, 1, 1, 2)
    before = protocol_report(old, as_of=date(2018, 6, 30))
    assert (before["participants"], before["new_entrants"], before["carried_over"]) == (2, 2, 0)


@pytest.mark.django_db
def test_a_participant_already_in_the_next_protocol_is_not_carried_over_twice(pathways_reference, coordinator, tmp_path):
    old, later = Protocol.objects.get(slug=OLD), Protocol.objects.get(slug=NEW)
    load(old, tmp_path, [row(1, entry_date="2016-09-01"), row(2, entry_date="2016-09-01")], name="old.csv")
    load(later, tmp_path, [row(1, external_id="N1", entry_date="2018-02-01")], name="new.csv")  # attached to P1's person
    already = Pathway.objects.get(external_id="N1")

    with pytest.raises(InvalidInput) as exc:
        service.carry_over(from_protocol=old, to_protocol=later, by=coordinator)

    assert [e.message for e in exc.value.errors] == [
        f"MARTIN1 Louis a déjà un parcours dans PLIE du Pays d'Aix — protocole 2018-2022 (n° {already.pk}) : "
        "son parcours du protocole précédent n'est pas reporté."]
    assert set(Pathway.objects.filter(protocol=old).values_list("status", flat=True)) == {"active"}
    assert Pathway.objects.filter(protocol=later).count() == 1


@pytest.mark.django_db
def test_objectives_show_targets_and_achievements_as_the_report_counts_them(later, tmp_path):
    load(later, tmp_path, [row(1, **exit_cells("cdi", "2019-01-01", rsa="1")), row(2, rsa="1"), row(3, rsa="0")])

    objectives = protocol_report(later, as_of=date(2020, 6, 30))["objectives"]

    assert objectives["participants"] == {"label": "Participants accompagnés", "target": 5700, "achieved": 3}
    assert objectives["rsa"] == {"label": "Participants au RSA", "target": 3420, "achieved": 2, "target_rate": "0.6000",
                                 "achieved_rate": "0.6667"}
    assert objectives["success_rate"] == {"label": "Taux de sorties positives", "target": "0.5000", "achieved": "0.3333"}
    assert objectives["training_rate"]["achieved"] == "0.0000"


@pytest.mark.django_db
def test_an_empty_protocol_has_no_rates(later):
    report = protocol_report(later, as_of=date(2020, 6, 30))

    assert (report["participants"], report["success_rate"], report["positive_exits"]["training_cap"]) == (0, None, 0)


@pytest.mark.django_db
def test_levels_and_prescribers_unknown_when_not_given(later, tmp_path):
    load(later, tmp_path, [row(1, qualification_level="3", prescriber_type="France Travail"),
                           row(2, qualification_level="Vbis"), row(3)])

    report = protocol_report(later, as_of=date(2020, 6, 30))

    assert {k: v for k, v in report["qualification"].items() if v} == {"V": 1, "Vbis": 1, "Vbis_VI": 1, "unknown": 1}
    assert {k: v for k, v in report["prescribers"].items() if v} == {"pole_emploi": 1, "unknown": 2}


@pytest.mark.django_db
def test_the_report_command_prints_the_report(later, tmp_path, capsys):
    load(later, tmp_path, [row(1, **exit_cells("training", "2019-01-01")), row(2)])

    call_command("pathways", "report", "--protocol", NEW, "--as-of", "2020-06-30")

    assert json.loads(capsys.readouterr().out) == protocol_report(later, as_of=date(2020, 6, 30))
