from django.db import migrations

from sla.presets import preset_install


def install(apps, schema_editor):
    preset_install(
        name="default",
        Tier=apps.get_model("tenants", "Tier"),
        Calendar=apps.get_model("sla", "Calendar"),
        Policy=apps.get_model("sla", "Policy"),
        AutoCloseRule=apps.get_model("sla", "AutoCloseRule"),
    )


class Migration(migrations.Migration):
    dependencies = [("sla", "0001_initial"), ("tenants", "0002_default_tiers")]
    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
