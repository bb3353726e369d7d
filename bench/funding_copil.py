"""Benchmark of the Copil report on a national-scale ledger (PostgreSQL).

    psql -h 127.0.0.1 -U postgres -d test -c "CREATE DATABASE levier_bench"
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/levier_bench .venv/bin/python bench/funding_copil.py
    DATABASE_URL=… .venv/bin/python bench/funding_copil.py --smoke     # 1/100 of the size (run by .ci/run)

Builds with COPY: 100 000 companies, 300 000 applications, 300 000 commitments in 12 funds,
3 000 000 ledger entries (commitments, tranches, repayments, de-commitments, in kind, plus the
funds' contributions and allocations) and 300 000 job declarations, over 2021-2025. Measures
the Copil figures for all funds over those 5 years (`copil_figures`, every breakdown and the
beneficiaries' list) against a floor: one hand-written SQL statement that aggregates the same
figures with GROUPING SETS on the same database. Median of 5 warm runs. Target: ≤ 1,5 × the floor.
"""

import os
import random
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SMOKE = "--smoke" in sys.argv
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

SCALE = 100 if SMOKE else 1
COMPANIES, APPLICATIONS, ENTRIES_PER_COMMITMENT = 100_000 // SCALE, 300_000 // SCALE, 10
FUNDS, START, END = 12, date(2021, 1, 1), date(2025, 12, 31)
RUNS = 2 if SMOKE else 5
NAF = "ABCDEFGHIJKLMNOPQRS"
SIZES = ["micro", "pme", "eti", ""]


def copy(table: str, columns: list[str], rows) -> None:
    """COPY rows (tuples) into a table, streamed in chunks."""
    with connection.cursor() as cursor:
        with cursor.connection.cursor().copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as target:
            for row in rows:
                target.write_row(row)


