"""Search, versions, API and command line of the aid catalogue."""

import json
from datetime import date
from io import StringIO

import pytest
from django.utils.html import escape
from django.core.management import call_command
from rest_framework.test import APIClient

from levier.accounts.enums import Role
from levier.aids.models import Scheme, SchemeVersion
from levier.aids.search import SearchQuery, search
from levier.aids.services import version_in_effect
from levier.territories.models import Territory
from tests.factories import user_with_role

pytestmark = pytest.mark.usefixtures("catalogue")


def slugs(text, **filters):
    return [s.slug for s in search(SearchQuery(text=text, **filters)).schemes]


@pytest.mark.parametrize("text", ["prêt emploi Val-de-Marne", "pret emploi val de marne", "PRET EMPLOIS"])
def test_search_with_and_without_accents_puts_alixio_first(text):
    assert slugs(text)[0] == "alixio"


def test_search_prefixes_and_plural():
    assert "appui-rh-tpe-pme" in slugs("entreprises ressources humaines")
    assert "katalyse" in slugs("industrie")
    assert slugs("zzzzqqq") == []


def test_filters_and_facets():
    result = search(SearchQuery(beneficiary_kind="association"))
    assert [s.slug for s in result.schemes] == ["france-active-relais-tresorerie"]
    marseille = Territory.objects.get(kind="arrondissement", code="13201")
    in_marseille = {s.slug for s in search(SearchQuery(place=marseille)).schemes}
    assert "france-active-relais-tresorerie" in in_marseille and "alixio" not in in_marseille
    open_now = {s.slug for s in search(SearchQuery(open_on=date(2026, 11, 22))).schemes}
    assert "katalyse" not in open_now and "alixio" in open_now
    facets = dict((k, n) for k, _label, n in search(SearchQuery()).facets["beneficiary_kind"])
    assert facets["company"] == 7


def test_closed_scheme_stays_visible_as_closed(client):
    assert Scheme.objects.get(slug="katalyse").status == "closed"
    html = client.get("/aides/katalyse/").content.decode()
    assert "Dispositif clos" in html and "31/12/2023" in html


def test_the_version_in_effect_is_chosen_by_date():
    alixio = Scheme.objects.get(slug="alixio")
    SchemeVersion.objects.create(scheme=alixio, number=2, effective_from=date(2027, 1, 1), published=True,
                                 rules={"eligibility": {"fact": "project.net_cdi_jobs_24m", "op": "gte", "value": 5}, "components": []})
    assert version_in_effect(alixio, date(2026, 12, 31)).number == 1
    assert version_in_effect(alixio, date(2027, 1, 1)).number == 2
    client = APIClient()
    body = client.post("/api/v1/aids/simulate", {"as_of": "2027-01-01", "beneficiary": {"kind": "company", "commune": "94041",
                       "headcount": 40, "naf": "25.62B"}, "project": {"net_cdi_jobs_24m": 4}}, format="json").json()
    alixio_result = next(r for r in body["results"] if r["scheme"] == "alixio")
    assert alixio_result["rules_version"] == 2 and alixio_result["status"] == "ineligible"


def test_the_simulator_follows_rules_saved_again_and_versions_published_later():
    """The simulator reads each scheme's published versions from the scheme row and its rules by
    digest: a version saved again (reference reload) or added must be seen at once."""
    from levier.aids.services import simulate

    profile = {"as_of": "2026-11-22", "beneficiary": {"kind": "company", "commune": "94041", "headcount": 40,
                                                      "naf": "25.62B"}, "project": {"net_cdi_jobs_24m": 4}}

    def alixio_result():
        return next(r for r in simulate(profile, record=False)["results"] if r["scheme"] == "alixio")

    assert alixio_result()["status"] == "eligible"
    first = SchemeVersion.objects.get(scheme__slug="alixio", number=1)
    first.rules = {"eligibility": {"fact": "project.net_cdi_jobs_24m", "op": "gte", "value": 10}, "components": []}
    first.save(update_fields=["rules"])
    assert alixio_result()["status"] == "ineligible"
    SchemeVersion.objects.create(scheme=first.scheme, number=2, effective_from=date(2026, 11, 1), published=True,
                                 rules={"components": [], "descriptive": "Montants non publiés."})
    result = alixio_result()
    assert (result["status"], result["rules_version"], result["descriptive"]) == ("eligible", 2, "Montants non publiés.")
    SchemeVersion.objects.filter(scheme__slug="alixio", number=2).get().delete()
    assert alixio_result()["rules_version"] == 1


