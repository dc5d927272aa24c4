from django.db import migrations

# PostgreSQL only, like 0002 and 0013. The queue's search looks for a case number or its tail
# (tickets/queue.py, `numbers_matching`) as REVERSE(UPPER(number)) LIKE 'reversed text%': this index reads
# that as one short range, where the trigram index of 0002 reads every number sharing "SD-2026-" (35 ms
# per band at 1,000,000 cases). text_pattern_ops serves LIKE prefixes whatever the database's collation.
# The expression must stay the one Django writes for Reverse(Upper("number")) (tests/tickets/
# test_queue_speed.py holds the match). ANALYZE gathers the expression's statistics at once, so that the
# planner knows a tail matches few cases (about a second at 1,000,000 cases; the index itself takes under
# a second). SQLite, for `make run`, scans its few rows.
NUMBER_TAIL = (
    'CREATE INDEX case_number_tail ON tickets_case (REVERSE(UPPER("number"::text)) text_pattern_ops)'
)


def indexes_create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(NUMBER_TAIL)
    schema_editor.execute("ANALYZE tickets_case")


def indexes_drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS case_number_tail")


class Migration(migrations.Migration):
    dependencies = [("tickets", "0013_queue_search")]

    operations = [migrations.RunPython(indexes_create, indexes_drop)]