def generate() -> None:
    from levier.accounts.models import User
    from levier.aids.models import Scheme, SchemeVersion
    from levier.funding.models import Fund, FundOperator
    from levier.organisations.models import Organisation, Unit
    from levier.territories.models import Territory

    rng = random.Random(2026)
    now = "2026-12-01 10:00:00+00"
    manager = Organisation.objects.create(name="Gestionnaire national (banc d'essai)", kind="company")
    unit = Unit.objects.create(organisation=manager, name="Direction", kind="whole")
    user = User.objects.create(email="banc@levier.example")
    scheme = Scheme.objects.create(slug="banc", name="Dispositif du banc d'essai", summary="banc", operator=manager,
                                   owner_unit=unit, status="published", beneficiary_kinds=["company"], aid_kinds=["subsidy"])
    version = SchemeVersion.objects.create(scheme=scheme, number=1, rules={"components": []}, published=True)
    funds, operators = [], []
    for n in range(FUNDS):
        fund = Fund.objects.create(slug=f"banc-{n}", name=f"Fonds {n} (banc d'essai)", manager=manager, owner_unit=unit)
        operator_org = Organisation.objects.create(name=f"Opérateur {n} (banc d'essai)", kind="company")
        operators.append(FundOperator.objects.create(fund=fund, operator=operator_org,
                                                     unit=Unit.objects.create(organisation=operator_org, name="Instruction")))
        funds.append(fund)
    communes = list(Territory.objects.filter(kind="commune").values_list("id", flat=True))
    first_org = (Organisation.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
    copy("organisations_organisation",
         ["id", "created_at", "updated_at", "name", "kind", "siren", "legal_form", "naf_code", "is_ess", "roles",
          "iae_kinds", "parent_siren"],
         ((first_org + i, now, now, f"Entreprise {i}", "company", f"{800000000 + i:09d}", "", f"{10 + i % 80:02d}.11Z",
           False, "[]", "[]", "") for i in range(COMPANIES)))
    copy("aids_application",
         ["id", "created_at", "updated_at", "scheme_id", "version_id", "organisation_id", "created_by_id", "status",
          "number", "answers", "evaluation", "submitted_at"],
         ((i + 1, now, now, scheme.id, version.id, first_org + i % COMPANIES, user.id, "submitted",
           f"BANC-{i + 1:07d}", "{}", "{}", now) for i in range(APPLICATIONS)))
    days = (END - START).days
    commitments, entries, reports = [], [], []
    entry_id = 0

    def entry(fund_id, kind, amount, on, operator_id=None, commitment_id=None):
        nonlocal entry_id
        entry_id += 1
        entries.append((entry_id, fund_id, kind, f"{amount:.2f}", on.isoformat(), operator_id, commitment_id, "", now))

    for n, (fund, operator) in enumerate(zip(funds, operators)):
        entry(fund.id, "contribution_received", 10_000_000_000, START - timedelta(days=10))
        entry(fund.id, "allocation", 10_000_000_000, START - timedelta(days=5), operator.id)
    for i in range(APPLICATIONS):
        cid = i + 1
        operator = operators[i % FUNDS]
        committed_on = START + timedelta(days=rng.randrange(days))
        amount = rng.randrange(5_000, 200_000)
        kind = "loan" if i % 3 == 0 else "subsidy"
        commitments.append((cid, now, now, f"BANC-{cid:07d}", operator.fund_id, operator.id, scheme.id, cid,
                            first_org + i % COMPANIES, "", rng.choice(communes), i % 11 == 0, NAF[i % len(NAF)],
                            SIZES[i % len(SIZES)], kind, "de minimis", f"{amount / 10:.2f}", committed_on.isoformat(),
                            i % 7, (committed_on + timedelta(days=730)).isoformat(), 10, f"{amount * 1.5:.2f}", "",
                            "general", "monthly" if kind == "loan" else "", "", ""))
        entry(operator.fund_id, "commitment", amount, committed_on, operator.id, cid)
        for t in range(ENTRIES_PER_COMMITMENT - 3):  # tranches, then repayments for loans
            on = committed_on + timedelta(days=30 * (t + 1))
            kind_t = "disbursement" if t < 2 else ("repayment" if kind == "loan" else "in_kind")
            entry(operator.fund_id, kind_t, amount // 10 if t >= 2 else amount // 2, on, operator.id, cid)
        entry(operator.fund_id, "decommitment", amount // 50, committed_on + timedelta(days=400), operator.id, cid)
        entry(operator.fund_id, "recovery", amount // 100, committed_on + timedelta(days=800), operator.id, cid)
        reports.append((cid, cid, (committed_on + timedelta(days=540)).isoformat(), 10 + i % 7, i % 7, i % 3,
                        (i % 7) if i % 2 else None))
    copy("funding_commitment",
         ["id", "created_at", "updated_at", "reference", "fund_id", "operator_id", "scheme_id", "application_id",
          "beneficiary_id", "person_name", "commune_id", "in_qpv", "naf_section", "size_category", "kind", "legal_basis",
          "gross_grant_equivalent", "committed_on", "jobs_planned", "jobs_due_on", "reference_cdi_headcount",
          "other_financing", "justification", "de_minimis", "loan_frequency", "rating", "collateral"], commitments)
    copy("funding_ledgerentry",
         ["id", "fund_id", "kind", "amount", '"on"', "operator_id", "commitment_id", "note", "recorded_at"], entries)
    copy("funding_jobreport",
         ["id", "commitment_id", "reported_on", "cdi_headcount", "jobs_created", "qpv_resident_jobs", "verified_jobs"],
         reports)
    with connection.cursor() as cursor:
        for table in ("organisations_organisation", "aids_application", "funding_commitment", "funding_ledgerentry",
                      "funding_jobreport"):
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))")
        cursor.execute("ANALYZE")
    print(f"generated: {COMPANIES} companies, {APPLICATIONS} applications and commitments, {len(entries)} ledger entries, "
          f"{len(reports)} job reports")


FLOOR_SQL = """
WITH sums AS (
    SELECT commitment_id,
           SUM(CASE WHEN kind = 'commitment' THEN amount WHEN kind = 'decommitment' THEN -amount ELSE 0 END) AS committed,
           COALESCE(SUM(CASE WHEN kind = 'disbursement' THEN amount WHEN kind = 'recovery' THEN -amount ELSE 0 END)
               FILTER (WHERE "on" BETWEEN %(start)s AND %(end)s), 0) AS paid,
           COALESCE(SUM(amount) FILTER (WHERE kind = 'in_kind' AND "on" BETWEEN %(start)s AND %(end)s), 0) AS in_kind
    FROM funding_ledgerentry WHERE commitment_id IS NOT NULL GROUP BY commitment_id
), base AS MATERIALIZED (
    SELECT c.beneficiary_id, po.name AS operator, s.name AS scheme, c.naf_section, c.size_category,
           c.in_qpv::text AS in_qpv, COALESCE(t.is_rural::text, '') AS is_rural,
           e.committed, e.paid, e.in_kind, c.other_financing AS other, c.jobs_planned AS planned
    FROM funding_commitment c JOIN sums e ON e.commitment_id = c.id
    JOIN funding_fundoperator fo ON fo.id = c.operator_id JOIN organisations_organisation po ON po.id = fo.operator_id
    LEFT JOIN aids_scheme s ON s.id = c.scheme_id LEFT JOIN territories_territory t ON t.id = c.commune_id
    WHERE c.committed_on BETWEEN %(start)s AND %(end)s
), jobs AS (
    SELECT DISTINCT ON (c.beneficiary_id) c.beneficiary_id, r.jobs_created, r.verified_jobs
    FROM funding_jobreport r JOIN funding_commitment c ON c.id = r.commitment_id
    WHERE c.committed_on BETWEEN %(start)s AND %(end)s
    ORDER BY c.beneficiary_id, r.reported_on DESC, r.id DESC
), per_beneficiary AS (
    SELECT breakdown, key, beneficiary_id, SUM(committed) AS committed, SUM(paid) AS paid, SUM(in_kind) AS in_kind,
           SUM(other) AS other, SUM(planned) AS planned
    FROM (
        SELECT 'all' AS breakdown, '' AS key, * FROM base
        UNION ALL SELECT 'operator', operator, * FROM base
        UNION ALL SELECT 'scheme', scheme, * FROM base
        UNION ALL SELECT 'naf_section', naf_section, * FROM base
        UNION ALL SELECT 'size', size_category, * FROM base
        UNION ALL SELECT 'qpv', in_qpv, * FROM base
        UNION ALL SELECT 'rural', is_rural, * FROM base
    ) expanded
    GROUP BY breakdown, key, beneficiary_id
)
SELECT p.breakdown, p.key, SUM(p.committed), SUM(p.paid), SUM(p.in_kind), COUNT(*), SUM(p.planned), SUM(p.other),
       SUM(j.jobs_created), SUM(j.verified_jobs), NULL
FROM per_beneficiary p LEFT JOIN jobs j ON j.beneficiary_id = p.beneficiary_id GROUP BY p.breakdown, p.key
UNION ALL
SELECT 'beneficiary', p.beneficiary_id::text, p.committed, p.paid, p.in_kind, 1, p.planned, p.other,
       j.jobs_created, j.verified_jobs, o.name
FROM per_beneficiary p LEFT JOIN jobs j ON j.beneficiary_id = p.beneficiary_id
JOIN organisations_organisation o ON o.id = p.beneficiary_id WHERE p.breakdown = 'all'
"""


def timed(function) -> float:
    function()  # warm
    samples = []
    for _ in range(RUNS):
        start = time.perf_counter()
        function()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main():
    if connection.vendor != "postgresql":
        sys.exit("Ce banc d'essai tourne sur PostgreSQL : DATABASE_URL=postgres://postgres@127.0.0.1:5432/levier_bench")
    call_command("migrate", verbosity=0)
    from levier.funding.models import LedgerEntry
    from levier.territories.services import load_reference

    if not LedgerEntry.objects.exists():
        load_reference()
        generate()
    from levier.funding.copil import Scope, copil_figures

    scope = Scope(start=START, end=END)
    figures = copil_figures(scope)

    def floor():
        with connection.cursor() as cursor:
            cursor.execute(FLOOR_SQL, {"start": START, "end": END})
            return cursor.fetchall()

    rows = floor()
    total = next(r for r in rows if r[0] == "all")  # the floor computes the same figures
    assert (total[2], total[5], total[8]) == (figures["committed_eur"], figures["companies"], figures["jobs_created"]), total
    assert sum(1 for r in rows if r[0] == "beneficiary") == len(figures["beneficiaries"])
    report, base = timed(lambda: copil_figures(scope)), timed(floor)
    print(f"Copil report, all funds, {START} → {END}: committed {figures['committed_eur']} €, "
          f"{figures['companies']} companies, {figures['jobs_created']} jobs created")
    print(f"{'measure':<44}{'median':>12}")
    print(f"{'copil_figures (every breakdown, beneficiaries)':<44}{report * 1000:>10.0f}ms")
    print(f"{'floor: one hand-written SQL statement':<44}{base * 1000:>10.0f}ms")
    print(f"ratio {report / base:.2f} (target ≤ 1,5)")


if __name__ == "__main__":
    main()