def test_api_simulate_gives_the_cases():
    response = APIClient().post("/api/v1/aids/simulate", {
        "as_of": "2026-11-22", "beneficiary": {"kind": "company", "commune": "94041", "headcount": 40, "naf": "25.62B"},
        "project": {"net_cdi_jobs_24m": "4"}}, format="json")
    assert response.status_code == 200
    alixio = response.json()["results"][0]
    assert alixio["scheme"] == "alixio" and alixio["total_loans"] == "60000.00" and alixio["total_grants"] == "5000.00"


def test_api_simulate_bad_input_lists_every_field():
    response = APIClient().post("/api/v1/aids/simulate", {
        "beneficiary": {"kind": "robot", "commune": "99999", "headcount": "beaucoup", "colour": "bleu"},
        "project": {"net_cdi_jobs_24m": 2.5}}, format="json")
    assert response.status_code == 400
    fields = {e["field"] for e in response.json()["errors"]}
    assert fields == {"beneficiary.kind", "beneficiary.commune", "beneficiary.headcount", "beneficiary.colour",
                      "project.net_cdi_jobs_24m"}


def test_command_simulate_prints_the_same_json(tmp_path):
    profile = tmp_path / "profil.json"
    profile.write_text(json.dumps({"as_of": "2026-11-22", "beneficiary": {"kind": "company", "commune": "94041",
                                   "headcount": 40, "naf": "25.62B"}, "project": {"net_cdi_jobs_24m": 15}}))
    out = StringIO()
    call_command("aids", "simulate", str(profile), stdout=out)
    body = json.loads(out.getvalue())
    alixio = body["results"][0]
    assert [(c["kind"], c["amount"]) for c in alixio["components"]] == [("loan", "225000.00"), ("subsidy", "25000.00")]


def test_command_simulate_bad_input_exits_2(tmp_path, capsys):
    profile = tmp_path / "profil.json"
    profile.write_text(json.dumps({"beneficiary": {"kind": "company", "commune": "2C004"}}))
    with pytest.raises(SystemExit) as exit_info:
        call_command("aids", "simulate", str(profile))
    assert exit_info.value.code == 2
    assert json.loads(capsys.readouterr().err)["errors"][0]["field"] == "beneficiary.commune"


def test_loading_the_reference_twice_changes_nothing():
    before = (Scheme.objects.count(), SchemeVersion.objects.count())
    call_command("aids", "load-reference", stdout=StringIO())
    assert (Scheme.objects.count(), SchemeVersion.objects.count()) == before


def test_simulator_page_shows_amounts_and_reasons(client):
    response = client.post("/aides/simulateur/", {"kind": "company", "commune": "94041", "headcount": "40",
                                                   "naf": "25.62B", "net_cdi_jobs_24m": "4"})
    html = response.content.decode()
    assert "Prêt : 15\u202f000\u00a0€ × 4 emplois = 60\u202f000\u00a0€" in html
    assert "Éligible" in html


@pytest.mark.postgres
def test_french_stemming_on_postgresql():
    """'créations' and 'industries' find 'création' and 'industrie' through the French stemmer."""
    assert "alixio" in slugs("créations")
    assert "katalyse" in slugs("industries")


def test_filter_by_operator_and_financer():
    from levier.organisations.models import Organisation

    alixio = Organisation.objects.get(reference_key="alixio")
    cdc = Organisation.objects.get(reference_key="caisse-des-depots")
    assert slugs("", operator_id=alixio.id) == ["alixio"]
    assert slugs("", financer_id=cdc.id) == ["fabrique-a-entreprendre-pas-de-calais"]


def test_simulator_page_shows_the_totals_one_can_expect(client):
    html = client.post("/aides/simulateur/", {"kind": "company", "commune": "94041", "headcount": "40", "naf": "25.62B",
                                              "net_cdi_jobs_24m": "4"}).content.decode()
    assert "jusqu'à <strong>5\u202f000\u00a0€</strong> de subventions et <strong>60\u202f000\u00a0€</strong> de prêts" in html


def test_search_page_filters_by_postcode_and_paginates(client):
    html = client.get("/aides/", {"place": "13001"}).content.decode()  # postcode of Marseille 1er
    assert "pour Marseille 1er Arrondissement" in html
    assert '/aides/france-active-relais-tresorerie/"' in html and '/aides/alixio/"' not in html


