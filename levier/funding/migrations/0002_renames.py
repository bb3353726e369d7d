from django.db import migrations, models


class Migration(migrations.Migration):
    """The Commission's base rate is a table of its own (the margin belongs to each loan); a convention's
    remainder at closure is no longer "paid to the Treasury"; the reason of an amount is free text."""

    dependencies = [("funding", "0001_initial")]

    operations = [
        migrations.RenameModel("ReferenceRate", "BaseRate"),
        migrations.RenameField("baserate", "base_rate", "rate"),
        migrations.RemoveField("baserate", "margin"),
        migrations.RemoveField("baserate", "demonstration"),
        migrations.RenameField("convention", "shortfall_paid", "remainder"),
        migrations.RenameField("convention", "rate_reason", "amount_reason"),
        migrations.AlterField("convention", "amount_reason", models.TextField("motif du montant", blank=True)),
    ]
