"""Benchmark of PLIE pathways on a national-scale dataset (PostgreSQL): protocol report, FSE indicators, import.

    psql -h 127.0.0.1 -U postgres -d postgres -c "CREATE DATABASE levier_bench_pathways"
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/levier_bench_pathways .venv/bin/python bench/pathways.py
    DATABASE_URL=… .venv/bin/python bench/pathways.py --smoke     # small size (run by .ci/run)
    options: --no-import (queries only), --import-only (the import alone, on an empty database), --scaling-only
    (the import's scaling alone, on the dataset; --scale-rows N: a file of N rows), --jit (keep the server's JIT), --set random_page_cost=1.1 (session setting)

Builds with COPY, after `migrate` and the territory referential (an existing dataset is reused): 150 protocols
(a 2015-2020 protocol then a 2021-2027 one on each of 75 départements, the second taking over the pathways still
open), 1 000 000 pathways (participants) interleaved in time across protocols, their persons, 5 000 000 steps and
the entry, exit and follow-up FSE questionnaires. Distributions: sex with some X, RSA ~60 %, qualification levels
of both nomenclatures, prescribers, exits of every kind (rules, committee, import, without a job), carried-over
pathways, a few protocols whose training cap bites. Smoke: 20 000 pathways, 100 000 steps, 15 protocols.

Measures (median of 5 warm runs, 2 in smoke):
- `protocol_report` on the largest protocol, then on every protocol in turn, against a floor that is one
  hand-written SQL statement computing the same figures (GROUPING SETS; both are checked equal, figure by figure,
  on every protocol);
- `fse.indicators` likewise, against one hand-written statement of the same rules (each participant's three
  questionnaires read in one index probe, LATERAL);
- `import_pathways` of 100 000 rows (2 000 in smoke), each run in a fresh child process that only imports (time
  around the import), against a COPY of the same file into an unindexed staging table; the peak RSS of that
  process (VmHWM) at 100 000 and 10 000 rows (2 000 and 200);
- scaling (issue 16): one file of 200 000 rows (12 000 in smoke) imported into the database already holding the
  dataset; the time per 1 000 rows of its first and last 10 000 rows (2 000), each against COPY of as many rows
  into the staging table, and their ratio last/first (target ≤ 1,2 ×: the cost of a row does not grow with its
  position in the file nor with what the tables hold).
Targets (issue 5): report and indicators ≤ 1,5 × their floor; import ≤ 20 × the COPY; peak RSS at 100 000 rows
≤ 1,2 × the peak at 10 000. The figures are reported, not asserted: the exit status is non-zero only on errors
(figures that differ from the floor's, a failed import).
"""

import atexit
import csv
import gc
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SMOKE = "--smoke" in sys.argv
CHILD = "--child-import" in sys.argv
NO_IMPORT = "--no-import" in sys.argv
IMPORT_ONLY = "--import-only" in sys.argv  # the import measures alone, on a database without the dataset
SCALING_ONLY = "--scaling-only" in sys.argv  # the scaling measure alone, on the dataset (built if absent)
# Settings of the benchmark's PostgreSQL session: JIT off unless --jit (it costs 100–250 ms per statement here,
# more than it saves), plus any --set NAME=VALUE (for instance --set random_page_cost=1.1).
SESSION = ([] if "--jit" in sys.argv else [("jit", "off")]) + [
    tuple(arg.split("=", 1)) for prev, arg in zip(sys.argv, sys.argv[1:]) if prev == "--set"]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
os.environ.setdefault("LEVIER_DEBUG", "0")  # no query log: it would distort both time and memory

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

PROTOCOLS = 15 if SMOKE else 150
PATHWAYS = 20_000 if SMOKE else 1_000_000
STEPS = 100_000 if SMOKE else 5_000_000
IMPORT_ROWS, IMPORT_SMALL = (2_000, 200) if SMOKE else (100_000, 10_000)
# Scaling: one file of SCALE_ROWS rows; the time per 1 000 rows of its first and last SCALE_WINDOW rows.
SCALE_ROWS, SCALE_WINDOW = (12_000, 2_000) if SMOKE else (200_000, 10_000)
if "--scale-rows" in sys.argv:  # another file size (a multiple of 2 000, at least three windows)
    SCALE_ROWS = int(sys.argv[sys.argv.index("--scale-rows") + 1])
RUNS = 2 if SMOKE else 5
IMPORT_RUNS = 2 if SMOKE else 3
AS_OF = date(2026, 11, 30)
A_START, A_END, B_START, B_END = date(2015, 1, 1), date(2020, 12, 31), date(2021, 1, 1), date(2027, 12, 31)
NOW = "2026-12-01 10:00:00+00"
TMP = Path(tempfile.mkdtemp(prefix="levier-bench-pathways-"))
atexit.register(shutil.rmtree, TMP, ignore_errors=True)
NULL = "\\N"


def pct(value: float) -> str:
    return f"{value:.2f}".replace(".", ",") + " ×"


# ---------------------------------------------------------------- COPY


class CopyFile:
    """Rows of one table written as COPY text to a temporary file, then loaded in one COPY.

    `columns` are the ones the generator fills (cells already formatted); every other column of the
    model gets its default (NULL, empty string, the field's default), so that a new column with a
    default does not break the benchmark."""

    def __init__(self, model, columns: list[str]):
        import json

        self.table = model._meta.db_table
        tail, rest = [], []
        for field in model._meta.concrete_fields:
            if field.column in columns:
                continue
            if field.has_default() and not callable(field.default):
                value = field.get_default()
                value = json.dumps(value) if field.get_internal_type() == "JSONField" else value
            elif field.has_default():
                value = field.get_default()
                value = json.dumps(value) if field.get_internal_type() == "JSONField" else value
            elif field.null:
                value = None
            elif field.get_internal_type() in ("CharField", "TextField", "SlugField", "EmailField"):
                value = ""
            else:
                raise RuntimeError(f"{self.table}.{field.column}: no value and no default")
            rest.append(field.column)
            tail.append(NULL if value is None else ("t" if value is True else "f" if value is False else str(value)))
        self.columns = columns + rest
        self.suffix = ("\t" + "\t".join(tail) if tail else "") + "\n"
        self.path = TMP / f"{self.table}.copy"
        self.handle = self.path.open("w", encoding="utf-8")
        self.count = 0

    def write(self, cells: str) -> None:
        """`cells`: the filled columns, tab-separated, in `columns` order."""
        self.handle.write(cells + self.suffix)
        self.count += 1

    def load(self) -> None:
        self.handle.close()
        quoted = ", ".join(connection.ops.quote_name(c) for c in self.columns)
        with connection.cursor() as cursor:
            with cursor.connection.cursor().copy(f"COPY {self.table} ({quoted}) FROM STDIN") as target:
                with self.path.open("rb") as source:
                    for block in iter(lambda: source.read(1 << 20), b""):
                        target.write(block)
        self.path.unlink()

    def discard(self) -> None:
        self.handle.close()
        self.path.unlink()


def d(value: date | None) -> str:
    return NULL if value is None else value.isoformat()


def b(value: bool | None) -> str:
    return NULL if value is None else ("t" if value else "f")


# ---------------------------------------------------------------- names


def name_pools(rng: random.Random):
    """Surnames (about 15 000, Zipf-like weights so that a few are common) and first names, from the seed
    generator's lists: real data holds many more distinct names than those lists, and the import's
    identity check (same name, birth date, commune) depends on it."""
    from levier.pathways import seed_file

    base = seed_file.LAST_NAMES
    heads = sorted({n[:k] for n in base for k in (3, 4) if len(n) > k})
    tails = sorted({n[-k:].lower() for n in base for k in (3, 4) if len(n) > k})
    made = [h + t for h in heads for t in tails if h.lower() != t]
    rng.shuffle(made)
    surnames = list(dict.fromkeys(base + made[:15_000]))
    cum, total = [], 0.0
    for rank in range(len(surnames)):
        total += 1 / (rank + 30)
        cum.append(total)
    women, men = seed_file.WOMEN_NAMES, seed_file.MEN_NAMES
    women = women * 12 + [f"{a}-{b}" for a in women for b in women if a != b][:400]
    men = men * 12 + [f"{a}-{b}" for a in men for b in men if a != b][:400]
    return surnames, cum, women, men


class People:
    def __init__(self, rng: random.Random):
        from levier.pathways.participants import match_key

        self.rng, self.match_key = rng, match_key
        self.surnames, self.cum, self.women, self.men = name_pools(rng)
        self.keys: dict[tuple, str] = {}

    def draw(self, sex: str) -> tuple[str, str, str]:
        rng = self.rng
        last = rng.choices(self.surnames, cum_weights=self.cum)[0]
        first = rng.choice(self.women if sex == "F" or (sex == "X" and rng.random() < 0.5) else self.men)
        key = self.keys.get((last, first))
        if key is None:
            key = self.keys[(last, first)] = self.match_key(last, first)
        return last, first, key


