"""Writing many new rows of one model at once, ids known beforehand, without building model instances.

`BulkWriter(model, columns)` takes plain tuples (values of `columns`, in that order); every other column
of the model gets its default — called once per row when the default is callable. On PostgreSQL the
rows go through one `COPY … FROM STDIN`, on SQLite through `executemany`. Ids are reserved with
`reserve_ids` (PostgreSQL: the table's sequence; SQLite: after the largest id ever given, the caller
holding the write lock).

No `save()`, no signal, no `auto_now`: the caller sets every value it needs (timestamps included) and
writes its own audit entries. Must run inside a transaction (`transaction.atomic`). A status column
is written only inside `levier.core.workflow.bulk(model)`, each row's move checked by the caller.
"""

import enum
import json
from collections.abc import Iterable, Sequence

from django.db import connection, models


class JsonText(str):
    """JSON already serialised (one text shared by many rows): written as it is."""


def reserve_ids(model: type[models.Model], count: int) -> list[int]:
    """`count` new primary keys for `model`'s table, none of which any other insert will take."""
    if count <= 0:
        return []
    table, column = model._meta.db_table, model._meta.pk.column
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [table, column])
            sequence = cursor.fetchone()[0]
            cursor.execute("SELECT nextval(%s::regclass) FROM generate_series(1, %s)", [sequence, count])
            return [row[0] for row in cursor.fetchall()]
        if connection.vendor != "sqlite":
            raise NotImplementedError(connection.vendor)
        # SQLite serialises writers: inside the caller's transaction, after its first write, no other
        # connection can insert. AUTOINCREMENT never gives an id twice: start after its counter too.
        quoted = connection.ops.quote_name
        cursor.execute(f"SELECT MAX({quoted(column)}) FROM {quoted(table)}")
        largest = cursor.fetchone()[0] or 0
        cursor.execute("SELECT name FROM sqlite_master WHERE name = 'sqlite_sequence'")
        if cursor.fetchone():
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
            row = cursor.fetchone()
            largest = max(largest, row[0] if row else 0)
    return list(range(largest + 1, largest + 1 + count))


class BulkWriter:
    """New rows of `model`, given as tuples of `columns` (column names, `_id` for foreign keys)."""

    def __init__(self, model: type[models.Model], columns: Sequence[str]):
        by_column = {f.column: f for f in model._meta.concrete_fields}
        unknown = set(columns) - set(by_column)
        if unknown:
            raise ValueError(f"{model._meta.db_table}: unknown columns {sorted(unknown)}")
        self.model, self.given = model, list(columns)
        self.fields = [by_column[c] for c in self.given]
        rest = [f for f in model._meta.concrete_fields if f.column not in self.given and not f.primary_key]
        # A callable default is called for each row (a token, a uuid), except a JSON one: its text is shared.
        self.per_row = [f for f in rest if f.has_default() and callable(f.default) and not isinstance(f, models.JSONField)]
        self.constant = [f for f in rest if f not in self.per_row]
        self.columns = self.given + [f.column for f in self.constant] + [f.column for f in self.per_row]
        self.postgresql = connection.vendor == "postgresql"
        self._tail = tuple(self._default(f) for f in self.constant)
        self._json = [i for i, f in enumerate(self.fields) if isinstance(f, models.JSONField)]

    def _default(self, field):
        value = field.get_default() if field.has_default() else None
        if isinstance(value, enum.Enum):  # a choices member: its value (psycopg would write its name)
            value = value.value
        if value is None and not field.null:
            if isinstance(field, (models.CharField, models.TextField)):
                value = ""
            else:
                raise ValueError(f"{self.model._meta.db_table}.{field.column}: a value is required")
        return self._json_text(value) if isinstance(field, models.JSONField) and value is not None else value

    @staticmethod
    def _json_text(value):
        return json.dumps(value, ensure_ascii=False)

    def _complete(self, row: tuple) -> tuple:
        if self._json:
            row = list(row)
            for index in self._json:
                if row[index] is not None and type(row[index]) is not JsonText:
                    row[index] = self._json_text(row[index])
            row = tuple(row)
        if self.per_row:
            return row + self._tail + tuple(self._default(f) for f in self.per_row)
        return row + self._tail

    def write(self, rows: Iterable[tuple]) -> int:
        """Insert `rows` (each the values of `columns`, the primary key among them); returns their number."""
        from .workflow import assert_bulk_permitted

        assert_bulk_permitted(self.model, self.columns)
        quoted = ", ".join(connection.ops.quote_name(c) for c in self.columns)
        table = connection.ops.quote_name(self.model._meta.db_table)
        with connection.cursor() as cursor:
            if self.postgresql:
                count = 0
                with cursor.connection.cursor().copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(self._complete(row))
                        count += 1
                return count
            # sqlite3's own adapters for dates are deprecated: dates, times and decimals go through their field.
            prepare = [field.get_db_prep_save if isinstance(field, NEEDS_PREPARING) else None
                       for field in self.fields + self.constant + self.per_row]
            prepared = [tuple(value if function is None or value is None else function(value, connection)
                              for function, value in zip(prepare, self._complete(row), strict=True)) for row in rows]
            placeholders = ", ".join(["%s"] * len(self.columns))
            cursor.executemany(f"INSERT INTO {table} ({quoted}) VALUES ({placeholders})", prepared)
            return len(prepared)


NEEDS_PREPARING = (models.DateField, models.TimeField, models.DecimalField, models.UUIDField, models.DurationField)


def update_rows(model: type[models.Model], names: Sequence[str], objects: Iterable[models.Model]) -> int:
    """Write the fields `names` (attribute names, `_id` for foreign keys) of existing `objects`, by primary
    key, in one `executemany` — what `bulk_update` does without building a `CASE` expression per row and
    field (which took seconds per thousand rows). No signal, no `auto_now`: the caller sets every value."""
    from .workflow import assert_bulk_permitted

    assert_bulk_permitted(model, names)
    by_name = {f.attname: f for f in model._meta.concrete_fields}
    fields = [by_name[name] for name in names]
    quoted = connection.ops.quote_name
    assignments = ", ".join(f"{quoted(f.column)} = %s" for f in fields)
    rows = [tuple(f.get_db_prep_save(getattr(obj, f.attname), connection) for f in fields) + (obj.pk,)
            for obj in objects]
    if rows:
        with connection.cursor() as cursor:
            cursor.executemany(f"UPDATE {quoted(model._meta.db_table)} SET {assignments} "
                               f"WHERE {quoted(model._meta.pk.column)} = %s", rows)
    return len(rows)
