"""Categories become data, step 3 of 3: every case has a category now; the old free text goes."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("tickets", "0006_case_category_fill")]

    operations = [
        migrations.AlterField(
            model_name="case",
            name="category",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="cases", to="tickets.category"
            ),
        ),
        migrations.RemoveField(model_name="case", name="legacy_category"),
    ]
