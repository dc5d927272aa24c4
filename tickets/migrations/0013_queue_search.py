from django.db import migrations

# PostgreSQL only, like knowledge 0002. The queue's search (tickets/queue.py, `requesters_matching`) looks
# for the text in the requester's email and full name with icontains, which Django writes for PostgreSQL as
# UPPER(expression) LIKE UPPER('%text%'); without an index that is a scan of every person, once for each band
# of the queue. These trigram indexes are on exactly the expressions Django writes for `email` and for
# Concat("first_name", Value(" "), "last_name"), so the search uses them (tests/tickets/test_queue_speed.py
# holds that). The staff index serves the assignee menus (active staff by name) without reading every
# contact. SQLite, for `make run`, scans its few rows.
EMAIL = 'UPPER("email"::text)'
FULL_NAME = (
    "UPPER((COALESCE(\"first_name\", '') "
    "|| COALESCE((COALESCE(' ', '') || COALESCE(\"last_name\", '')), ''))::text)"
)
INDEXES = {
    "user_email_trgm": f"CREATE INDEX user_email_trgm ON tenants_user USING gin ({EMAIL} gin_trgm_ops)",
    "user_full_name_trgm": (
        f"CREATE INDEX user_full_name_trgm ON tenants_user USING gin ({FULL_NAME} gin_trgm_ops)"
    ),
    "user_staff": (
        "CREATE INDEX user_staff ON tenants_user (first_name, last_name, email) WHERE NOT (staff_role = '')"
    ),
}


def indexes_create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for statement in INDEXES.values():
        schema_editor.execute(statement)


def indexes_drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("tenants", "0005_settings"), ("tickets", "0012_staff_notices")]

    operations = [migrations.RunPython(indexes_create, indexes_drop)]
