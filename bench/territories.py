"""Benchmark of the territory referential, as ratios against floors measured in the same run.

    .venv/bin/python bench/territories.py

Uses its own SQLite database in a temporary directory (or DATABASE_URL if set).
- load-reference: a full first load vs the floor of reading and parsing the shipped file;
- reload of the same edition (idempotent) vs the same floor;
- contains(perimeter, commune, date) vs the floor of one primary-key query;
- composition(region) vs the floor of one query fetching as many ids.
"""

import os
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
TMP = tempfile.mkdtemp(prefix="levier-bench-")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{TMP}/bench.sqlite3")
os.environ.setdefault("LEVIER_VAR_DIR", TMP)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

from levier.territories import edition, services  # noqa: E402
from levier.territories.models import Territory  # noqa: E402


def best_of(function, repeat=5, number=1):
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            function()
        timings.append((time.perf_counter() - start) / number)
    return min(timings)


def main():
    call_command("migrate", verbosity=0)
    floor_read = best_of(lambda: edition.read_edition(), repeat=3)
    start = time.perf_counter()
    services.load_reference()
    first_load = time.perf_counter() - start
    reload = best_of(services.load_reference, repeat=2)

    on = date(2026, 6, 1)
    pays_aix = Territory.objects.get(kind="project", code="pays-aix")
    metropole = Territory.objects.get(kind="epci", code="200054807")
    paca = Territory.objects.get(kind="region", code="93")
    places = list(Territory.objects.filter(code__in=["13001", "84089", "13041", "13201", "75056", "2A004"]))
    floor_query = best_of(lambda: [Territory.objects.get(pk=p.pk) for p in places], number=20) / len(places)
    contains = best_of(
        lambda: [services.contains(t, p, on) for t in (pays_aix, metropole, paca) for p in places], number=5
    ) / (3 * len(places))
    composition = best_of(lambda: services.composition(paca, on), repeat=5)
    count = len(services.composition(paca, on).commune_ids)
    floor_ids = best_of(lambda: list(Territory.objects.filter(kind="commune").values_list("id", flat=True)[:count]))

    rows = [
        ("first load-reference", first_load, floor_read),
        ("reload, same edition (idempotent)", reload, floor_read),
        ("contains(perimeter, commune, date)", contains, floor_query),
        (f"composition(PACA) — {count} communes", composition, floor_ids),
    ]
    print(f"{'measure':<42}{'time':>12}{'floor':>12}{'ratio':>8}")
    for name, value, floor in rows:
        print(f"{name:<42}{value * 1000:>10.2f}ms{floor * 1000:>10.2f}ms{value / floor:>8.1f}")
    print("floors: read+parse of the shipped file; one primary-key query; one query of as many ids")


if __name__ == "__main__":
    main()
