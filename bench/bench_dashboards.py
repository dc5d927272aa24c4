"""Benchmark: the SLA dashboards and the MSP SLA report on the generated dataset (1,000,000 cases).

Run through the test services: ``scripts/with-test-services .venv/bin/python bench/bench_dashboards.py``
(``make bench`` does). It works on its own copy of the generated dataset (bench/harness.py), first builds the
dashboards' figures from nothing (`figures_refresh`, as the first beat pass would: timed and printed), times
one minute pass after that, then times each page with Django's test Client in-process: LOADS GETs after a
warm-up, so a figure is the server's time for the request including middleware, queries and rendering.

Scale it down with BENCH_CASES (default 1,000,000) and BENCH_ACCOUNTS (default BENCH_CASES / 100);
BENCH_LOADS sets the loads per series (default 50).

Goal (issue 11): p95 under 300 ms for every series.
"""

import os
import statistics
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from harness import percentile, run_on_dataset  # noqa: E402

CASES = int(os.environ.get("BENCH_CASES", "1000000"))
ACCOUNTS = int(os.environ.get("BENCH_ACCOUNTS", str(max(100, CASES // 100))))
LOADS = int(os.environ.get("BENCH_LOADS", "50"))
WARM_UP = 3
GOAL_P95_MS = 300.0
BENCH_DB = "supportdesk_bench_dashboards"
SUPERVISOR = "supervisor@demo.test"


def time_series(client, path: str) -> dict:
    for _ in range(WARM_UP):
        response = client.get(path)
        if response.status_code != 200:
            raise RuntimeError(f"GET {path} answered {response.status_code}, not 200")
    samples = []
    for _ in range(LOADS):
        start = time.perf_counter()
        client.get(path)
        samples.append((time.perf_counter() - start) * 1000)
    return {"p50": statistics.median(samples), "p95": percentile(samples, 0.95), "max": max(samples)}


def slowest_queries(client, path: str) -> None:
    """The queries of one load of `path`, slowest first: where the time goes."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(path)
    with CaptureQueriesContext(connection) as context:
        client.get(path)
    queries = sorted(context.captured_queries, key=lambda q: -float(q["time"]))
    total = sum(float(q["time"]) for q in queries) * 1000
    print(f"{path}: {len(queries)} queries, {total:.0f} ms in the database; the slowest:")
    for query in queries[:8]:
        print(f"  {float(query['time']) * 1000:6.0f} ms  {query['sql'][:150]}")


def run() -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db.models import Count
    from django.test import Client

    from dashboards.models import CaseFigure
    from dashboards.services import figures_refresh
    from tenants.models import Account, Membership, User
    from tickets.models import Case

    call_command("collectstatic", interactive=False, verbosity=0)
    # The shared dataset was made at main's migrations: bring this copy to the code's (e.g. the roll-ups).
    call_command("migrate", interactive=False, verbosity=0)
    print(f"Dataset: {Case.objects.count():,} cases (demo/dataset.py, seed 20261122).")
    start = time.perf_counter()
    built = figures_refresh()
    print(f"First build of the figures: {built:,} cases in {time.perf_counter() - start:.1f} s.")
    start = time.perf_counter()
    again = figures_refresh()
    took = (time.perf_counter() - start) * 1000
    print(f"A minute pass after it: {again:,} cases (the pending ones) in {took:.0f} ms.")
    print(f"{CaseFigure.objects.count():,} figure rows.")
    # What autovacuum does after a bulk write: statistics, and the visibility map index-only scans need.
    from django.db import connection

    # tickets_case too: the live figures count open cases from tickets' indexes alone (index-only scans),
    # which on a fresh, never vacuumed table go to the table for every page not yet marked all-visible.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE dashboards_casefigure")
        cursor.execute("VACUUM ANALYZE tickets_case")

    busiest = Case.objects.values("account").annotate(n=Count("pk")).order_by("-n").first()
    msp = (
        Case.objects.filter(account__kind=Account.Kind.MSP)
        .values("account")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()
    )
    msp_admin = (
        Membership.objects.filter(account_id=msp["account"], role=Membership.Role.ADMIN, is_active=True)
        .order_by("-all_organizations", "pk")
        .first()
        .user
    )
    manager, customer = Client(), Client()
    manager.force_login(User.objects.get(email=SUPERVISOR))
    customer.force_login(msp_admin)
    series = [
        (manager, "dashboards, last 30 days, no filter", "/dashboards/"),
        (manager, "dashboards, last 90 days, no filter", "/dashboards/?period=90"),
        (manager, "dashboards, 90 days, Premium Sev 1", "/dashboards/?period=90&tier=premium&severity=1"),
        (manager, f"dashboards, 90 days, busiest account ({busiest['n']:,} cases)",
         f"/dashboards/?period=90&account={busiest['account']}"),
        (customer, f"MSP report, 90 days ({msp['n']:,} cases)", "/portal/reports/sla/?period=90"),
        (customer, "MSP report CSV, 90 days", "/portal/reports/sla.csv?period=90"),
    ]  # fmt: skip
    slowest_queries(manager, "/dashboards/?period=90")
    print(f"Django test Client in-process; {LOADS} loads per series after {WARM_UP} warm-up.")
    header = f"{'series':<52} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7}  goal"
    print(header)
    print("-" * len(header))
    for client, label, path in series:
        try:
            figures = time_series(client, path)
        except RuntimeError as error:
            print(f"{label:<52} not measured: {error}")
            continue
        verdict = f"p95 < {GOAL_P95_MS:.0f} ms: {'yes' if figures['p95'] < GOAL_P95_MS else 'NO'}"
        print(f"{label:<52} {figures['p50']:>7.1f} {figures['p95']:>7.1f} {figures['max']:>7.1f}  {verdict}")


if __name__ == "__main__":
    run_on_dataset(BENCH_DB, run, cases=CASES, accounts=ACCOUNTS)
