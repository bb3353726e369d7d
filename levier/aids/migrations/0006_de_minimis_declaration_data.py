"""Data kept from before the de minimis regime was a structured field: a component whose legal basis
named de minimis gets the general regime (once, here; the application never reads words again), and a
declared total becomes one declared aid dated at submission."""

from django.db import migrations

WORDS = ("minimis", "1407/2013", "2023/2831")


def _mark(components) -> bool:
    changed = False
    for component in components or []:
        if not component.get("de_minimis") and any(w in (component.get("legal_basis") or "").lower() for w in WORDS):
            component["de_minimis"] = "general"
            changed = True
    return changed


def forwards(apps, schema_editor):
    from levier.aids.models import published_versions_text
    from levier.aids.rules import rules_digest

    SchemeVersion = apps.get_model("aids", "SchemeVersion")
    Scheme = apps.get_model("aids", "Scheme")
    Application = apps.get_model("aids", "Application")
    DeclaredAid = apps.get_model("aids", "DeclaredAid")
    touched = set()
    for version in SchemeVersion.objects.all():
        if _mark(version.rules.get("components")):
            version.rules_digest = rules_digest(version.rules)
            version.save(update_fields=["rules", "rules_digest"])
            touched.add(version.scheme_id)
    for scheme in Scheme.objects.filter(pk__in=touched):
        rows = SchemeVersion.objects.filter(scheme=scheme, published=True).values_list("number", "effective_from", "rules_digest")
        scheme.published_versions = published_versions_text(rows)
        scheme.save(update_fields=["published_versions"])
    for application in Application.objects.all():
        changed = _mark((application.evaluation or {}).get("components"))
        if application.de_minimis_amount is not None:
            day = (application.submitted_at or application.created_at).date()
            application.de_minimis_declared_on = day
            changed = True
            if application.de_minimis_amount > 0:
                DeclaredAid.objects.create(application=application, granted_on=day, amount=application.de_minimis_amount,
                                           regime="general", grantor="Total déclaré avant la déclaration détaillée"
                                           + (f" : {application.de_minimis_details}"[:150] if application.de_minimis_details else ""))
        if changed:
            application.save(update_fields=["evaluation", "de_minimis_declared_on"])


class Migration(migrations.Migration):
    dependencies = [("aids", "0005_de_minimis_declaration")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
