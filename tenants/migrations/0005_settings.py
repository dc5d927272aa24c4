from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("tenants", "0004_user_time_zone_validator"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="case_emails_off",
            field=models.JSONField(
                blank=True, default=list, help_text="The CaseEmail kinds this person turned off."
            ),
        ),
    ]
