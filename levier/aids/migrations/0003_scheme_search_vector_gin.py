"""GIN index on the stored French search vector — PostgreSQL only (SQLite has no tsvector)."""

from django.db import migrations

CREATE = 'CREATE INDEX IF NOT EXISTS aids_scheme_search_vector_gin ON aids_scheme USING gin (search_vector)'
FILL = "UPDATE aids_scheme SET search_vector = to_tsvector('french'::regconfig, COALESCE(search_text, ''))"
DROP = "DROP INDEX IF EXISTS aids_scheme_search_vector_gin"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FILL)
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("aids", "0002_scheme_search_vector")]
    operations = [migrations.RunPython(forwards, backwards)]