def draw_sex(rng) -> str:
    r = rng.random()
    return "X" if r < 0.006 else ("F" if r < 0.5 else "M")


def draw_birth(rng, entry: date) -> date:
    r = rng.random()
    age = rng.randint(16, 25) if r < 0.16 else (rng.randint(55, 64) if r > 0.86 else rng.randint(26, 54))
    return entry - timedelta(days=365 * age + rng.randint(0, 364))


# ---------------------------------------------------------------- dataset

OLD_LEVELS = ["VI", "Vbis", "V", "V", "V", "IV", "IV", "III", "II", "I"]
NEW_LEVELS = ["1", "2", "3", "3", "3", "4", "4", "5", "6", "7", "8"]
PRESCRIBER_TYPES = (["pole_emploi"] * 30 + ["pole_insertion"] * 15 + ["ccas"] * 8 + ["caf"] * 6 + ["bme"] * 10
                    + ["mission_locale"] * 12 + ["cap_emploi"] * 5 + ["other"] * 10 + [""] * 4)
POSITIVE_KINDS = ["cdi"] * 28 + ["cdd"] * 35 + ["interim"] * 15 + ["training"] * 15 + ["business_creation"] * 7
OTHER_KINDS = ["dropout"] * 55 + ["moved"] * 15 + ["other"] * 20 + ["retirement"] * 8 + ["death"] * 2
CATEGORY = {"cdi": "employment", "cdd": "employment", "interim": "employment", "training": "training",
            "business_creation": "business_creation"}
STEP_KINDS = (["remobilisation"] * 20 + ["training"] * 18 + ["iae"] * 16 + ["job"] * 14 + ["health"] * 8
              + ["housing"] * 6 + ["childcare"] * 4 + ["mobility_diagnosis"] * 10 + ["business_creation"] * 2
              + ["diagnostic"] * 2)
SUBTYPES = ["common"] * 80 + ["cddi_siae"] * 10 + ["contrat_aide"] * 5 + ["alternance"] * 5
ANSWERS = ["yes"] * 12 + ["no"] * 70 + ["declined"] * 6 + [""] * 12
ISCED = [""] * 60 + ["0", "1", "2", "2", "3", "3", "3", "4", "5", "6", "7", "0-2", "3-4", "5-8"] * 2 + ["9"]


class Spec:
    """One pathway before rendering (ids are given once every pathway is sorted by creation date)."""

    __slots__ = ("id", "protocol", "entry", "created", "status", "exit", "source", "person_id", "fixed")

    def __init__(self, protocol, entry, created, status, exit, source=None):
        self.id, self.protocol, self.entry, self.created = 0, protocol, entry, created
        self.status, self.exit, self.source, self.person_id, self.fixed = status, exit, source, 0, None


def exit_kind(rng, window_start: date, exit_at: date) -> tuple[str, str, str]:
    """(kind, source, category) of an exit on `exit_at`; a positive exit by the rules needs six months of
    the pathway in the protocol before it."""
    r = rng.random()
    if r < 0.40 and (exit_at - window_start).days >= 183:
        kind = rng.choice(POSITIVE_KINDS)
        return kind, "rule", CATEGORY[kind]
    if r < 0.43:
        return "committee", "committee", rng.choice(["employment"] * 7 + ["training"] * 2 + ["business_creation"])
    if r < 0.47:
        kind = rng.choice(POSITIVE_KINDS + OTHER_KINDS)
        return kind, "import", CATEGORY[kind] if kind in CATEGORY and rng.random() < 0.7 else ""
    return rng.choice(OTHER_KINDS), "other", ""


def pathway_specs(rng, protocol_a, protocol_b, total: int) -> list[Spec]:
    """The pathways of one territory: new ones in the 2015-2020 protocol (if any), those still open at its
    end carried over to the 2021-2027 one (on its first day, with their entry date), and new ones there,
    `total` in all. Time in a pathway: 30 days plus an exponential of mean 560 days."""
    specs = []
    for _ in range(round(total * 0.45) if protocol_a else 0):
        entry = A_START + timedelta(days=rng.randrange((A_END - A_START).days + 1))
        if rng.random() < 0.03:
            specs.append(Spec(protocol_a, entry, entry, "refused", None))
            continue
        exit_at = entry + timedelta(days=30 + int(rng.expovariate(1 / 560)))
        if exit_at <= A_END:
            specs.append(Spec(protocol_a, entry, entry, "exited", (exit_at, exit_kind(rng, entry, exit_at))))
            continue
        source = Spec(protocol_a, entry, entry, "carried_over", (exit_at, None))
        plan = exit_kind(rng, B_START, exit_at) if exit_at <= AS_OF else None
        specs += [source, Spec(protocol_b, entry, B_START, "exited" if plan else "active", (exit_at, plan), source)]
    while len(specs) < total:
        entry = B_START + timedelta(days=rng.randrange((AS_OF - B_START).days + 1))
        r = rng.random()
        if r < 0.03:
            specs.append(Spec(protocol_b, entry, entry, "refused", None))
        elif (AS_OF - entry).days < 45 and r < 0.5:
            specs.append(Spec(protocol_b, entry, entry, "pending", None))
        else:
            exit_at = entry + timedelta(days=30 + int(rng.expovariate(1 / 560)))
            plan = exit_kind(rng, entry, exit_at) if exit_at <= AS_OF else None
            specs.append(Spec(protocol_b, entry, entry, "exited" if plan else "active", (exit_at, plan)))
    return specs


