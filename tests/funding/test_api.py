"""Funding API: scoped reads and the instruction's transitions with the shared error body."""

from tests.factories import login


def test_transitions_through_the_api(client, world):
    login(client, world["instructor"])
    url = f"/api/v1/funding/applications/{world['instruction'].pk}/transitions"
    response = client.post(url, {"action": "start"}, content_type="application/json")
    assert response.status_code == 200 and response.json()["status"] == "under_instruction"
    assert "declare_eligible" in response.json()["allowed_actions"]
    refused = client.post(url, {"action": "declare_ineligible", "reason": ""}, content_type="application/json")
    assert refused.status_code == 400
    assert refused.json() == {"errors": [{"field": "reason", "message": "Le motif est obligatoire : le demandeur doit savoir pourquoi."}]}
    wrong_state = client.post(url, {"action": "sign_agreement"}, content_type="application/json")
    assert wrong_state.status_code == 400 and wrong_state.json()["errors"][0]["field"] == "action"


def test_the_applicant_cannot_instruct_and_reads_only_its_own(client, world):
    login(client, world["applicant"])
    url = f"/api/v1/funding/applications/{world['instruction'].pk}/transitions"
    assert client.post(url, {"action": "start"}, content_type="application/json").status_code == 403
    listing = client.get("/api/v1/funding/applications/").json()
    assert [row["number"] for row in listing["results"]] == [world["instruction"].application.number]
    assert listing["results"][0]["allowed_actions"] == ["withdraw"]
    funds = client.get("/api/v1/funding/funds/").json()
    assert funds["results"] == []  # a company sees no fund's accounts


def test_fund_balances_come_from_the_ledger(client, world):
    login(client, world["instructor"])
    fund = client.get("/api/v1/funding/funds/fonds-94/").json()
    assert fund["balance"] == {"received": "500000.00", "allocated": "500000.00", "returned": "0.00", "available": "0.00"}