def test_fabrique_for_a_resident_of_artois_comm_in_2016():
    profile = {"as_of": "2016-06-01", "beneficiary": {"kind": "project_holder", "residence_commune": "62119",
                                                    "residence_qpv": True}}
    result = next(r for r in simulate_body(profile) if r["scheme"] == "fabrique-a-entreprendre-pas-de-calais")
    assert result["status"] == "eligible"


def simulate_body(profile):
    from levier.aids.services import simulate

    return simulate(profile)["results"]


def test_sector_filter_keeps_schemes_open_to_every_sector():
    manufacturing = set(slugs("", sector="C"))
    services_sector = set(slugs("", sector="J"))
    assert "katalyse" in manufacturing and "katalyse" not in services_sector
    assert "alixio" in manufacturing and "alixio" in services_sector


def test_a_perimeter_of_qpv_contains_the_communes_of_those_qpv():
    from levier.aids.services import simulate
    from levier.territories.models import Qpv

    scheme = Scheme.objects.get(slug="reboost")
    scheme.perimeter.clear()
    scheme.perimeter_qpvs.set([Qpv.objects.get(code="QP094012")])  # Les Hautes Noues, Vitry-sur-Seine
    inside = simulate({"as_of": "2026-11-22", "beneficiary": {"kind": "company", "commune": "94081"}})
    outside = simulate({"as_of": "2026-11-22", "beneficiary": {"kind": "company", "commune": "94041"}})
    assert "reboost" in [r["scheme"] for r in inside["results"]]
    assert "reboost" not in [r["scheme"] for r in outside["results"]]


def test_simulate_makes_the_same_number_of_queries_for_5_or_25_schemes():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from django.core.cache import cache

    from levier.aids.services import forget_compiled_rules, simulate

    profile = {"as_of": "2026-11-22", "beneficiary": {"kind": "company", "commune": "94041", "headcount": 40}}
    cache.clear()  # both calls start cold: no cached place, catalogue size nor compiled rules
    forget_compiled_rules()
    with CaptureQueriesContext(connection) as few:
        simulate(profile)
    val_de_marne = Territory.objects.get(kind="departement", code="94")
    alixio = Scheme.objects.get(slug="alixio")
    for n in range(20):
        extra = Scheme.objects.create(slug=f"aide-{n}", name=f"Aide {n}", summary="x", operator=alixio.operator,
                                      status="published", beneficiary_kinds=["company"], aid_kinds=["subsidy"])
        extra.perimeter.set([val_de_marne])
        SchemeVersion.objects.create(scheme=extra, number=1, rules={"components": []}, published=True)
    cache.clear()
    forget_compiled_rules()
    with CaptureQueriesContext(connection) as many:
        body = simulate(profile)
    assert len(body["results"]) == 24
    assert body["out_of_perimeter"] == Scheme.objects.public().count() - 24
    assert len(many) == len(few)


def test_each_simulation_is_counted_for_the_schemes_it_evaluated():
    from levier.aids.models import SimulationCount
    from levier.aids.services import simulate

    profile = {"as_of": "2026-11-22", "beneficiary": {"kind": "company", "commune": "94041", "headcount": 40}}
    simulate(profile)
    simulate(profile)
    alixio = Scheme.objects.get(slug="alixio")
    assert SimulationCount.objects.get(scheme=alixio, day=date(2026, 11, 22)).count == 2
    assert not SimulationCount.objects.filter(scheme__slug="france-active-relais-tresorerie").exists()


def test_simulation_counts_are_batched_and_written_before_the_statistics_are_read(settings):
    from levier.aids import simulation_counts
    from levier.aids.backoffice import statistics
    from levier.aids.models import SimulationCount
    from levier.aids.services import simulate

    settings.LEVIER_SIMULATION_FLUSH_SECONDS = 3600
    profile = {"as_of": "2026-11-22", "beneficiary": {"kind": "company", "commune": "94041", "headcount": 40}}
    simulate(profile)
    simulate(profile)
    assert not SimulationCount.objects.exists()  # counted in memory, not written per anonymous request
    alixio = Scheme.objects.get(slug="alixio")
    assert statistics([alixio])[alixio.id]["simulations"] == 2
    simulation_counts.flush()
    assert SimulationCount.objects.get(scheme=alixio).count == 2  # written once, not twice