def generate() -> None:
    from levier.accounts.models import User
    from levier.organisations.models import Organisation, Unit
    from levier.pathways.models import FseQuestionnaire, Objective, Pathway, Person, Protocol, Step, Structure
    from levier.territories.models import Territory, TerritoryLink

    started = time.perf_counter()
    rng = random.Random(2026)
    people = People(rng)
    federation = Organisation.objects.create(name="Fédération des PLIE (banc d'essai)", kind="association")
    animation = Unit.objects.create(organisation=federation, name="Animation des PLIE", kind="whole")
    departements = list(Territory.objects.filter(kind="departement").exclude(code__in=["75", "69", "13"])
                        .order_by("code"))
    rng.shuffle(departements)
    territories = [Territory.objects.get(kind="departement", code="13"), *departements][:(PROTOCOLS + 1) // 2]
    links = TerritoryLink.objects.filter(parent__in=territories, child__kind="commune").values_list("parent_id",
                                                                                                   "child_id")
    communes: dict[int, list[int]] = {}
    for parent, child in links:
        communes.setdefault(parent, []).append(child)
    epcis: dict[int, list[int]] = {}
    for epci, commune in TerritoryLink.objects.filter(parent__kind="epci", child__kind="commune").values_list(
            "parent_id", "child_id"):
        epcis.setdefault(commune, []).append(epci)

    protocols, pairs = [], []
    for n, territory in enumerate(territories):
        pair = []
        for letter, start, end in (("a", A_START, A_END), ("b", B_START, B_END)):
            if letter == "a" and n == len(territories) - 1 and PROTOCOLS % 2:
                pair.append(None)  # an odd number of protocols: the last territory only has a recent one
                continue
            old = letter == "a"
            protocol = Protocol.objects.create(
                slug=f"banc-{territory.code.lower()}-{start.year}-{end.year}",
                name=f"PLIE {territory.name} {start.year}-{end.year} (banc d'essai)", territory=territory,
                starts_on=start, ends_on=end, previous=pair[0] if pair else None,
                nomenclature="1969" if old else "2019", fse_period="2014-2020" if old else "2021-2027",
                retention="Banc d'essai", retention_years=2 if old else 5, unit=animation,
                training_cap=Decimal("0.03") if n % 7 == 3 else Decimal("0.08"))
            Objective.objects.bulk_create([
                Objective(protocol=protocol, key="participants", label="Participants", target=1000, position=0),
                Objective(protocol=protocol, key="rsa", label="RSA", target=600, rate=Decimal("0.60"), position=1),
                Objective(protocol=protocol, key="positive_exits", label="Sorties positives", target=400, position=2),
                Objective(protocol=protocol, key="success_rate", label="Taux", rate=Decimal("0.50"), position=3)])
            protocols.append(protocol)
            pair.append(protocol)
        pairs.append((territory, pair))

    # Structures (lots), their units and referents; prescriber organisations per territory.
    structures: dict[int, list[tuple[int, list[int]]]] = {}
    prescribers: dict[int, list[int]] = {}
    user_no = 0
    for territory, pair in pairs:
        bassins = sorted({e for c in communes[territory.id][:400] for e in epcis.get(c, [])})
        orgs = Organisation.objects.bulk_create([Organisation(name=f"Prescripteur {territory.code}-{k}",
                                                              kind="public_body") for k in range(6)])
        prescribers[territory.id] = [o.id for o in orgs]
        for protocol in filter(None, pair):
            lots = []
            for lot in range(1, rng.randint(3, 8) + 1):
                holder = Organisation.objects.create(name=f"Titulaire {protocol.slug} lot {lot}", kind="association")
                unit = Unit.objects.create(organisation=holder, name="Accompagnement", kind="service")
                structure = Structure.objects.create(
                    protocol=protocol, unit=unit, name=f"Lot {lot} — {territory.name}", lot=lot,
                    bassin_id=bassins[lot % len(bassins)] if bassins and lot % 4 else None,
                    starts_on=protocol.starts_on)
                users = []
                for _ in range(rng.randint(4, 14)):
                    user_no += 1
                    users.append(User(email=f"referent{user_no}@banc.example", first_name=rng.choice(
                        people.women + people.men), last_name=rng.choice(people.surnames[:300])))
                User.objects.bulk_create(users)
                lots.append((structure.id, [u.id for u in users]))
            structures[protocol.id] = lots

    weights = [1 / (rank + 1) ** 0.8 for rank in range(len(pairs))]  # a few large PLIEs, many small ones
    totals = [round(PATHWAYS * w / sum(weights)) for w in weights]
    totals[-1] += PATHWAYS - sum(totals)
    specs = []
    for (_territory, (protocol_a, protocol_b)), total in zip(pairs, totals, strict=True):
        specs += pathway_specs(rng, protocol_a, protocol_b, total)
    specs.sort(key=lambda s: (s.created, s.protocol.id))  # insertion order: time, across protocols
    for n, spec in enumerate(specs, 1):
        spec.id = n

    # Steps per open pathway, summing to STEPS exactly (an exit step for positive exits by rule comes on top).
    opened = [s for s in specs if s.status not in ("refused", "pending")]
    exit_steps = sum(1 for s in opened if s.exit[1] and s.exit[1][1] == "rule")
    pending = sum(1 for s in specs if s.status == "pending")
    counts = [rng.randint(1, 9) for _ in opened]
    wanted, total = STEPS - exit_steps - pending, sum(counts)
    while total != wanted:
        i = rng.randrange(len(counts))
        if total > wanted and counts[i] > 1:
            counts[i], total = counts[i] - 1, total - 1
        elif total < wanted:
            counts[i], total = counts[i] + 1, total + 1
    steps_of = {s.id: c for s, c in zip(opened, counts, strict=True)}
    del opened, counts

    person_file = CopyFile(Person, ["id", "created_at", "updated_at", "last_name", "first_name", "sex", "birth_date",
                                    "match_key"])
    pathway_file = CopyFile(Pathway, [
        "id", "created_at", "updated_at", "protocol_id", "person_id", "external_id", "status", "structure_id",
        "referent_id", "entry_date", "commune_id", "qpv", "qpv_code", "notice_given_on", "consent_on",
        "jobseeker_registered_on", "unemployment_months", "long_term_unemployed", "rsa", "ass", "aah", "rqth",
        "foreign_background", "qualification_level", "qualification_nomenclature", "housing_difficulty",
        "mobility_difficulty", "childcare_difficulty", "health_difficulty", "debt_difficulty", "prescriber_type",
        "prescriber_id", "eligibility_criteria", "eligibility_reason", "eligibility_decided_on",
        "carried_over_from_id", "exit_kind", "exit_date", "exit_source", "exit_category", "exit_validated_on",
        "exit_reason", "exit_step_id"])
    step_file = CopyFile(Step, ["id", "created_at", "updated_at", "pathway_id", "kind", "start_date", "end_date",
                                "organisation_name", "training_qualifying", "training_hours", "iae_kind", "contract",
                                "contract_subtype", "hours_per_month", "created_by_id"])
    questionnaire_file = CopyFile(FseQuestionnaire, [
        "id", "created_at", "updated_at", "pathway_id", "moment", "answered_on", "labour_status", "in_education",
        "isced", "homeless", "third_country_national", "minority", "other_disadvantaged", "job_searching",
        "qualification_gained", "improved_situation"])
    person_no = step_no = questionnaire_no = 0
    random_ = rng.random
    for spec in specs:
        protocol = spec.protocol
        territory_id = protocol.territory_id
        created = f"{spec.created.isoformat()} 09:00:00+00"
        old = protocol.nomenclature == "1969"
        source = spec.source
        if source is None:
            person_no += 1
            sex = draw_sex(rng)
            last, first, key = people.draw(sex)
            person_file.write(f"{person_no}\t{created}\t{created}\t{last}\t{first}\t{sex}\t"
                              f"{draw_birth(rng, spec.entry).isoformat()}\t{key}")
            spec.person_id = person_no
            structure_id, referents = rng.choice(structures[protocol.id])
            referent = rng.choice(referents) if random_() < 0.95 else None
            commune = rng.choice(communes[territory_id])
            rsa = random_() < 0.6 if random_() < 0.97 else None
            months = rng.randint(0, 60) if random_() < 0.8 else None
            long_term = (months >= 12) if months is not None else (random_() < 0.5 if random_() < 0.7 else None)
            qpv = random_() < 0.15 if random_() < 0.95 else None
            r = random_()
            if r < 0.05:
                level, nomenclature = "", ""
            elif (r < 0.14) == old:
                level, nomenclature = rng.choice(NEW_LEVELS), "2019"
            else:
                level, nomenclature = rng.choice(OLD_LEVELS), "1969"
            prescriber_type = rng.choice(PRESCRIBER_TYPES)
            prescriber = rng.choice(prescribers[territory_id]) if prescriber_type and random_() < 0.5 else None
            criteria = '["long_term_unemployed"]' if long_term else ('["minimum_income"]' if rsa else
                                                                     '["accumulated_difficulties"]')
            flags = "\t".join(b(random_() < 0.2) for _ in range(5))
            fixed = (f"{structure_id}\t{referent or NULL}\t{spec.entry.isoformat()}\t{commune}\t{b(qpv)}\t"
                     f"{'QN0' + str(territory_id % 100) + str(rng.randint(100, 999)) if qpv else ''}\t"
                     f"{spec.entry.isoformat()}\t{spec.entry.isoformat()}\t"
                     f"{d(spec.entry - timedelta(days=30 * (months or 0)))}\t{NULL if months is None else months}\t"
                     f"{b(long_term)}\t{b(rsa)}\t{b(random_() < 0.05)}\t{b(random_() < 0.04)}\t"
                     f"{rng.choice(ANSWERS)}\t{rng.choice(ANSWERS)}\t{level}\t{nomenclature}\t"
                     f"{flags}\t{prescriber_type}\t{prescriber or NULL}\t{criteria}\t"
                     f"Critères vérifiés en comité d'éligibilité.\t{spec.entry.isoformat()}")
            spec.fixed = (fixed, referent)
        else:
            spec.person_id = source.person_id
            fixed, referent = source.fixed
        exit_at, plan = spec.exit or (None, None)
        kind = exit_source = category = ""
        exit_date = validated = exit_step = None
        window_start = max(spec.entry, protocol.starts_on)
        window_end = min(protocol.ends_on, AS_OF)
        if spec.status == "exited":
            kind, exit_source, category = plan
            exit_date = exit_at
            validated = exit_at if category else None
            window_end = exit_at
        elif spec.status == "carried_over":
            window_end = A_END

        steps = []  # (kind, start, end, contract, subtype)
        if spec.status == "pending":
            steps.append(("diagnostic", spec.entry, spec.entry, "", "common"))
        elif spec.status != "refused":
            days = max(0, (window_end - window_start).days)
            for k in range(steps_of[spec.id]):
                step_kind = "diagnostic" if k == 0 and window_start == spec.entry else rng.choice(STEP_KINDS)
                start = window_start + timedelta(days=rng.randint(0, days))
                end = start + timedelta(days=rng.randint(1, 180)) if random_() < 0.85 else None
                contract = rng.choice(["cdd", "cdd", "interim", "cdi"]) if step_kind == "job" else ""
                steps.append((step_kind, start, end, contract, rng.choice(SUBTYPES) if contract else "common"))
            if exit_source == "rule":
                start = max(window_start, exit_at - timedelta(days=183))
                step_kind = {"training": "training", "business_creation": "business_creation"}.get(kind, "job")
                contract = kind if step_kind == "job" else ""
                steps.append((step_kind, start, None if kind == "cdi" else exit_at + timedelta(days=90), contract,
                              rng.choice(SUBTYPES) if contract else "common"))
        for step_kind, start, end, contract, subtype in steps:
            step_no += 1
            step_file.write(
                f"{step_no}\t{created}\t{created}\t{spec.id}\t{step_kind}\t{start.isoformat()}\t{d(end)}\t"
                f"{'Organisme ' + str(step_no % 997) if step_kind in ('training', 'job', 'iae') else ''}\t"
                f"{b(random_() < 0.6) if step_kind == 'training' else NULL}\t"
                f"{str(rng.randint(35, 900)) + '.00' if step_kind == 'training' else NULL}\t"
                f"{rng.choice(['ACI', 'EI', 'ETTI', 'AI']) if step_kind == 'iae' else ''}\t{contract}\t{subtype}\t"
                f"{'151.67' if contract else NULL}\t{referent or NULL}")
        if exit_source == "rule":
            exit_step = step_no

        reason = "" if not kind else ("Sortie validée selon les règles du protocole." if exit_source == "rule"
                                      else "Sortie enregistrée.")
        pathway_file.write(
            f"{spec.id}\t{created}\t{created}\t{protocol.id}\t{spec.person_id}\t"
            f"BANC-{spec.id:07d}\t{spec.status}\t{fixed}\t"
            f"{source.id if source else NULL}\t{kind}\t{d(exit_date)}\t{exit_source}\t{category}\t{d(validated)}\t"
            f"{reason}\t{exit_step or NULL}")

        # FSE questionnaires: entry (most), exit (most exits), follow-up six months later (some).
        if spec.status in ("refused", "pending"):
            continue
        answers = []
        if random_() < (0.93 if source is None else 0.7):
            r = random_()
            status = next(s for s, limit in (("unemployed", 0.82), ("inactive", 0.93), ("employed", 0.985),
                                             ("self_employed", 0.99), ("", 1.0)) if r < limit)
            answers.append(("entry", spec.entry, status, b(random_() < 0.1) if random_() < 0.9 else NULL,
                            rng.choice(ISCED), b(random_() < 0.05) if random_() < 0.9 else NULL, rng.choice(ANSWERS),
                            rng.choice(ANSWERS), rng.choice(ANSWERS), NULL, NULL, NULL))
        if exit_date is not None and exit_date <= AS_OF and random_() < 0.85:
            employed = bool(category) and category != "training" or random_() < 0.1
            answers.append(("exit", exit_date, "employed" if employed else rng.choice(["unemployed", "inactive", ""]),
                            b(category == "training" or random_() < 0.05), "", NULL, "", "", "",
                            b(not employed and random_() < 0.5), b(category == "training" and random_() < 0.6),
                            NULL))
            if exit_date + timedelta(days=183) <= AS_OF and random_() < 0.6:
                later = "employed" if random_() < (0.6 if category else 0.2) else rng.choice(["unemployed", "inactive"])
                answers.append(("follow_up", exit_date + timedelta(days=183), later, NULL, "", NULL, "", "", "", NULL,
                                NULL, b(later == "employed" and random_() < 0.4) if random_() < 0.8 else NULL))
        for moment, on, *cells in answers:
            questionnaire_no += 1
            questionnaire_file.write(f"{questionnaire_no}\t{created}\t{created}\t{spec.id}\t{moment}\t"
                                     f"{on.isoformat()}\t" + "\t".join(cells))
    assert step_no == STEPS, (step_no, STEPS)
    rendered = time.perf_counter()
    with connection.cursor() as cursor:
        # Every reference is generated consistent (checked below); foreign keys are not checked row by row.
        cursor.execute("SET session_replication_role = replica")
        for target in (person_file, step_file, pathway_file, questionnaire_file):
            target.load()
        cursor.execute("SET session_replication_role = DEFAULT")
        orphans = {}
        for table, column, parent in (("pathways_pathway", "person_id", "pathways_person"),
                                      ("pathways_pathway", "exit_step_id", "pathways_step"),
                                      ("pathways_pathway", "carried_over_from_id", "pathways_pathway"),
                                      ("pathways_pathway", "structure_id", "pathways_structure"),
                                      ("pathways_pathway", "referent_id", "accounts_user"),
                                      ("pathways_step", "pathway_id", "pathways_pathway"),
                                      ("pathways_fsequestionnaire", "pathway_id", "pathways_pathway")):
            cursor.execute(f"SELECT COUNT(*) FROM {table} t WHERE t.{column} IS NOT NULL AND NOT EXISTS "
                           f"(SELECT 1 FROM {parent} p WHERE p.id = t.{column})")
            orphans[f"{table}.{column}"] = cursor.fetchone()[0]
        assert not any(orphans.values()), orphans
        for table in ("pathways_person", "pathways_pathway", "pathways_step", "pathways_fsequestionnaire"):
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    loaded = time.perf_counter()
    print(f"generated in {rendered - started:.0f} s, loaded (COPY, VACUUM ANALYZE) in {loaded - rendered:.0f} s: "
          f"{len(protocols)} protocols, {person_no} persons, {len(specs)} pathways "
          f"({sum(1 for s in specs if s.source)} carried over), {step_no} steps, {questionnaire_no} FSE questionnaires")
    del specs, steps_of
    gc.collect()


# ---------------------------------------------------------------- protocol report: floor

REPORT_FLOOR = """
SELECT GROUPING(pw.qualification_level, pw.qualification_nomenclature, pw.prescriber_type, pw.exit_kind,
                pw.exit_source, pw.exit_category, s.name, b.name, u.first_name, u.last_name, st.contract_subtype),
       pw.qualification_level, pw.qualification_nomenclature, pw.prescriber_type, pw.exit_kind, pw.exit_source,
       pw.exit_category, s.name, b.name, u.first_name, u.last_name, st.contract_subtype,
       COUNT(*),
       COUNT(*) FILTER (WHERE pw.entry_date >= %(start)s),
       COUNT(*) FILTER (WHERE pe.sex = 'F'), COUNT(*) FILTER (WHERE pe.sex = 'M'), COUNT(*) FILTER (WHERE pe.sex = 'X'),
       COUNT(*) FILTER (WHERE pw.rsa), COUNT(*) FILTER (WHERE pw.long_term_unemployed), COUNT(*) FILTER (WHERE pw.qpv),
       COUNT(pw.carried_over_from_id),
       COUNT(*) FILTER (WHERE pw.exit_date IS NULL OR pw.exit_date > %(end)s),
       COUNT(*) FILTER (WHERE pw.exit_validated_on <= %(end)s AND pw.exit_category <> ''),
       COUNT(*) FILTER (WHERE pw.exit_validated_on <= %(end)s AND pw.exit_category <> '' AND pw.rsa),
       COUNT(*) FILTER (WHERE pw.exit_date <= %(end)s AND pw.exit_kind <> '')
FROM pathways_pathway pw
JOIN pathways_person pe ON pe.id = pw.person_id
LEFT JOIN pathways_structure s ON s.id = pw.structure_id
LEFT JOIN territories_territory b ON b.id = s.bassin_id
LEFT JOIN accounts_user u ON u.id = pw.referent_id
LEFT JOIN LATERAL (SELECT contract_subtype FROM pathways_step WHERE id = pw.exit_step_id) st ON true
WHERE pw.protocol_id = %(protocol)s AND pw.status NOT IN ('refused', 'pending') AND pw.entry_date <= %(end)s
  AND (pw.exit_date IS NULL OR pw.exit_date >= %(start)s)
GROUP BY GROUPING SETS ((), (pw.qualification_level, pw.qualification_nomenclature), (pw.prescriber_type),
                        (pw.exit_kind, pw.exit_source, pw.exit_category), (s.name), (b.name),
                        (u.first_name, u.last_name), (st.contract_subtype))
"""
TRAINING_FLOOR = """
SELECT COUNT(*) FILTER (WHERE rsa) FROM (
    SELECT pw.rsa FROM pathways_pathway pw
    WHERE pw.protocol_id = %(protocol)s AND pw.status NOT IN ('refused', 'pending') AND pw.entry_date <= %(end)s
      AND (pw.exit_date IS NULL OR pw.exit_date >= %(start)s)
      AND pw.exit_validated_on <= %(end)s AND pw.exit_category = 'training'
    ORDER BY pw.exit_validated_on, pw.id LIMIT %(cap)s) earliest
"""
# GROUPING() bits, from the last argument (bit 0) to the first (bit 10): 0 where the column is grouped.
ALL = 0b11111111111
SETS = {ALL: "head", ALL ^ 0b11000000000: "qualification", ALL ^ 0b00100000000: "prescriber",
        ALL ^ 0b00011100000: "exits", ALL ^ 0b00000010000: "structure", ALL ^ 0b00000001000: "bassin",
        ALL ^ 0b00000000110: "referent", ALL ^ 0b00000000001: "subtype"}


def report_floor(protocol, end: date) -> tuple[list, int | None]:
    """The floor: one statement (and, when the training cap bites, the RSA count among the earliest
    training exits within the cap, as the report does)."""
    params = {"protocol": protocol.id, "start": protocol.starts_on, "end": end}
    with connection.cursor() as cursor:
        cursor.execute(REPORT_FLOOR, params)
        rows = cursor.fetchall()
        head = next(r for r in rows if r[0] == ALL)
        cap = int((Decimal(head[12]) * protocol.training_cap).to_integral_value(rounding=ROUND_FLOOR))
        training = sum(r[22] for r in rows if SETS[r[0]] == "exits" and r[6] == "training")
        capped = None
        if training > cap:
            cursor.execute(TRAINING_FLOOR, {**params, "cap": cap})
            capped = cursor.fetchone()[0]
    return rows, capped


def figures_from_floor(protocol, end: date, rows, capped) -> dict:
    """The report's figures rebuilt from the floor's rows (written apart from report.py, to check it)."""
    def share(n, total):
        return None if not total else str((Decimal(n) / Decimal(total)).quantize(Decimal("0.0001"), ROUND_HALF_UP))

    head = next(r for r in rows if r[0] == ALL)
    total = head[12]
    figures = dict(zip(["participants", "new_entrants", "women", "men", "non_binary", "rsa", "long_term_unemployed",
                        "qpv", "carried_over", "active"], head[12:22], strict=True))
    old = protocol.nomenclature == "1969"
    levels = ["I", "II", "III", "IV", "V", "Vbis", "VI", "Vbis_VI", "unknown"] if old else \
        [*map(str, range(1, 9)), "1_2", "7_8", "unknown"]
    qualification = dict.fromkeys(levels, 0)
    to_old = {"1": "Vbis_VI", "2": "Vbis_VI", "3": "V", "4": "IV", "5": "III", "6": "II", "7": "I", "8": "I"}
    to_new = {"VI": "1_2", "Vbis": "1_2", "V": "3", "IV": "4", "III": "5", "II": "6", "I": "7_8"}
    prescribers = dict.fromkeys(["pole_emploi", "pole_insertion", "ccas", "caf", "bme", "mission_locale",
                                 "cap_emploi", "other", "unknown"], 0)
    positive, positive_rsa, by = {}, {}, {"structure": [], "bassin": [], "referent": [], "exit_kind": {},
                                          "exit_contract_subtype": {}}
    for row in rows:
        kind = SETS[row[0]]
        n, active, n_positive, n_positive_rsa, exited = row[12], row[21], row[22], row[23], row[24]
        if kind == "qualification":
            level, nomenclature = row[1], row[2]
            key = "unknown" if not level else (
                (level if nomenclature == "1969" else to_old.get(level, "unknown")) if old
                else (level if nomenclature != "1969" else to_new.get(level, "unknown")))
            qualification[key] = qualification.get(key, 0) + n
        elif kind == "prescriber":
            prescribers[row[3] or "unknown"] += n
        elif kind == "exits":
            if row[4]:
                if exited:
                    by["exit_kind"][row[4]] = by["exit_kind"].get(row[4], 0) + exited
            if n_positive:
                if row[5] == "committee":
                    group = row[6] if row[6] in ("training", "business_creation") else "committee_employment"
                    positive["by_committee"] = positive.get("by_committee", 0) + n_positive
                else:
                    group = "training" if row[6] == "training" else row[4]
                positive[group] = positive.get(group, 0) + n_positive
                positive_rsa[group] = positive_rsa.get(group, 0) + n_positive_rsa
        elif kind in ("structure", "bassin", "referent"):
            name = " ".join(p for p in (row[9], row[10]) if p) if kind == "referent" else row[7 if kind == "structure"
                                                                                          else 8]
            by[kind].append({"name": name or "Non renseigné", "participants": n, "active": active,
                             "positive_exits": n_positive})
        elif kind == "subtype" and row[11] is not None and n_positive:
            by["exit_contract_subtype"][row[11] or "common"] = n_positive
    if old:
        qualification["Vbis_VI"] += qualification["Vbis"] + qualification["VI"]
    else:
        qualification["1_2"] += qualification["1"] + qualification["2"]
        qualification["7_8"] += qualification["7"] + qualification["8"]
    employment_keys = ("cdi", "cdd", "interim", "business_creation", "committee_employment")
    employment = sum(positive.get(k, 0) for k in employment_keys)
    cap = int((Decimal(total) * protocol.training_cap).to_integral_value(rounding=ROUND_FLOOR))
    training = positive.get("training", 0)
    counted = min(training, cap)
    exits = {**{k: positive.get(k, 0) for k in ("cdi", "cdd", "interim", "business_creation")},
             "employment": employment, "training": training, "training_cap": cap, "training_counted": counted,
             "total": employment + counted,
             "total_rsa": sum(positive_rsa.get(k, 0) for k in employment_keys)
             + (capped if capped is not None else positive_rsa.get("training", 0)),
             "by_committee": positive.get("by_committee", 0)}
    figures.update(qualification=qualification, prescribers=prescribers, positive_exits=exits,
                   success_rate=share(exits["total"], total), employment_rate=share(employment, total),
                   training_rate=share(counted, total), breakdowns=by)
    return figures


def comparable(report: dict) -> dict:
    """The report without what is not computed from the pathways (names, objectives' targets), lists sorted."""
    found = {k: v for k, v in report.items() if k not in ("protocol", "name", "period", "as_of", "objectives")}
    if "breakdowns" in found:
        found["breakdowns"] = {k: sorted(v, key=lambda e: e["name"]) if isinstance(v, list) else v
                               for k, v in found["breakdowns"].items()}
    return found


# ---------------------------------------------------------------- FSE indicators: floor

# The three questionnaires of a participant in one index probe (a row per moment, pivoted).
QUESTIONNAIRE_COLUMNS = {"en": ("entry", ["labour_status", "in_education", "isced", "homeless",
                                          "third_country_national", "minority", "other_disadvantaged"]),
                         "lv": ("exit", ["labour_status", "job_searching", "in_education", "qualification_gained"]),
                         "lt": ("follow_up", ["labour_status", "improved_situation"])}
BOOLEAN_ANSWERS = {"in_education", "homeless", "job_searching", "qualification_gained", "improved_situation"}
FSE_FROM = """
FROM pathways_pathway pw
JOIN pathways_person pe ON pe.id = pw.person_id
JOIN territories_territory c ON c.id = pw.commune_id
LEFT JOIN LATERAL (SELECT {pivot} FROM pathways_fsequestionnaire q WHERE q.pathway_id = pw.id) q ON true
WHERE pw.protocol_id = %(protocol)s AND pw.status NOT IN ('refused', 'pending') AND pw.entry_date <= %(end)s
  AND (pw.exit_date IS NULL OR pw.exit_date >= %(start)s) AND pw.exit_date IS DISTINCT FROM pw.entry_date
GROUP BY pe.sex
""".format(pivot=", ".join(
    f"{'bool_or' if column in BOOLEAN_ANSWERS else 'max'}(q.{column}) FILTER (WHERE q.moment = '{moment}') "
    f"AS {prefix}_{column}" for prefix, (moment, columns) in QUESTIONNAIRE_COLUMNS.items() for column in columns))


def fse_conditions(period: str) -> dict[str, str]:
    """The indicators as SQL conditions, written from ../shared/domain/fse-indicators.md and fse.py's rules."""
    def age_below(years):
        return f"pe.birth_date > (pw.entry_date - interval '{years} years')::date"

    unemployed, inactive = "q.en_labour_status = 'unemployed'", "q.en_labour_status = 'inactive'"
    employed = "q.en_labour_status IN ('employed', 'self_employed')"
    long_term = (f"({unemployed} AND (pw.unemployment_months >= 12 OR (pw.unemployment_months >= 6 AND "
                 f"{age_below(25)}) OR (pw.unemployment_months IS NULL AND pw.long_term_unemployed)))")
    neet = f"({inactive} AND q.en_in_education = false)"
    no_answer = "COALESCE(q.en_isced, '') = ''"
    old = "pw.qualification_nomenclature = '1969'"
    isced = {
        "0-2": f"(q.en_isced IN ('0', '1', '2', '0-2') OR ({no_answer} AND (({old} AND pw.qualification_level IN "
               f"('VI', 'Vbis')) OR (NOT {old} AND pw.qualification_level IN ('1', '2')))))",
        "3-4": f"(q.en_isced IN ('3', '4', '3-4') OR ({no_answer} AND (({old} AND pw.qualification_level IN "
               f"('V', 'IV')) OR (NOT {old} AND pw.qualification_level IN ('3', '4')))))",
        "5-8": f"(q.en_isced IN ('5', '6', '7', '8', '5-8') OR ({no_answer} AND (({old} AND pw.qualification_level IN "
               f"('III', 'II', 'I')) OR (NOT {old} AND pw.qualification_level IN ('5', '6', '7', '8')))))",
    }
    rural = "(c.is_rural OR (c.is_rural IS NULL AND c.population < 2000))"
    left = "pw.exit_date <= %(end)s"
    searching, studying = f"({left} AND q.lv_job_searching)", f"({left} AND q.lv_in_education)"
    qualified = f"({left} AND q.lv_qualification_gained)"
    employed_leaving = f"({left} AND q.lv_labour_status IN ('employed', 'self_employed'))"
    followed = "(pw.exit_date + interval '6 months')::date <= %(as_of)s"  # six months after the exit passed
    employed_later = f"({left} AND {followed} AND q.lt_labour_status IN ('employed', 'self_employed'))"
    improved = f"({left} AND {followed} AND {employed} AND q.lt_improved_situation)"
    senior = f"NOT {age_below(55)}"
    third, foreign, minority = "q.en_third_country_national = 'yes'", "pw.foreign_background = 'yes'", \
        "q.en_minority = 'yes'"
    disability, other, homeless = "pw.rqth = 'yes'", "q.en_other_disadvantaged = 'yes'", "q.en_homeless"
    if period == "2014-2020":
        disadvantaged = f"({third} OR {foreign} OR {minority} OR {disability} OR {other})"
        return {
            "CO01": unemployed, "CO02": long_term, "CO03": inactive, "CO04": neet, "CO05": employed,
            "CO06": age_below(25), "CO07": senior, "CO08": f"{senior} AND ({unemployed} OR {neet})",
            "CO09": f"{isced['0-2']} AND q.en_isced IS DISTINCT FROM '0'", "CO10": isced["3-4"], "CO11": isced["5-8"],
            "CO15": f"({third} OR {foreign} OR {minority})", "CO16": disability, "CO17": other, "CO18": homeless,
            "CO19": rural, "CR01": f"{inactive} AND {searching}", "CR02": studying, "CR03": qualified,
            "CR04": employed_leaving,
            "CR05": f"{disadvantaged} AND ({searching} OR {studying} OR {qualified} OR {employed_leaving})",
            "CR06": employed_later, "CR07": improved, "CR08": f"{senior} AND {employed_later}",
            "CR09": f"{disadvantaged} AND {employed_later}"}
    return {
        "EECO01": "true", "EECO02": unemployed, "EECO03": long_term, "EECO04": inactive, "EECO05": employed,
        "EECO06": age_below(18), "EECO07": f"NOT {age_below(18)} AND {age_below(30)}", "EECO08": senior,
        "EECO09": isced["0-2"], "EECO10": isced["3-4"], "EECO11": isced["5-8"], "EECO12": disability,
        "EECO13": third, "EECO14": foreign, "EECO15": minority, "EECO16": homeless, "EECO17": rural,
        "EECR01": searching, "EECR02": studying, "EECR03": qualified, "EECR04": employed_leaving,
        "EECR05": employed_later, "EECR06": improved}


def fse_floor_sql(period: str) -> tuple[list[str], str]:
    conditions = fse_conditions(period)
    counts = ", ".join(f"COUNT(*) FILTER (WHERE {sql})" for sql in conditions.values())
    return list(conditions), f"SELECT pe.sex, COUNT(*), {counts} {FSE_FROM}"


def fse_floor(protocol, end: date) -> list:
    """Run with the planner settings fse.indicators runs with (levier.core.planner), so that both meet the same costs."""
    from levier.core.planner import planner_settings

    _codes, sql = fse_floor_sql(protocol.fse_period)
    with planner_settings(random_page_cost=1.1), connection.cursor() as cursor:
        cursor.execute(sql, {"protocol": protocol.id, "start": protocol.starts_on, "end": end, "as_of": AS_OF})
        return cursor.fetchall()


def fse_from_floor(protocol, rows) -> dict:
    codes, _sql = fse_floor_sql(protocol.fse_period)
    columns = {"F": "women", "M": "men", "X": "non_binary" if protocol.fse_period == "2021-2027" else None}
    counts = {code: {} for code in codes}
    participants = 0
    for sex, n, *values in rows:
        participants += n
        for code, value in zip(codes, values, strict=True):
            counts[code]["total"] = counts[code].get("total", 0) + value
            if columns.get(sex):
                counts[code][columns[sex]] = counts[code].get(columns[sex], 0) + value
    return {"participants": participants, "indicators": counts}


def fse_comparable(found: dict) -> dict:
    return {"participants": found["participants"],
            "indicators": {code: {k: v for k, v in c.items() if k != "label" and v}
                           for code, c in found["indicators"].items()}}


# ---------------------------------------------------------------- import


def write_import_files(territory, rows: int, small: int) -> tuple[Path, Path]:
    """`rows` lines with the seed generator's columns (communes of `territory` at each entry date, both
    nomenclatures' levels, prescriber aliases, every exit type), and the first `small` of them."""
    from levier.pathways.seed_file import HEADER
    from levier.territories.models import Territory
    from levier.territories.services import CompositionsByDate

    rng = random.Random(5)
    people = People(rng)
    compositions = CompositionsByDate(territory)
    codes = dict(Territory.objects.filter(kind__in=["commune", "arrondissement"]).values_list("id", "code"))
    sorted_codes: dict[int, list[str]] = {}
    levels = ["IV", "V", "V bis", "VI", "III", "II", "I", "vbis", "1", "2", "3", "4", "5", "6", "7", "8", ""]
    prescribers = ["pole_emploi", "france_travail", "PE", "ccas", "caf", "bme", "pole_insertion", "mission_locale",
                   "cap_emploi", "other", ""]
    seen, lines = set(), []
    for n in range(rows):
        entry = B_START + timedelta(days=rng.randrange((AS_OF - B_START).days - 30))
        composition = compositions.on(entry)
        communes = sorted_codes.get(id(composition))
        if communes is None:
            communes = sorted_codes[id(composition)] = sorted(codes[i] for i in composition.commune_ids)
        sex = draw_sex(rng)
        while True:
            last, first, key = people.draw(sex)
            birth = draw_birth(rng, entry)
            commune = rng.choice(communes)
            if (key, birth, commune) not in seen:
                seen.add((key, birth, commune))
                break
        exit_type = exit_date = validated = ""
        if rng.random() < 0.55:
            exit_type = rng.choice(POSITIVE_KINDS + OTHER_KINDS)
            exit_date = (entry + timedelta(days=rng.randint(1, (AS_OF - entry).days))).isoformat()
            validated = ("1" if rng.random() < 0.8 else "0") if exit_type in CATEGORY else ""
        lines.append([f"IMP-{n + 1:06d}", last, first, sex, birth.isoformat() if n % 3 else birth.strftime("%d/%m/%Y"),
                      commune, entry.isoformat(), "1" if rng.random() < 0.15 else "0", rng.choice(prescribers),
                      "1" if rng.random() < 0.6 else "0", "1" if rng.random() < 0.55 else "0",
                      "1" if rng.random() < 0.08 else "0", rng.choice(levels), exit_date, exit_type, validated])
    paths = []
    for count in (rows, small):
        path = TMP / f"import-{count}.csv"
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, delimiter=";")
            writer.writerow(HEADER)
            writer.writerows(lines[:count])
        paths.append(path)
    return paths[0], paths[1]


