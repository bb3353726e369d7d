"""Done-when of issue 5: a file built to match seed 002's 2013-2017 table, imported, gives its figures."""

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.core.management import call_command

from levier.pathways.imports import import_pathways
from levier.pathways.models import Protocol
from levier.pathways.report import protocol_report
from levier.pathways.seed_file import write_seed_file

pytestmark = pytest.mark.django_db


def percent(count, total) -> int:
    return int((Decimal(count) * 100 / Decimal(total)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


@pytest.fixture
def seed_report(pathways_reference, tmp_path):
    path = tmp_path / "plie-2013-2017.csv"
    write_seed_file(path)
    protocol = Protocol.objects.get(slug="plie-pays-aix-2013-2017")
    result = import_pathways(protocol=protocol, path=path)
    assert result.created == 6491
    return protocol_report(protocol, as_of=date(2018, 6, 30))


def test_the_imported_file_gives_seed_002_table(seed_report):
    report = seed_report
    assert report["participants"] == 6491
    assert (report["women"], report["men"]) == (3156, 3335)
    assert report["rsa"] == 4804
    assert report["qualification"]["IV"] == 1168
    assert report["qualification"]["V"] == 2012
    assert report["qualification"]["Vbis_VI"] == 2142
    prescribers = report["prescribers"]
    assert (prescribers["pole_insertion"], prescribers["pole_emploi"], prescribers["ccas"], prescribers["bme"]) == (
        389, 1882, 454, 1233)
    exits = report["positive_exits"]
    assert (exits["total"], exits["total_rsa"], exits["cdi"], exits["cdd"]) == (1878, 1314, 613, 833)
    objectives = report["objectives"]
    assert objectives["participants"] == {"label": "Participants accompagnés", "target": 5700, "achieved": 6491}
    assert (objectives["positive_exits"]["target"], objectives["positive_exits"]["achieved"]) == (2280, 1878)
    assert (objectives["positive_exits_rsa"]["target"], objectives["positive_exits_rsa"]["achieved"]) == (1254, 1314)


def test_the_seed_percentages_hold_with_half_up_rounding(seed_report):
    total = seed_report["participants"]
    assert percent(seed_report["long_term_unemployed"], total) == 76
    assert percent(seed_report["qpv"], total) == 12
    assert percent(seed_report["prescribers"]["caf"], total) == 23
    assert percent(seed_report["rsa"], total) == 74
    assert percent(seed_report["positive_exits"]["cdi"], seed_report["positive_exits"]["total"]) == 33
    assert percent(seed_report["positive_exits"]["cdd"], seed_report["positive_exits"]["total"]) == 44


def test_report_command_prints_the_same_figures(seed_report, capsys):
    import json

    call_command("pathways", "report", "--protocol", "plie-pays-aix-2013-2017", "--as-of", "2018-06-30")
    printed = json.loads(capsys.readouterr().out)
    assert printed["participants"] == seed_report["participants"]
    assert printed["positive_exits"] == seed_report["positive_exits"]
