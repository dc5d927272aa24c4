"""Reads that see the database as of one moment.

A page that reads a record in several queries (the case page: the case, then its events, its thread) can
otherwise show a mix of before and after a change made between two of them, and stamp its forms with an
event newer than what it shows (tickets.services.concurrency would then let a stale form through)."""

from contextlib import contextmanager

from django.db import connection, transaction


@contextmanager
def one_snapshot():
    """Run the reads inside in one transaction that sees one snapshot: PostgreSQL's REPEATABLE READ (for
    reads it never fails; writes inside would risk serialization errors, so keep writes out). SQLite's read
    transaction already sees one snapshot. Inside a transaction already begun (a test's, a caller's), that
    transaction's own isolation stands: the level can only be set before its first query."""
    begun_here = not connection.in_atomic_block
    with transaction.atomic():
        if begun_here and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        yield