def copy_floor(path: Path) -> float:
    """COPY of the file into an unindexed staging table (text columns), median of RUNS."""
    from levier.pathways.seed_file import HEADER

    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_import_staging")
        cursor.execute(f"CREATE TABLE bench_import_staging ({', '.join(f'{c} text' for c in HEADER)})")
    samples = []
    for n in range(RUNS + 1):
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE bench_import_staging")
        start = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            with cursor.connection.cursor().copy(
                    "COPY bench_import_staging FROM STDIN (FORMAT csv, HEADER true, DELIMITER ';')") as target:
                with path.open("rb") as source:
                    for block in iter(lambda: source.read(1 << 20), b""):
                        target.write(block)
        if n:  # the first run warms up
            samples.append(time.perf_counter() - start)
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM bench_import_staging")
        assert cursor.fetchone()[0] == sum(1 for _ in path.open()) - 1
        cursor.execute("DROP TABLE bench_import_staging")
    return statistics.median(samples)


class _Rollback(Exception):
    pass


def copy_into_tables(path: Path, territory, *, minimal: bool = False) -> float:
    """Reference, not a target: COPY of the same rows into the app's own tables — persons, pathways, one
    audit entry and one workflow log entry each, with all their indexes, and the foreign-key checks a commit runs (deferred: fired by
    `SET CONSTRAINTS ALL IMMEDIATE`) — in a transaction rolled back (median of RUNS). What any import
    writing these rows must at least pay in the database. `minimal`: persons and pathways only (no audit
    entry, no workflow log): what any import keeping the schema's indexes and foreign keys must pay."""
    from auditlog.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    from levier.pathways.imports import parse_date
    from levier.pathways.models import Pathway, PathwayLog, Person, Protocol
    from levier.pathways.participants import match_key
    from levier.territories.models import Territory

    protocol = Protocol.objects.create(slug="banc-import-copy", name="Copie (banc d'essai)", territory=territory,
                                       starts_on=B_START, ends_on=B_END, retention="Banc d'essai", retention_years=5)
    codes = dict(Territory.objects.filter(kind__in=["commune", "arrondissement"]).values_list("code", "id"))
    content_type = ContentType.objects.get_for_model(Pathway).id
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle, delimiter=";"))[1:]
    samples = []
    for n in range(RUNS + 1):
        files = (CopyFile(Person, ["id", "created_at", "updated_at", "last_name", "first_name", "sex", "birth_date",
                                   "match_key"]),
                 CopyFile(Pathway, ["id", "created_at", "updated_at", "protocol_id", "person_id", "external_id",
                                    "status", "entry_date", "commune_id", "eligibility_reason"]),
                 CopyFile(LogEntry, ["id", "content_type_id", "object_pk", "object_id", "object_repr", "action",
                                     "changes", "timestamp", "additional_data"]),
                 CopyFile(PathwayLog, ["id", "pathway_id", "to_status", "action", "at"]))
        start = time.perf_counter()
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                first = []
                for model in (Person, Pathway, LogEntry, PathwayLog):  # one block of ids per table
                    table = model._meta.db_table
                    cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                   f"nextval(pg_get_serial_sequence('{table}', 'id')) + %s - 1)", [len(rows)])
                    first.append(cursor.fetchone()[0] - len(rows) + 1)
                for k, row in enumerate(rows):
                    person, pathway, entry, log = first[0] + k, first[1] + k, first[2] + k, first[3] + k
                    files[0].write(f"{person}\t{NOW}\t{NOW}\t{row[1]}\t{row[2]}\t{row[3]}\t"
                                   f"{parse_date(row[4]).isoformat()}\t{match_key(row[1], row[2])}")
                    files[1].write(f"{pathway}\t{NOW}\t{NOW}\t{protocol.id}\t{person}\t{row[0]}\tactive\t{row[6]}\t"
                                   f"{codes[row[5]]}\tDécision prise avant l'import.")
                    files[2].write(f"{entry}\t{content_type}\t{pathway}\t{pathway}\tParcours n° {pathway}\t0\t"
                                   f'{{"import": [null, "{path.name}"]}}\t{NOW}\t{{"import": 0}}')
                    files[3].write(f"{log}\t{pathway}\tactive\tEntrée reprise par import\t{NOW}")
                start = time.perf_counter()  # the database's part only
                for target in files[:2] if minimal else files:
                    target.load()
                for target in files[2:] if minimal else ():
                    target.discard()
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the foreign-key checks a commit would run
                elapsed = time.perf_counter() - start
                raise _Rollback
        except _Rollback:
            pass
        if n:
            samples.append(elapsed)
    protocol.delete()
    return statistics.median(samples)


