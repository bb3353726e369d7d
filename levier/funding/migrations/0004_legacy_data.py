"""Data kept from before the revitalisation law and the de minimis regime were structured: the headcount
recorded for "the company or the group" becomes the company's; a commitment whose legal basis named de
minimis gets the general regime (once, here); a remainder once "paid to the Treasury" is an other use."""

from django.db import migrations
from django.db.models import F, Q


def forwards(apps, schema_editor):
    Convention = apps.get_model("funding", "Convention")
    Commitment = apps.get_model("funding", "Commitment")
    Convention.objects.filter(headcount__isnull=True).update(headcount=F("group_headcount"))
    Convention.objects.filter(remainder__gt=0).update(remainder_use="other")
    Commitment.objects.filter(de_minimis="").filter(
        Q(legal_basis__icontains="minimis") | Q(legal_basis__icontains="1407/2013") | Q(legal_basis__icontains="2023/2831")
    ).update(de_minimis="general")


class Migration(migrations.Migration):
    dependencies = [("funding", "0003_revitalisation_steps_loan_terms_de_minimis")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
