"""The rules evaluator, without database: every operator, combinations, components, validation."""

from datetime import date
from decimal import Decimal

import pytest

from levier.aids.facts import Facts
from levier.aids.rules import check, evaluate, validate_rules

AS_OF = date(2026, 11, 22)


def facts(places=(), **values):
    mapped = {k.replace("__", "."): v for k, v in values.items()}
    return Facts(as_of=AS_OF, values=mapped, places=frozenset(places), has_place=bool(places))


@pytest.mark.parametrize(
    ("op", "value", "actual", "holds"),
    [("eq", 3, 3, True), ("ne", 3, 3, False), ("lt", 50, 49, True), ("lt", 50, 50, False), ("lte", 50, 50, True),
     ("gt", 2, 3, True), ("gte", 3, 3, True), ("gte", 3, 2, False), ("in", ["company"], "company", True),
     ("not_in", ["company"], "company", False)],
)
def test_comparison_operators(op, value, actual, holds):
    fact = "beneficiary.kind" if op in ("in", "not_in") else "project.net_cdi_jobs_24m"
    assert check({"fact": fact, "op": op, "value": value}, facts(**{fact.replace(".", "__"): actual}), {}).holds is holds


def test_a_missing_fact_leaves_the_condition_undecided_and_names_it():
    outcome = check({"fact": "beneficiary.headcount", "op": "lt", "value": 50}, facts(), {})
    assert outcome.holds is None and outcome.missing == ("beneficiary.headcount",)


def test_all_any_not_in_three_valued_logic():
    yes = {"fact": "project.net_cdi_jobs_24m", "op": "gte", "value": 1}
    no = {"fact": "project.net_cdi_jobs_24m", "op": "gte", "value": 99}
    unknown = {"fact": "beneficiary.headcount", "op": "lt", "value": 50}
    f = facts(project__net_cdi_jobs_24m=3)
    assert check({"all": [yes, unknown]}, f, {}).holds is None
    assert check({"all": [no, unknown]}, f, {}).holds is False  # a failing condition decides
    assert check({"any": [yes, unknown]}, f, {}).holds is True
    assert check({"any": [no, unknown]}, f, {}).holds is None
    assert check({"not": no}, f, {}).holds is True
    assert check({"not": unknown}, f, {}).holds is None


def test_territory_membership_uses_the_places_at_as_of():
    condition = {"territory": {"kind": "departement", "code": "94"}}
    assert check(condition, facts(places={("departement", "94")}), {}).holds is True
    assert check(condition, facts(places={("departement", "91")}), {}).holds is False
    assert check(condition, facts(), {}).missing == ("beneficiary.commune",)


@pytest.mark.parametrize(
    ("headcount", "turnover", "balance", "naf", "pme", "pmi"),
    [(40, None, None, "25.62B", True, True), (40, None, None, "62.01Z", True, False),
     (250, None, None, "25.62B", False, False), (100, "60000000", None, "25.62B", None, None),
     (100, "60000000", "40000000", "25.62B", True, True)],
)
def test_pme_and_pmi_definitions(headcount, turnover, balance, naf, pme, pmi):
    f = facts(beneficiary__headcount=Decimal(headcount), beneficiary__naf=naf,
              beneficiary__turnover_eur=Decimal(turnover) if turnover else None,
              beneficiary__balance_sheet_eur=Decimal(balance) if balance else None)
    assert check({"size": "pme"}, f, {}).holds is pme
    assert check({"size": "pmi"}, f, {"pmi_sections": ["C"]}).holds is pmi


def test_pmi_sections_are_stored_on_the_rule():
    f = facts(beneficiary__headcount=Decimal(40), beneficiary__naf="62.01Z")
    assert check({"size": "pmi"}, f, {"pmi_sections": ["C", "J"]}).holds is True


RULES = {
    "eligibility": {"fact": "project.net_cdi_jobs_24m", "op": "gte", "value": 3},
    "components": [
        {"key": "loan", "kind": "loan", "per_unit": "15000", "units": "project.net_cdi_jobs_24m", "units_label": "emploi", "cap": "225000"},
        {"key": "subsidy", "kind": "subsidy", "per_unit": "5000", "units": "project.net_cdi_jobs_24m",
         "fraction": {"numerator": 1, "denominator": 3}, "cap": "25000", "requires": ["loan"]},
        {"key": "extra", "kind": "consulting_subsidy", "base": "project.consulting_cost_eur", "cap": "15000",
         "requires": ["loan"], "condition": {"territory": {"kind": "departement", "code": "91"}}},
        {"key": "share", "kind": "investment_subsidy", "base": "project.investment_eur", "share": "0.4", "cap": "10000"},
    ],
}


@pytest.mark.parametrize(("jobs", "subsidy"), [(3, "5000"), (5, "5000"), (6, "10000"), (17, "25000")])
def test_fraction_of_units_rounded_down_then_capped(jobs, subsidy):
    result = evaluate(RULES, facts(project__net_cdi_jobs_24m=jobs))
    assert {c.key: c.amount for c in result.components}["subsidy"] == Decimal(subsidy)


