import django.contrib.postgres.search
from django.db import migrations

# PostgreSQL only, like the search vector's index (0001): suggestions match and rank this small vector of the
# title, not the whole article's. SQLite searches with icontains.
INDEX = "CREATE INDEX article_title_vector ON knowledge_article USING gin (title_vector)"
FILL = "UPDATE knowledge_article SET title_vector = to_tsvector('english', coalesce(title, ''))"


def index_create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FILL)
        schema_editor.execute(INDEX)


def index_drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS article_title_vector")


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="article",
            name="title_vector",
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.RunPython(index_create, index_drop),
    ]