def import_child() -> None:
    """Child process: import one file into one protocol, print the import's time and the process's peak RSS."""
    from levier.pathways.imports import import_pathways
    from levier.pathways.models import Protocol

    index = sys.argv.index("--child-import")
    path, slug = Path(sys.argv[index + 1]), sys.argv[index + 2]
    protocol = Protocol.objects.get(slug=slug)
    before = peak_rss()
    marks: list[tuple[int, float]] = []  # (rows read, seconds since the start) at each progress report
    start = time.perf_counter()
    result = import_pathways(protocol=protocol, path=path,
                             progress=lambda done, _total: marks.append((done, time.perf_counter() - start)))
    elapsed = time.perf_counter() - start
    print(" ".join(f"{done}:{at:.6f}" for done, at in marks))
    print(f"{elapsed:.6f} {peak_rss()} {before} {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss} {result.created} "
          f"{result.updated} {len(result.attached)}")


def peak_rss() -> int:
    """Peak RSS of this process in KiB: VmHWM, the high-water mark of the process's own memory since it
    started. ru_maxrss is not used for the figure: Linux carries it across fork and exec, so a child
    reports at least the RSS of the (large) benchmark process that spawned it."""
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))


def run_import(path: Path, territory, n: int, marks: dict | None = None) -> tuple[float, int, int]:
    """One import of `path` into a fresh protocol, in a child process; the imported records are then deleted.
    `marks`, when given, receives {rows read: seconds since the import started} from the import's progress."""
    from levier.pathways.models import Protocol

    protocol = Protocol.objects.create(slug=f"banc-import-{n}", name=f"Import {n} (banc d'essai)", territory=territory,
                                       starts_on=B_START, ends_on=B_END, nomenclature="2019", fse_period="2021-2027",
                                       retention="Banc d'essai", retention_years=5)
    child = subprocess.run([sys.executable, __file__, "--child-import", str(path), protocol.slug],
                           capture_output=True, text=True, env=os.environ.copy())
    if child.returncode:
        sys.exit(f"import failed:\n{child.stdout}\n{child.stderr}")
    *lines, last = child.stdout.strip().splitlines()
    elapsed, peak, baseline, _maxrss, created, updated, _attached = last.split()
    if marks is not None and lines:
        marks.update((int(done), float(at)) for done, at in (mark.split(":") for mark in lines[-1].split()))
    rows = sum(1 for _ in path.open()) - 1
    assert int(created) == rows and int(updated) == 0, (created, updated, rows)
    forget_imports()
    return float(elapsed), int(peak), int(baseline)


