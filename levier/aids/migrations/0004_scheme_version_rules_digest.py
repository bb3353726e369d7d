"""The digest of each version's rules, and on each scheme the summary of its published versions:
the simulator reads them instead of joining the versions and reading their rules."""

from django.db import migrations, models

from levier.aids.models import published_versions_text
from levier.aids.rules import rules_digest


def fill(apps, schema_editor):
    SchemeVersion = apps.get_model("aids", "SchemeVersion")
    Scheme = apps.get_model("aids", "Scheme")
    versions = list(SchemeVersion.objects.only("id", "scheme_id", "number", "effective_from", "published", "rules"))
    published: dict[int, list] = {}
    for version in versions:
        version.rules_digest = rules_digest(version.rules)
        if version.published:
            published.setdefault(version.scheme_id, []).append(
                (version.number, version.effective_from, version.rules_digest))
    SchemeVersion.objects.bulk_update(versions, ["rules_digest"], batch_size=1000)
    schemes = [Scheme(pk=scheme_id, published_versions=published_versions_text(rows))
               for scheme_id, rows in published.items()]
    Scheme.objects.bulk_update(schemes, ["published_versions"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [("aids", "0003_scheme_search_vector_gin")]

    operations = [
        migrations.AddField(
            model_name="schemeversion",
            name="rules_digest",
            field=models.CharField(blank=True, editable=False, max_length=32),
        ),
        migrations.AddField(
            model_name="scheme",
            name="published_versions",
            field=models.TextField(blank=True, default="", editable=False),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
