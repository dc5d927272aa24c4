"""What every benchmark shares: a throwaway PostgreSQL database of its own, and percentiles."""

import os
import sys
from collections.abc import Callable
from urllib.parse import urlsplit, urlunsplit

import psycopg2


def _maintenance(admin_url: str, statement: str) -> None:
    connection = psycopg2.connect(admin_url)
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute(statement)
    finally:
        connection.close()


def run_in_bench_database(name: str, run: Callable[[], None]) -> None:
    """Create the database `name` beside the one the harness set in DATABASE_URL (scripts/with-test-services),
    point Django at it, call `run`, and drop it whatever happened."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("The benchmarks need PostgreSQL: run them through scripts/with-test-services (make bench).")
    parts = urlsplit(url)
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    os.environ["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{name}"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "supportdesk.settings")
    _maintenance(admin_url, f"DROP DATABASE IF EXISTS {name}")
    _maintenance(admin_url, f"CREATE DATABASE {name}")
    try:
        run()
    finally:
        from django.db import connections

        connections.close_all()
        _maintenance(admin_url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]
