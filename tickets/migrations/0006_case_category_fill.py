"""Categories become data, step 2 of 3: each case gets the category its old free text names (by slug or
label, ignoring case), or "Something else" when it names none. The texts sent there are printed, for the
record. Backwards, each case's text becomes its category's label."""

from django.db import migrations

from tickets.categories import case_categories_convert, case_categories_restore


def convert(apps, schema_editor):
    unmatched = case_categories_convert(
        Case=apps.get_model("tickets", "Case"), Category=apps.get_model("tickets", "Category")
    )
    for text, slug in sorted(unmatched.items()):
        print(f"\n  Cases with category {text!r} now have the category {slug!r}.", end="")


def restore(apps, schema_editor):
    case_categories_restore(Case=apps.get_model("tickets", "Case"), Category=apps.get_model("tickets", "Category"))


class Migration(migrations.Migration):
    dependencies = [("tickets", "0005_categories")]

    operations = [migrations.RunPython(convert, restore)]
