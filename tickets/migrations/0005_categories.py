"""Categories become data (docs/decisions.md, "Case categories"), step 1 of 3: the Category table with the
default categories, the cases' free text kept aside as `legacy_category`, and a nullable link to fill.

Three migrations, each its own transaction: on PostgreSQL a table whose rows were just updated through a
deferred foreign key cannot be altered in the same transaction.
"""

import django.db.models.deletion
from django.db import migrations, models

from tickets.categories import categories_install_defaults


def install(apps, schema_editor):
    categories_install_defaults(Category=apps.get_model("tickets", "Category"))


class Migration(migrations.Migration):
    dependencies = [("tickets", "0004_event_kinds")]

    operations = [
        migrations.CreateModel(
            name="Category",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("slug", models.SlugField(help_text="What the form and the API post; keep it once clients use it.", max_length=40, unique=True)),
                ("label", models.CharField(help_text="What people see.", max_length=80, unique=True)),
                ("is_active", models.BooleanField(default=True, help_text="Untick to retire it: new cases can no longer choose it, filed ones keep it.", verbose_name="offered")),
                ("position", models.PositiveSmallIntegerField(default=100, help_text="Lower comes first in the list.")),
            ],
            options={
                "verbose_name_plural": "categories",
                "ordering": ["position", "label"],
            },
        ),
        migrations.RunPython(install, migrations.RunPython.noop),
        migrations.RenameField(model_name="case", old_name="category", new_name="legacy_category"),
        # blank (no SQL): migrating back re-adds the column to a table with rows, as "" until 0006 refills it.
        migrations.AlterField(
            model_name="case", name="legacy_category", field=models.CharField(blank=True, max_length=80)
        ),
        migrations.AddField(
            model_name="case",
            name="category",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="cases",
                to="tickets.category",
            ),
        ),
    ]
