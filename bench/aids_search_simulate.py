"""Benchmark of the aid catalogue: search page and simulate endpoint on 10 000 schemes.

    .venv/bin/python bench/aids_search_simulate.py            # full size (10 000 schemes)
    .venv/bin/python bench/aids_search_simulate.py --smoke    # 300 schemes, a few calls
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/levier_bench .venv/bin/python bench/aids_search_simulate.py

Perimeters: 2 % national (every région), 8 % regional, 30 % départemental, 60 % EPCI or
commune lists; a fifth of the départemental and EPCI/commune schemes are put in the
Val-de-Marne so that the benchmark commune, 94041 Ivry-sur-Seine, lies in at least 500
perimeters. Median of the calls after warm-ups, against a floor that fetches the same
candidate rows through the same index (the perimeter join). Target: within 3 × the floor.
"""

import json
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SMOKE = "--smoke" in sys.argv or os.environ.get("LEVIER_BENCH_SMOKE") == "1"
TMP = tempfile.mkdtemp(prefix="levier-bench-aids-")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{TMP}/bench.sqlite3")
os.environ.setdefault("LEVIER_VAR_DIR", TMP)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
os.environ["LEVIER_API_ANON_RATE"] = "1000000/minute"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402

from levier.aids.models import Scheme, SchemeVersion  # noqa: E402
from levier.aids.rules import validate_rules  # noqa: E402
from levier.aids.services import load_reference_schemes, refresh_search_vectors  # noqa: E402
from levier.organisations.models import Organisation  # noqa: E402
from levier.organisations.services import load_reference_organisations  # noqa: E402
from levier.territories.models import Territory, TerritoryLink  # noqa: E402
from levier.territories.rules import normalize_name  # noqa: E402
from levier.territories.services import ancestors, load_reference  # noqa: E402

SCHEMES = 300 if SMOKE else 10_000
CALLS, WARMUPS = (5, 2) if SMOKE else (50, 5)
AS_OF = date(2026, 11, 22)
PROFILE = {"as_of": "2026-11-22", "beneficiary": {"kind": "company", "commune": "94041", "headcount": 40, "naf": "25.62B"},
           "project": {"net_cdi_jobs_24m": 4, "investment_eur": "120000", "consulting_cost_eur": "12000"}}


def rules_for(rng: random.Random) -> dict:
    """Rules drawn per scheme, so that versions rarely share a whole document (as in a real
    catalogue) while sharing usual conditions ("PME", "département 94", "moins de 50 salariés")."""
    shape = rng.randrange(4)
    if shape == 0:
        return {"eligibility": {"fact": "beneficiary.kind", "op": "in", "value": ["company"]}, "components": [],
                "descriptive": f"Accompagnement n° {rng.randrange(10_000)}"}
    if shape == 1:
        return {"eligibility": {"all": [{"size": "pme"},
                                        {"fact": "project.net_cdi_jobs_24m", "op": "gte", "value": rng.randint(1, 5)}]},
                "components": [{"key": "loan", "kind": "loan", "per_unit": str(1000 * rng.randint(5, 20)),
                                "units": "project.net_cdi_jobs_24m", "units_label": "emploi",
                                "cap": str(10_000 * rng.randint(5, 30)), "legal_basis": "de minimis"}]}
    if shape == 2:
        return {"eligibility": {"fact": "beneficiary.headcount", "op": "lt", "value": rng.choice([10, 20, 50, 250])},
                "components": [{"key": "grant", "kind": "subsidy", "base": "project.investment_eur",
                                "share": f"0.{rng.randint(1, 5)}", "cap": str(5_000 * rng.randint(2, 12))}]}
    return {"eligibility": {"territory": {"kind": "departement", "code": rng.choice(["94", "91", "13", "75"])}},
            "components": [{"key": "days", "kind": "consulting_days", "fixed": str(rng.randint(2, 10))}]}


WORDS = ["prêt", "emploi", "subvention", "création", "industrie", "commerce", "innovation", "conseil", "entreprise",
         "investissement", "accompagnement", "insertion", "quartier", "rural", "artisanat", "numérique"]


def timed(*functions, calls=CALLS, warmups=WARMUPS) -> list[float]:
    """Median time of each function. The functions run in turn, call after call, so that the
    machine's variations over the run weigh on the floor and on the measures alike."""
    for _ in range(warmups):
        for function in functions:
            function()
    samples = [[] for _ in functions]
    for _ in range(calls):
        for function, times in zip(functions, samples):
            start = time.perf_counter()
            function()
            times.append(time.perf_counter() - start)
    return [statistics.median(times) for times in samples]