def forget_imports() -> None:
    """Delete what the benchmark's imports wrote (also after an interrupted run): their protocols, pathways,
    audit entries, and the persons left without a pathway (every generated person has one)."""
    from levier.pathways.models import Protocol

    imported = list(Protocol.objects.filter(slug__startswith="banc-import-").values_list("id", flat=True))
    if not imported:
        return
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM auditlog_logentry WHERE additional_data->>'import' IN "
                       "(SELECT id::text FROM pathways_pathwayimport WHERE protocol_id = ANY(%s))", [imported])
        cursor.execute("DELETE FROM pathways_pathwaylog WHERE pathway_id IN "
                       "(SELECT id FROM pathways_pathway WHERE protocol_id = ANY(%s))", [imported])
        cursor.execute("DELETE FROM pathways_pathwayimport WHERE protocol_id = ANY(%s)", [imported])
        cursor.execute("DELETE FROM pathways_pathway WHERE protocol_id = ANY(%s)", [imported])
        cursor.execute("DELETE FROM pathways_person p WHERE NOT EXISTS "
                       "(SELECT 1 FROM pathways_pathway w WHERE w.person_id = p.id)")
    Protocol.objects.filter(id__in=imported).delete()


# ---------------------------------------------------------------- main


def timed(function, runs=RUNS) -> float:
    function()  # warm
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def line(name: str, value: float, floor: float, target: float) -> None:
    ratio = value / floor
    print(f"{name:<58}{value * 1000:>11.1f} ms{floor * 1000:>11.1f} ms   {pct(ratio):>9} "
          f"(target ≤ {pct(target)}){'' if ratio <= target else '  MISSED'}")


