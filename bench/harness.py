"""What every benchmark shares: a throwaway PostgreSQL database of its own (empty, or a copy of the generated
dataset), and percentiles."""

import os
import subprocess
import sys
import time
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


def _database_url(name: str) -> tuple[str, str]:
    """(the URL of database `name` beside the harness's, the URL of the server's maintenance database)."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("The benchmarks need PostgreSQL: run them through scripts/with-test-services (make bench).")
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}")), urlunsplit(parts._replace(path="/postgres"))


def _dataset_ready(admin_url: str, name: str) -> bool:
    connection = psycopg2.connect(admin_url)
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s", [name]
            )
            row = cursor.fetchone()
    finally:
        connection.close()
    return row is not None and row[0] == "generated"


def dataset_template(*, cases: int, accounts: int) -> str:
    """The name of a database holding the demo people and the generated dataset of this size, made once per
    PostgreSQL server (a 1,000,000-case dataset takes minutes) and reused by every benchmark after it.

    Made by `migrate`, the demo people (`demo_seed`) and `dataset_generate` in a child process (Django reads
    DATABASE_URL once), then marked "generated"; a half-made one is dropped and made again."""
    name = f"dataset_{cases}_{accounts}"
    url, admin_url = _database_url(name)
    if _dataset_ready(admin_url, name):
        return name
    _maintenance(admin_url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    _maintenance(admin_url, f"CREATE DATABASE {name}")
    environment = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "supportdesk.settings"}
    started = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "-c",
            "import django, sys; django.setup(); from django.core.management import call_command; "
            "from demo.dataset import dataset_generate; from demo.people import demo_seed; "
            "call_command('migrate', verbosity=0); demo_seed(); "
            f"dataset_generate(cases={cases}, accounts={accounts}, stream=sys.stderr)",
        ],
        env=environment,
        check=True,
        cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
    )
    _maintenance(admin_url, f"COMMENT ON DATABASE {name} IS 'generated'")
    print(
        f"Generated the dataset ({cases:,} cases, {accounts:,} accounts) "
        f"in {time.perf_counter() - started:.0f} s."
    )
    return name


def run_on_dataset(name: str, run: Callable[[], None], *, cases: int, accounts: int) -> None:
    """Like `run_in_bench_database`, on a fresh copy of the generated dataset (`dataset_template`): a
    benchmark may write to its copy; the next one starts from the same data."""
    template = dataset_template(cases=cases, accounts=accounts)
    run_in_bench_database(name, run, template=template)


def run_in_bench_database(name: str, run: Callable[[], None], *, template: str | None = None) -> None:
    """Create the database `name` (empty, or a copy of `template`) beside the one the harness set in
    DATABASE_URL (scripts/with-test-services), point Django at it, call `run`, and drop it whatever
    happened. BENCH_DB_SUFFIX, when set, is added to `name`, so that two runs of one benchmark can share a
    server."""
    name += os.environ.get("BENCH_DB_SUFFIX", "")
    url, admin_url = _database_url(name)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "supportdesk.settings")
    _maintenance(admin_url, f"DROP DATABASE IF EXISTS {name}")
    _maintenance(admin_url, f"CREATE DATABASE {name}" + (f" TEMPLATE {template}" if template else ""))
    try:
        run()
    finally:
        from django.db import connections

        connections.close_all()
        _maintenance(admin_url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]