def generate(count: int) -> None:
    rng = random.Random(2026)
    operator = Organisation.objects.get(reference_key="alixio")
    regions = list(Territory.objects.filter(kind="region"))
    departements = list(Territory.objects.filter(kind="departement"))
    val_de_marne = Territory.objects.get(kind="departement", code="94")
    epcis = list(Territory.objects.filter(kind="epci", valid_to__isnull=True))
    local_94 = list(Territory.objects.filter(kind__in=["epci", "ept"], code__in=["200054781", "200058014"]))
    communes_94 = list(Territory.objects.filter(
        id__in=TerritoryLink.objects.filter(parent=val_de_marne).values("child_id")))
    ivry = Territory.objects.get(kind="commune", code="94041")
    schemes, perimeters, rules = [], [], []
    for n in range(count):
        draw = rng.random()
        if draw < 0.02:
            perimeter = regions
        elif draw < 0.10:
            perimeter = [rng.choice(regions)]
        elif draw < 0.40:
            perimeter = [val_de_marne] if rng.random() < 0.2 else [rng.choice(departements)]
        elif rng.random() < 0.2:
            perimeter = [rng.choice(local_94)] if rng.random() < 0.5 else [ivry, *rng.sample(communes_94, 4)]
        else:
            perimeter = [rng.choice(epcis)]
        words = " ".join(rng.sample(WORDS, 4))
        name = f"Aide {n} — {words}"
        kinds = rng.sample(["company", "ess_structure", "association", "project_holder"], 2)
        aid_kinds = rng.sample(["subsidy", "zero_rate_loan", "honour_loan", "accompaniment"], 2)
        schemes.append(Scheme(
            slug=f"bench-{n}", name=name, summary=f"Dispositif de test : {words}", operator=operator,
            status="published", beneficiary_kinds=kinds, aid_kinds=aid_kinds,
            search_text=normalize_name(f"{name} {words} {operator.name} {' '.join(t.name for t in perimeter)}"),
            filter_tags=f" {' '.join(kinds + aid_kinds)} naf:all ",
        ))
        perimeters.append(perimeter)
        rules.append(rules_for(rng))
    Scheme.objects.bulk_create(schemes, batch_size=2000)
    created = {s.slug: s.id for s in Scheme.objects.filter(slug__startswith="bench-").only("id", "slug")}
    through = Scheme.perimeter.through
    rows, versions = [], []
    for n, perimeter in enumerate(perimeters):
        scheme_id = created[f"bench-{n}"]
        rows += [through(scheme_id=scheme_id, territory_id=t.id) for t in perimeter]
        versions.append(SchemeVersion(scheme_id=scheme_id, number=1, rules=rules[n], published=True))
    through.objects.bulk_create(rows, batch_size=5000, ignore_conflicts=True)
    SchemeVersion.objects.bulk_create(versions, batch_size=2000)
    refresh_search_vectors(Scheme.objects.filter(slug__startswith="bench-"))


def main():
    rng = random.Random(1)
    assert all(validate_rules(rules_for(rng)) == [] for _ in range(200))
    call_command("migrate", verbosity=0)
    load_reference()
    load_reference_organisations()
    load_reference_schemes()
    generate(SCHEMES)
    if django.db.connection.vendor == "postgresql":  # statistics and visibility map, as autovacuum would leave them
        with django.db.connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    ivry = Territory.objects.get(kind="commune", code="94041")
    ids = ancestors(ivry, AS_OF) | {ivry.id}

    def floor():
        return list(Scheme.objects.filter(status__in=["published", "closed"], perimeter__id__in=ids)
                    .distinct().values_list("id", "slug", "name"))

    candidates = len(floor())
    client = Client()
    body = json.dumps(PROFILE)

    def search_page():
        response = client.get("/aides/", {"q": "pret emploi", "place": "94041"})
        assert response.status_code == 200

    def simulate_endpoint():
        response = client.post("/api/v1/aids/simulate", body, content_type="application/json")
        assert response.status_code == 200, response.content[:300]

    floor_time, search_time, simulate_time = timed(floor, search_page, simulate_endpoint)
    rows = [("search page /aides/?q=pret+emploi&place=94041", search_time),
            ("POST /api/v1/aids/simulate", simulate_time)]
    vendor = django.db.connection.vendor
    print(f"{SCHEMES} schemes on {vendor}; commune 94041 lies in {candidates} perimeters (candidates)")
    print(f"{'measure':<48}{'median':>12}{'floor':>12}{'ratio':>8}")
    for name, value in rows:
        print(f"{name:<48}{value * 1000:>10.1f}ms{floor_time * 1000:>10.1f}ms{value / floor_time:>8.2f}")
    print("floor: the candidate rows fetched through the perimeter join; target ratio ≤ 3")


if __name__ == "__main__":
    main()