def main():
    if CHILD:
        import_child()
        return
    if connection.vendor != "postgresql":
        sys.exit("Ce banc d'essai tourne sur PostgreSQL : "
                 "DATABASE_URL=postgres://postgres@127.0.0.1:5432/levier_bench_pathways")
    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        for name, value in SESSION:
            cursor.execute(f"SET {name} = {value}")
    from levier.pathways.models import Pathway, Protocol
    from levier.pathways.report import period_of, protocol_report
    from levier.territories.services import load_reference

    if IMPORT_ONLY:
        from levier.territories.models import Territory

        if not Territory.objects.exists():
            load_reference()
        forget_imports()
        measure_import(Territory.objects.get(kind="departement", code="13"))
        measure_scaling(Territory.objects.get(kind="departement", code="13"))
        return
    if SCALING_ONLY:
        from levier.territories.models import Territory

        if not Pathway.objects.exists():
            load_reference()
            generate()
        forget_imports()
        measure_scaling(Territory.objects.get(kind="departement", code="13"))
        return
    if not Pathway.objects.exists():
        load_reference()
        generate()
    else:
        print("dataset already present: reused")
        forget_imports()
    with connection.cursor() as cursor:
        cursor.execute("SELECT protocol_id, COUNT(*) FROM pathways_pathway GROUP BY protocol_id ORDER BY 2 DESC")
        sizes = cursor.fetchall()
        cursor.execute("SELECT (SELECT COUNT(*) FROM pathways_step), (SELECT COUNT(*) FROM pathways_fsequestionnaire),"
                       " (SELECT COUNT(*) FROM pathways_person)")
        steps, questionnaires, persons = cursor.fetchone()
    protocols = {p.id: p for p in Protocol.objects.filter(id__in=[s[0] for s in sizes]).select_related("territory")}
    largest = protocols[sizes[0][0]]
    with connection.cursor() as cursor:
        shown = []
        for name in ("jit", "random_page_cost", "work_mem", "shared_buffers", "max_parallel_workers_per_gather",
                     *(name for name, _ in SESSION)):
            cursor.execute(f"SHOW {name}")
            shown.append(f"{name} {cursor.fetchone()[0]}")
    print(f"PostgreSQL session: {', '.join(dict.fromkeys(shown))}")
    print(f"{len(protocols)} protocols, {sum(n for _, n in sizes)} pathways, {persons} persons, {steps} steps, "
          f"{questionnaires} FSE questionnaires; largest protocol {largest.slug}: {sizes[0][1]} pathways")
    errors = []

    # Protocol report: figures equal to the floor's, then timings.
    ends = {pid: period_of(p, AS_OF).end for pid, p in protocols.items()}
    capped = 0
    for pid, protocol in protocols.items():
        report = comparable(protocol_report(protocol, as_of=AS_OF))
        floor = comparable(figures_from_floor(protocol, ends[pid], *report_floor(protocol, ends[pid])))
        capped += report["positive_exits"]["training"] > report["positive_exits"]["training_cap"]
        if report != floor:
            errors.append(f"report {protocol.slug}: " + ", ".join(k for k in report if report[k] != floor.get(k)))
    figures = protocol_report(largest, as_of=AS_OF)
    print(f"report of {largest.slug} at {AS_OF}: {figures['participants']} participants, {figures['rsa']} RSA, "
          f"{figures['positive_exits']['total']} positive exits, {figures['carried_over']} carried over; "
          f"training cap reached in {capped} protocols")
    results = [
        ("protocol_report, largest protocol", timed(lambda: protocol_report(largest, as_of=AS_OF)),
         timed(lambda: report_floor(largest, ends[largest.id])), 1.5),
        (f"protocol_report, the {len(protocols)} protocols in turn",
         timed(lambda: [protocol_report(p, as_of=AS_OF) for p in protocols.values()]),
         timed(lambda: [report_floor(p, ends[pid]) for pid, p in protocols.items()]), 1.5),
    ]

    # FSE indicators.
    try:
        from levier.pathways import fse
    except ImportError:
        fse = None
        print("levier/pathways/fse.py absent: FSE indicators skipped")
    if fse is not None:
        for pid, protocol in protocols.items():
            found = fse_comparable(fse.indicators(protocol, as_of=AS_OF))
            floor = fse_comparable(fse_from_floor(protocol, fse_floor(protocol, ends[pid])))
            if found != floor:
                codes = [c for c in found["indicators"] if found["indicators"][c] != floor["indicators"].get(c)]
                errors.append(f"FSE {protocol.slug}: participants {found['participants']} vs {floor['participants']}"
                              f"{', ' + ', '.join(codes) if codes else ''}")
        results += [
            ("fse.indicators, largest protocol", timed(lambda: fse.indicators(largest, as_of=AS_OF)),
             timed(lambda: fse_floor(largest, ends[largest.id])), 1.5),
            (f"fse.indicators, the {len(protocols)} protocols in turn",
             timed(lambda: [fse.indicators(p, as_of=AS_OF) for p in protocols.values()]),
             timed(lambda: [fse_floor(p, ends[pid]) for pid, p in protocols.items()]), 1.5),
        ]

    print(f"\n{'measure (median of ' + str(RUNS) + ' warm runs)':<58}{'app':>14}{'floor':>14}   {'ratio':>9}")
    for name, value, floor, target in results:
        line(name, value, floor, target)

    if NO_IMPORT:
        finish(errors)
        return

    measure_import(largest.territory)
    measure_scaling(largest.territory)
    finish(errors)


