"""The exit classification through the API and the command line: same JSON, same errors."""

import json

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
