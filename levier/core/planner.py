"""Planner settings for one query on PostgreSQL (no-op elsewhere).

PostgreSQL has no query hints: a statement whose plan the default cost model gets wrong runs with
transaction-local settings, put back as they were when the block ends (inside an outer transaction
too; a failing block is rolled back, and its settings with it). Each use says which misestimate it
corrects."""

from contextlib import contextmanager

from django.db import connection, transaction

ALLOWED = {"random_page_cost": float, "enable_hashjoin": bool, "enable_mergejoin": bool, "enable_seqscan": bool,
           "enable_bitmapscan": bool, "jit": bool}
# Key probes (a few thousand values looked up through a unique index) where the table's statistics
# predate the rows being written in the same transaction (a bulk import): without them, the planner
# believes the table small and scans it whole for each probe.
INDEX_PROBES = {"enable_hashjoin": False, "enable_mergejoin": False, "enable_seqscan": False,
                "enable_bitmapscan": False}


def _text(value) -> str:
    return ("on" if value else "off") if isinstance(value, bool) else str(value)


@contextmanager
def planner_settings(**settings):
    for name, value in settings.items():
        if name not in ALLOWED or not isinstance(value, ALLOWED[name]):
            raise ValueError(f"Réglage du planificateur non prévu : {name}={value!r}.")
    if connection.vendor != "postgresql":
        yield
        return
    names = list(settings)
    with transaction.atomic(), connection.cursor() as cursor:  # one statement to set them all, one to put them back
        cursor.execute("SELECT " + ", ".join(["current_setting(%s), set_config(%s, %s, true)"] * len(names)),
                       [value for name in names for value in (name, name, _text(settings[name]))])
        previous = cursor.fetchone()[0::2]
        yield
        cursor.execute("SELECT " + ", ".join(["set_config(%s, %s, true)"] * len(names)),
                       [value for name, before in zip(names, previous, strict=True) for value in (name, before)])