def measure_import(territory) -> None:
    """The import of IMPORT_ROWS rows against a COPY of them, and its peak RSS against IMPORT_SMALL rows."""
    big, small = write_import_files(territory, IMPORT_ROWS, IMPORT_SMALL)
    copy_time = copy_floor(big)
    tables_time = copy_into_tables(big, territory)
    minimal_time = copy_into_tables(big, territory, minimal=True)
    run_import(big, territory, 0)  # warm-up (database caches), not counted
    runs = [run_import(big, territory, n) for n in range(1, IMPORT_RUNS + 1)]
    small_runs = [run_import(small, territory, n) for n in range(IMPORT_RUNS + 1, 2 * IMPORT_RUNS + 1)]
    import_time = statistics.median(r[0] for r in runs)
    peak_big = statistics.median(r[1] for r in runs)
    peak_small = statistics.median(r[1] for r in small_runs)
    baseline = statistics.median(r[2] for r in runs + small_runs)
    print(f"\nimport into a new protocol on {territory} "
          f"(median of {IMPORT_RUNS} runs, each in a fresh process)")
    line(f"import_pathways, {IMPORT_ROWS} rows vs COPY into a staging table", import_time, copy_time, 20)
    print(f"{'reference: COPY into the app tables (indexes, FK, audit)':<58}{tables_time * 1000:>11.1f} ms"
          f"{copy_time * 1000:>11.1f} ms   {pct(tables_time / copy_time):>9}")
    print(f"{'minimum: COPY into persons and pathways only (indexes, FK)':<58}{minimal_time * 1000:>11.1f} ms"
          f"{copy_time * 1000:>11.1f} ms   {pct(minimal_time / copy_time):>9}")
    print(f"{'import_pathways vs that reference':<58}{import_time * 1000:>11.1f} ms{tables_time * 1000:>11.1f} ms   "
          f"{pct(import_time / tables_time):>9}")
    print(f"{'peak RSS of the importing process':<58}{peak_big / 1024:>9.1f} MiB at {IMPORT_ROWS} rows, "
          f"{peak_small / 1024:.1f} MiB at {IMPORT_SMALL} rows: {pct(peak_big / peak_small)} (target ≤ {pct(1.2)})"
          f"{'' if peak_big <= 1.2 * peak_small else '  MISSED'}")
    print(f"{'':<58}(before the import, after Django's start: {baseline / 1024:.1f} MiB); "
          f"{IMPORT_SMALL} rows imported in {statistics.median(r[0] for r in small_runs):.2f} s")


def measure_scaling(territory) -> None:
    """Cost per row early and late in one long file (issue 16): the time per 1 000 rows of the file's first
    SCALE_WINDOW rows after its first chunk (the first chunk also pays the file's scan and the first queries) and
    of its last SCALE_WINDOW rows, from the import's own progress reports, each against the staging COPY of the
    same number of rows (the floor); their ratio should stay near 1 whatever the table already holds."""
    from levier.pathways.imports import CHUNK
    from levier.pathways.models import Pathway

    path, window_file = write_import_files(territory, SCALE_ROWS, SCALE_WINDOW)
    floor = copy_floor(window_file) / SCALE_WINDOW * 1000  # seconds per 1 000 rows
    held = Pathway.objects.count()
    marks: dict[int, float] = {}
    elapsed = run_import(path, territory, 1_000, marks)[0]
    first_at, last_at = CHUNK, SCALE_ROWS - SCALE_WINDOW
    missing = [done for done in (first_at, first_at + SCALE_WINDOW, last_at, SCALE_ROWS) if done not in marks]
    if missing:
        sys.exit(f"scaling: no progress report at rows {missing}")
    first = (marks[first_at + SCALE_WINDOW] - marks[first_at]) / SCALE_WINDOW * 1000
    last = (marks[SCALE_ROWS] - marks[last_at]) / SCALE_WINDOW * 1000
    print(f"\nscaling: {SCALE_ROWS} rows imported in one file into a database holding {held} pathways "
          f"({elapsed:.1f} s in all); time per 1 000 rows, against COPY of 1 000 rows into a staging table")
    line(f"rows {first_at + 1}–{first_at + SCALE_WINDOW} of the file (per 1 000 rows)", first, floor, 20)
    line(f"rows {last_at + 1}–{SCALE_ROWS} of the file (per 1 000 rows)", last, floor, 20)
    line("last window against the first (ratio last/first)", last, first, 1.2)


def finish(errors: list[str]) -> None:
    if errors:
        print("\nERRORS: figures differ from the floor's:\n  " + "\n  ".join(errors))
        sys.exit(1)


if __name__ == "__main__":
    main()
