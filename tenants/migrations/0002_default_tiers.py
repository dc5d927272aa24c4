from django.db import migrations

from tenants.catalogue import tiers_install_defaults


def install(apps, schema_editor):
    tiers_install_defaults(Tier=apps.get_model("tenants", "Tier"))


class Migration(migrations.Migration):
    dependencies = [("tenants", "0001_initial")]
    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
