"""The exit classification through the API and the command line: same JSON, same errors."""

import json
from decimal import Decimal

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db
CASE = {"kind": "interim", "start_date": "2024-01-15", "as_of": "2024-08-01", "end_date": None,
        "interim_hours": [{"month": f"2024-{m:02d}", "hours": "104"} for m in range(1, 7)], "protocol": "plie-pays-aix-2018-2022"}


def test_api_and_cli_answer_the_same(client, tmp_path, capsys):
    response = client.post("/api/v1/pathways/exit-classification", CASE, content_type="application/json")
    assert response.status_code == 200
    body = response.json()
    assert body["outcome"] == "positive" and body["category"] == "employment" and body["validated_on"] == "2024-06-30"
    path = tmp_path / "case.json"
    path.write_text(json.dumps(CASE))
    call_command("pathways", "classify-exit", str(path))
    assert json.loads(capsys.readouterr().out) == body


def test_micro_entrepreneur_threshold_uses_the_smic_table(client):
    case = {"kind": "business_creation", "start_date": "2024-01-15", "as_of": "2024-08-01", "micro_entrepreneur": True,
            "monthly_income_eur": 883.46}
    assert client.post("/api/v1/pathways/exit-classification", case, content_type="application/json").json()["outcome"] == "positive"
    case["monthly_income_eur"] = "883.45"
    assert client.post("/api/v1/pathways/exit-classification", case, content_type="application/json").json()["outcome"] == "not_positive"


@pytest.mark.parametrize(("case", "field"), [
    ({"kind": "job", "start_date": "2024-01-15", "as_of": "2024-08-01"}, "kind"),
    ({"kind": "cdi", "start_date": "2024-02-30", "as_of": "2024-08-01", "hours_per_month": 80}, "start_date"),
    ({"kind": "cdi", "start_date": "2024-01-15", "as_of": "2024-08-01", "hours_per_month": -1}, "hours_per_month"),
    ({"kind": "cdd", "start_date": "2024-01-15", "as_of": "2024-08-01", "hours_per_month": 80}, "end_date"),
    ({**CASE, "interim_hours": [{"month": "2024-09", "hours": 10}]}, "interim_hours[0].month"),
    ({**CASE, "protocol": "plie-inconnu"}, "protocol"),
    ({**CASE, "start_date": "20240115"}, "start_date"),  # AAAA-MM-JJ only
    ({**CASE, "interim_hours": [{"month": "2024-1", "hours": 10}]}, "interim_hours[0].month"),
    ({**CASE, "interim_hours": [{"month": "2024-01"}]}, "interim_hours[0].hours"),
    ({"kind": "business_creation", "start_date": "1990-01-15", "as_of": "1991-01-01", "micro_entrepreneur": True,
      "monthly_income_eur": "500"}, "start_date"),  # no SMIC known at V
])
def test_bad_input_gives_the_error_body_and_exit_code_2(client, tmp_path, case, field, capsys):
    response = client.post("/api/v1/pathways/exit-classification", case, content_type="application/json")
    assert response.status_code == 400
    assert field in [e["field"] for e in response.json()["errors"]]
    path = tmp_path / "case.json"
    path.write_text(json.dumps(case))
    with pytest.raises(SystemExit) as exc:
        call_command("pathways", "classify-exit", str(path))
    assert exc.value.code == 2
    assert field in [e["field"] for e in json.loads(capsys.readouterr().err)["errors"]]


def test_the_seed_protocols_and_their_objectives(capsys):
    from levier.pathways.models import Protocol

    call_command("pathways", "load-reference")
    call_command("pathways", "load-reference")  # idempotent
    later = Protocol.objects.get(slug="plie-pays-aix-2018-2022")
    assert later.previous.slug == "plie-pays-aix-2013-2017" and later.territory.code == "pays-aix"
    assert {o.key: (o.target, o.rate) for o in later.objectives.all()} == {
        "participants": (5700, None), "rsa": (3420, Decimal("0.6000")), "success_rate": (None, Decimal("0.5000")),
        "employment_rate": (None, Decimal("0.4200")), "training_rate": (None, Decimal("0.0800"))}
    assert [o.target for o in Protocol.objects.get(slug="plie-pays-aix-2013-2017").objectives.all()] == [5700, 3420, 2280, 1254]
    # A protocol's own parameters drive the classification.
    Protocol.objects.filter(pk=later.pk).update(min_hours_per_month=Decimal("100"))
    from levier.pathways.services import classify

    case = {"kind": "cdi", "start_date": "2024-01-15", "as_of": "2024-08-01", "hours_per_month": 80}
    assert classify(case)["outcome"] == "positive"
    assert classify({**case, "protocol": "plie-pays-aix-2018-2022"})["outcome"] == "not_positive"


def test_unreadable_json_body_is_refused_in_french_naming_the_body(client):
    response = client.post("/api/v1/pathways/exit-classification", '{"kind": "cdi",', content_type="application/json")

    assert response.status_code == 400
    assert response.json() == {"errors": [{"field": "body", "message": "Corps de la requête illisible : JSON invalide "
                                                                       "(ligne 1, colonne 16)."}]}
