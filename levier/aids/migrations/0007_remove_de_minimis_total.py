from django.db import migrations


class Migration(migrations.Migration):
    """The total and free-text detail of de minimis aid give way to the declared aids and linked companies."""

    dependencies = [("aids", "0006_de_minimis_declaration_data")]

    operations = [
        migrations.RemoveField(model_name="application", name="de_minimis_amount"),
        migrations.RemoveField(model_name="application", name="de_minimis_details"),
    ]
