"""Trigram indexes so that searching cases by subject or number stays fast at a million cases.

PostgreSQL only: the embedded SQLite default has no pg_trgm and small data.
"""

from django.db import migrations

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    # Django's icontains / iendswith compare UPPER(column::text) LIKE UPPER(pattern).
    "CREATE INDEX IF NOT EXISTS case_subject_trgm ON tickets_case USING gin ((UPPER(subject::text)) gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS case_number_trgm ON tickets_case USING gin ((UPPER(number::text)) gin_trgm_ops)",
]
BACKWARD = ["DROP INDEX IF EXISTS case_subject_trgm", "DROP INDEX IF EXISTS case_number_trgm"]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in FORWARD:
            schema_editor.execute(statement)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in BACKWARD:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("tickets", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
