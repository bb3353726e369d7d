"""The cases of issue 3 (profile: commune 94041, headcount 40, NAF 25.62B, as_of 2026-11-22 unless said)."""

from decimal import Decimal

import pytest

from levier.aids.services import simulate

pytestmark = pytest.mark.usefixtures("catalogue")
ESSONNE = "91228"  # Évry-Courcouronnes
GOSB = "94081"  # Vitry-sur-Seine, in Grand-Orly Seine Bièvre


def run(scheme, *, commune="94041", headcount=40, naf="25.62B", as_of="2026-11-22", **project):
    profile = {"as_of": as_of, "beneficiary": {"kind": "company", "commune": commune, "headcount": headcount, "naf": naf},
               "project": project}
    return next(r for r in simulate(profile)["results"] if r["scheme"] == scheme)


def amounts(result):
    return {c["kind"]: Decimal(c["amount"]) for c in result["components"]}


def test_alixio_two_jobs_is_ineligible():
    result = run("alixio", net_cdi_jobs_24m=2)
    assert result["status"] == "ineligible" and result["components"] == []


@pytest.mark.parametrize(
    ("jobs", "loan", "subsidy"),
    [(3, "45000", "5000"), (4, "60000", "5000"), (15, "225000", "25000"), (20, "225000", "25000")],
)
def test_alixio_loan_and_subsidy(jobs, loan, subsidy):
    result = run("alixio", net_cdi_jobs_24m=jobs)
    assert result["status"] == "eligible"
    assert amounts(result) == {"loan": Decimal(loan), "subsidy": Decimal(subsidy)}
    assert result["total_loans"] == f"{Decimal(loan):.2f}" and result["total_grants"] == f"{Decimal(subsidy):.2f}"


def test_alixio_explains_the_cap():
    loan = run("alixio", net_cdi_jobs_24m=20)["components"][0]
    assert loan["explanation"].startswith("Prêt : 15\u202f000\u00a0€ × 20 emplois = 300\u202f000\u00a0€, plafonné à 225\u202f000\u00a0€")
    assert "2023/2831" in loan["legal_basis"]


@pytest.mark.parametrize(("headcount", "status"), [(249, "eligible"), (250, "ineligible")])
def test_alixio_headcount_bound(headcount, status):
    assert run("alixio", headcount=headcount, net_cdi_jobs_24m=4)["status"] == status


@pytest.mark.parametrize(("cost", "expected"), [(12000, "12000"), (20000, "15000")])
def test_alixio_essonne_consulting_subsidy(cost, expected):
    result = run("alixio", commune=ESSONNE, net_cdi_jobs_24m=3, consulting_cost_eur=cost)
    assert amounts(result)["consulting_subsidy"] == Decimal(expected)


def test_alixio_essonne_needs_a_pmi():
    assert run("alixio", commune=ESSONNE, naf="62.01Z", net_cdi_jobs_24m=3)["status"] == "ineligible"


def test_alixio_essonne_without_consulting_cost_stays_eligible_without_that_component():
    result = run("alixio", commune=ESSONNE, net_cdi_jobs_24m=3)
    assert result["status"] == "eligible"
    assert "consulting_subsidy" not in amounts(result)
    assert "non renseigné" in result["excluded"][0]["reason"]


@pytest.mark.parametrize(("as_of", "status"), [("2023-12-31", "eligible"), ("2024-01-01", "ineligible")])
def test_katalyse_closed_since_2024(as_of, status):
    result = run("katalyse", as_of=as_of, investment_eur=120000)
    assert result["status"] == status
    if status == "eligible":
        assert [(c["kind"], c["amount"], c["unit"]) for c in result["components"]] == [
            ("consulting_days", "10", "days"), ("investment_subsidy", "60000.00", "EUR")]
        assert result["total_grants"] == "60000.00"  # days are not money
    else:
        assert result["reasons"][0] == "Dispositif ouvert jusqu'au 31/12/2023"


@pytest.mark.parametrize(("headcount", "status"), [(49, "eligible"), (50, "ineligible")])
def test_appui_rh_under_50_employees_of_gosb(headcount, status):
    assert run("appui-rh-tpe-pme", commune=GOSB, headcount=headcount)["status"] == status


def test_missing_headcount_makes_alixio_incomplete():
    profile = {"as_of": "2026-11-22", "beneficiary": {"kind": "company", "commune": "94041", "naf": "25.62B"},
               "project": {"net_cdi_jobs_24m": 4}}
    result = next(r for r in simulate(profile)["results"] if r["scheme"] == "alixio")
    assert result["status"] == "incomplete" and "beneficiary.headcount" in result["missing"]


def test_results_are_ordered_and_count_schemes_out_of_perimeter():
    body = simulate({"as_of": "2026-11-22", "beneficiary": {"kind": "company", "commune": "94041", "headcount": 40,
                                                          "naf": "25.62B"}, "project": {"net_cdi_jobs_24m": 4}})
    statuses = [r["status"] for r in body["results"]]
    assert statuses == sorted(statuses, key=["eligible", "incomplete", "ineligible"].index)
    assert body["results"][0]["scheme"] == "alixio"
    # Ivry-sur-Seine (94041) is in Val-de-Marne and in Grand-Orly Seine Bièvre.
    assert {r["scheme"] for r in body["results"]} == {"alixio", "katalyse", "reboost", "appui-rh-tpe-pme"}
    assert body["out_of_perimeter"] == 5


def test_fabrique_a_entreprendre_for_a_project_holder_of_a_qpv_in_2016():
    profile = {"as_of": "2016-06-01", "beneficiary": {"kind": "project_holder", "residence_commune": "62498",
                                                    "residence_qpv": True}}
    result = next(r for r in simulate(profile)["results"] if r["scheme"] == "fabrique-a-entreprendre-pas-de-calais")
    assert result["status"] == "eligible" and result["descriptive"]
    profile["as_of"] = "2018-01-01"
    result = next(r for r in simulate(profile)["results"] if r["scheme"] == "fabrique-a-entreprendre-pas-de-calais")
    assert result["reasons"][0] == "Dispositif ouvert jusqu'au 31/12/2017"