def test_the_cached_catalogue_size_is_dropped_when_a_scheme_changes():
    """A scheme published elsewhere (in the Bouches-du-Rhône) counts at once among those out of perimeter."""
    from levier.aids import backoffice
    from levier.aids.services import simulate
    from tests.factories import UnitFactory

    profile = {"as_of": "2026-11-22", "beneficiary": {"kind": "company", "commune": "94041", "headcount": 40}}
    before = simulate(profile)
    assert before["out_of_perimeter"] == Scheme.objects.public().count() - len(before["results"])
    bouches_du_rhone = Territory.objects.get(kind="departement", code="13")
    operator_unit, editors = UnitFactory(name="Aides du 13"), UnitFactory(name="Éditeurs 13")
    editors.territories.set([bouches_du_rhone])
    operator = user_with_role(Role.OPERATOR_INSTRUCTOR, operator_unit)
    scheme = backoffice.create_scheme(
        by=operator, unit=operator_unit, perimeter=[bouches_du_rhone],
        values={"name": "Prime provençale", "summary": "Une prime", "beneficiary_kinds": ["company"],
                "aid_kinds": ["subsidy"]},
        rules={"components": [{"key": "prime", "kind": "subsidy", "label": "Prime", "fixed": "3000"}]})
    backoffice.ask_review(scheme=scheme, by=operator)
    backoffice.publish(scheme=scheme, by=user_with_role(Role.CATALOGUE_EDITOR, editors), on=date(2026, 11, 1))
    after = simulate(profile)
    assert len(after["results"]) == len(before["results"])
    assert after["out_of_perimeter"] == before["out_of_perimeter"] + 1


def test_schemes_that_decide_alike_keep_their_own_names_texts_and_dates():
    """Schemes whose rules differ only by their descriptive text share one evaluation: each result
    still carries its own scheme, name, version and text — and a closed one is told apart."""
    from levier.aids.services import simulate

    val_de_marne = Territory.objects.get(kind="departement", code="94")
    operator = Scheme.objects.get(slug="alixio").operator
    eligibility = {"fact": "beneficiary.headcount", "op": "lt", "value": 50}
    for n, closes_on in ((1, None), (2, None), (3, date(2025, 12, 31))):
        scheme = Scheme.objects.create(slug=f"pareil-{n}", name=f"Pareil {n}", summary="x", operator=operator,
                                       status="published", beneficiary_kinds=["company"], aid_kinds=["accompaniment"],
                                       closes_on=closes_on)
        scheme.perimeter.set([val_de_marne])
        SchemeVersion.objects.create(scheme=scheme, number=n, published=True, rules={
            "eligibility": eligibility, "components": [], "descriptive": f"Accompagnement n° {n}"})
    results = {r["scheme"]: r for r in simulate({"as_of": "2026-11-22", "beneficiary": {
        "kind": "company", "commune": "94041", "headcount": 12}}, record=False)["results"]}
    assert [(results[f"pareil-{n}"]["name"], results[f"pareil-{n}"]["rules_version"], results[f"pareil-{n}"]["descriptive"])
            for n in (1, 2)] == [("Pareil 1", 1, "Accompagnement n° 1"), ("Pareil 2", 2, "Accompagnement n° 2")]
    closed = results["pareil-3"]
    assert (closed["status"], closed["reasons"], closed["descriptive"]) == (
        "ineligible", ["Dispositif ouvert jusqu'au 31/12/2025"], "")


@pytest.mark.parametrize("profile, message", [
    ({"kind": "company"}, "Indiquez la commune de l'établissement"),
    ({"kind": "association", "commune": "  "}, "Indiquez la commune de l'établissement"),
    ({"kind": "ess_structure", "residence_commune": "13201"}, "Indiquez la commune de l'établissement"),
    ({"kind": "project_holder"}, "Indiquez la commune du projet ou, à défaut, votre commune de résidence"),
])
def test_an_empty_profile_is_asked_for_its_commune_instead_of_a_list_of_refusals(client, profile, message):
    html = client.post("/aides/simulateur/", profile).content.decode()
    assert escape(message) in html
    assert "sur votre territoire" not in html and "Non éligible" not in html


def test_a_project_holder_may_give_only_their_residence(client):
    html = client.post("/aides/simulateur/", {"kind": "project_holder", "residence_commune": "62119"}).content.decode()
    assert "Indiquez la commune" not in html and "sur votre territoire" in html