def test_share_of_a_base_with_cap_and_sub_perimeter():
    inside = evaluate(RULES, facts({("departement", "91")}, project__net_cdi_jobs_24m=3,
                                   project__consulting_cost_eur=Decimal("9000"), project__investment_eur=Decimal("20000")))
    amounts = {c.key: c.amount for c in inside.components}
    assert amounts["extra"] == Decimal("9000.00") and amounts["share"] == Decimal("8000.00")
    outside = evaluate(RULES, facts({("departement", "94")}, project__net_cdi_jobs_24m=3,
                                    project__consulting_cost_eur=Decimal("9000"), project__investment_eur=Decimal("40000")))
    amounts = {c.key: c.amount for c in outside.components}
    assert "extra" not in amounts and amounts["share"] == Decimal("10000.00")
    assert outside.total_grants == Decimal("15000.00") and outside.total_loans == Decimal("45000.00")


def test_only_together_with_another_component():
    rules = {"components": [
        {"key": "loan", "kind": "loan", "per_unit": "15000", "units": "project.net_cdi_jobs_24m",
         "condition": {"fact": "beneficiary.kind", "op": "eq", "value": "company"}},
        {"key": "subsidy", "kind": "subsidy", "fixed": "1000", "requires": ["loan"]},
    ]}
    result = evaluate(rules, facts(project__net_cdi_jobs_24m=3, beneficiary__kind="association"))
    assert result.components == [] and "Seulement avec : loan" in result.excluded[1].reason


def test_closed_and_not_yet_open_schemes():
    closed = evaluate(RULES, facts(project__net_cdi_jobs_24m=3), closes_on=date(2023, 12, 31))
    assert closed.status == "ineligible" and closed.reasons == ["Dispositif ouvert jusqu'au 31/12/2023"]
    assert evaluate(RULES, facts(project__net_cdi_jobs_24m=3), closes_on=AS_OF).status == "eligible"
    future = evaluate(RULES, facts(project__net_cdi_jobs_24m=3), opens_on=date(2027, 1, 1))
    assert future.reasons == ["Dispositif ouvert à partir du 01/01/2027"]


@pytest.mark.parametrize(
    ("rules", "field"),
    [
        ({"eligibility": {"fact": "beneficiary.age", "op": "gte", "value": 1}}, "rules.eligibility.fact"),
        ({"eligibility": {"fact": "beneficiary.headcount", "op": "between", "value": 1}}, "rules.eligibility.op"),
        ({"eligibility": {"fact": "beneficiary.headcount", "op": "lt", "value": "cinquante"}}, "rules.eligibility.value"),
        ({"components": [{"key": "a", "kind": "loan", "fixed": "10", "cap": "-1"}]}, "rules.components[0].cap"),
        ({"components": [{"key": "a", "kind": "gift", "fixed": "10"}]}, "rules.components[0].kind"),
        ({"components": [{"key": "a", "kind": "loan", "fixed": "10", "requires": ["b"]}]}, "rules.components[0].requires"),
        ({"components": [{"key": "a", "kind": "loan", "per_unit": "10", "units": "beneficiary.naf"}]}, "rules.components[0].units"),
        ({"components": [{"key": "a", "kind": "loan", "fixed": 10.5}]}, "rules.components[0].fixed"),
        ({"eligibility": {"all": []}}, "rules.eligibility.all"),
        ({"eligibility": {"territory": {"kind": "planet", "code": "x"}}}, "rules.eligibility.territory"),
        ({"formula": "__import__('os')"}, "rules.formula"),
    ],
)
def test_invalid_rules_are_refused_with_their_path(rules, field):
    assert field in [e.field for e in validate_rules(rules)]


def test_seed_rules_are_valid():
    import json

    from levier.aids.services import REFERENCE_FILE

    for scheme in json.loads(REFERENCE_FILE.read_text())["schemes"]:
        assert validate_rules(scheme["rules"]) == [], scheme["slug"]


def test_identical_records_are_shared_and_evaluated_once_per_applicant():
    import json

    from levier.aids.rules import Evaluator, compile_rules

    pme = {"size": "pme"}
    first = compile_rules(json.dumps({"eligibility": {"all": [pme, {"fact": "project.net_cdi_jobs_24m", "op": "gte", "value": 3}]}}))
    second = compile_rules(json.dumps({"eligibility": {"all": [pme, {"fact": "project.net_cdi_jobs_24m", "op": "gte", "value": 5}]}}))
    assert first["eligibility"]["all"][0] is second["eligibility"]["all"][0]  # one shared "PME" record
    evaluator = Evaluator(facts(beneficiary__headcount=40, project__net_cdi_jobs_24m=4))
    # Same shared condition, different thresholds: each document still gets its own answer.
    assert evaluator.evaluate(first, opens_on=None, closes_on=None).status == "eligible"
    assert evaluator.evaluate(second, opens_on=None, closes_on=None).status == "ineligible"
    assert evaluator.evaluate(first, opens_on=None, closes_on=date(2023, 12, 31)).status == "ineligible"
    shared, definitions = first["eligibility"]["all"][0], {}
    assert evaluator.check(shared, definitions) is evaluator.check(second["eligibility"]["all"][0], definitions)
