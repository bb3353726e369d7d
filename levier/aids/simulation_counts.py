"""How many simulations evaluated each scheme, counted in memory and written in batches.

An anonymous simulation would otherwise be a write transaction (and a commit) touching
thousands of rows. Counts are added in this process and written in one upsert statement at
most every LEVIER_SIMULATION_FLUSH_SECONDS (0 writes at once), when the statistics are read,
and at exit. A crashed process loses at most that many seconds of statistics — figures for
operators, not records of anyone's rights.
"""

import atexit
import json
import threading
import time
from collections import Counter
from datetime import date

from django.conf import settings
from django.db import connection

from .models import SimulationCount

_lock = threading.Lock()
_pending: dict[date, Counter] = {}  # day → scheme id → simulations
_since = time.monotonic()


def record(scheme_ids: list[int], day: date) -> None:
    """One more simulation for each scheme evaluated on `day`."""
    global _since
    with _lock:
        if not _pending:
            _since = time.monotonic()
        counts = _pending.get(day)
        if counts is None:
            counts = _pending[day] = Counter()
        counts.update(scheme_ids)  # counting plain ids runs in C
        due = time.monotonic() - _since >= settings.LEVIER_SIMULATION_FLUSH_SECONDS
    if due:
        flush()


def flush() -> None:
    """Write the pending counts in one statement (then forget them)."""
    with _lock:
        rows = [(scheme_id, day.isoformat(), n) for day, counts in _pending.items() for scheme_id, n in counts.items()]
        _pending.clear()
    if rows:
        _upsert(rows)


def _upsert(rows: list[tuple[int, str, int]]) -> None:
    table = SimulationCount._meta.db_table
    if connection.vendor == "postgresql":
        sql = (f"INSERT INTO {table} (scheme_id, day, count) "
               f"SELECT * FROM unnest(%s::bigint[], %s::date[], %s::integer[]) "
               f"ON CONFLICT (scheme_id, day) DO UPDATE SET count = {table}.count + excluded.count")
        params = [[r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows]]
    else:  # SQLite: the rows as a JSON array (`WHERE true` lifts the upsert's parsing ambiguity)
        sql = (f"INSERT INTO {table} (scheme_id, day, count) "
               f"SELECT value ->> 0, value ->> 1, value ->> 2 FROM json_each(%s) WHERE true "
               f"ON CONFLICT (scheme_id, day) DO UPDATE SET count = count + excluded.count")
        params = [json.dumps(rows)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _flush_at_exit() -> None:
    try:
        flush()
    except Exception:  # noqa: BLE001 — the database may already be gone at interpreter exit
        pass


atexit.register(_flush_at_exit)
