"""Benchmark: the public status page, cached and not, and GET /api/v1/status/.

Run through the test services: ``scripts/with-test-services .venv/bin/python bench/bench_status.py``
(``make bench`` does). Needs PostgreSQL in DATABASE_URL and Redis in REDIS_URL (the cache the page uses):
it creates its own database (``supportdesk_bench_status``), migrates, and writes through the services 16
components in 4 groups, 120 incidents over the last 90 days with 4 updates each (one still open) and 20
maintenance windows. Each figure is the server's time for GET with Django's test Client, in-process
(middleware, cache, rendering; no network): REQUESTS requests after a warm-up.

"cached" is what visitors get: the snapshot and the rendered board come from the cache. "uncached" bumps the
cache generation before each request, as a write does, so every request recomputes the snapshot and renders
the board: the cost of the first visitor after each change. Goal (issue 12): cached p95 under 20 ms.
"""

import datetime
import os
import statistics
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from harness import percentile, run_in_bench_database  # noqa: E402

REQUESTS = 200
WARM_UP = 10
BENCH_DB = "supportdesk_bench_status"


def time_get(client, path: str, before=None) -> dict:
    for _ in range(WARM_UP):
        response = client.get(path)
        if response.status_code != 200:
            raise SystemExit(f"GET {path} answered {response.status_code}, not 200.")
    samples = []
    for _ in range(REQUESTS):
        if before:
            before()
        start = time.perf_counter()
        client.get(path)
        samples.append((time.perf_counter() - start) * 1000)
    return {"p50": statistics.median(samples), "p95": percentile(samples, 0.95)}


def seed(now: datetime.datetime) -> None:
    from statuspage.models import Component, ComponentGroup, ComponentState, IncidentStatus, Maintenance
    from statuspage.services import incident_open, incident_post_update
    from tenants.models import StaffRole, User

    engineer = User.objects.create_user("bench-engineer@demo.test", staff_role=StaffRole.ENGINEER)
    components = []
    for g in range(4):
        group = ComponentGroup.objects.create(name=f"Group {g + 1}", position=g)
        components += [
            Component.objects.create(group=group, name=f"Component {g + 1}.{c + 1}") for c in range(4)
        ]
    states = [ComponentState.DEGRADED, ComponentState.PARTIAL_OUTAGE, ComponentState.MAJOR_OUTAGE]
    for i in range(120):
        started = now - datetime.timedelta(days=89, hours=-(i * 18) % 24) + datetime.timedelta(hours=i * 17.5)
        affected = components[i % 16 : i % 16 + 3]
        incident = incident_open(
            actor=engineer,
            title=f"Incident {i + 1}",
            status=IncidentStatus.INVESTIGATING,
            body="Looking into it. " * 10,
            component_states={c.pk: states[i % 3] for c in affected},
            now=started,
        )
        for step, status in enumerate(
            [IncidentStatus.IDENTIFIED, IncidentStatus.MONITORING, IncidentStatus.RESOLVED]
        ):
            if i == 119 and status == IncidentStatus.RESOLVED:
                break  # the last one stays open: the banner shows
            incident_post_update(
                incident_id=incident.pk,
                actor=engineer,
                status=status,
                body="An update. " * 10,
                component_states={c.pk: states[(i + step) % 3] for c in affected[:2]},
                now=started + datetime.timedelta(minutes=30 * (step + 1)),
            )
    for m in range(20):
        starts = now - datetime.timedelta(days=85) + datetime.timedelta(days=m * 4.5)
        window = Maintenance.objects.create(
            title=f"Maintenance {m + 1}",
            starts_at=starts,
            ends_at=starts + datetime.timedelta(hours=2),
            created_by=engineer,
            created_at=starts,
        )
        window.components.set(components[m % 16 : m % 16 + 2])


def run() -> None:
    import django

    django.setup()
    from django.core.cache import cache
    from django.core.management import call_command
    from django.test import Client
    from django.utils import timezone

    from statuspage.services import status_changed
    from tenants.models import User

    mark = time.perf_counter()
    call_command("collectstatic", interactive=False, verbosity=0)
    call_command("migrate", verbosity=0)
    seed(timezone.now())
    print(
        "Data: migrate, 16 components, 120 incidents, 20 maintenance windows: "
        f"{time.perf_counter() - mark:.1f} s."
    )
    cache.clear()
    anonymous = Client()
    signed_in = Client()
    signed_in.force_login(User.objects.get(email="bench-engineer@demo.test"))
    print(f"GET, {REQUESTS} requests after {WARM_UP} warm-up; ms.")
    header = f"{'request':<44} {'p50':>7} {'p95':>7}"
    print(header)
    print("-" * len(header))
    rows = [
        ("/status/ anonymous, cached", anonymous, "/status/", None),
        ("/status/ signed-in engineer, cached", signed_in, "/status/", None),
        ("/api/v1/status/ cached", anonymous, "/api/v1/status/", None),
        ("/status/ anonymous, after each write", anonymous, "/status/", status_changed),
        ("/api/v1/status/ after each write", anonymous, "/api/v1/status/", status_changed),
    ]
    for label, client, path, before in rows:
        figures = time_get(client, path, before)
        print(f"{label:<44} {figures['p50']:>7.1f} {figures['p95']:>7.1f}")
    print()
    print(
        "Fresh: every write bumps the cache generation (at once and on commit); a snapshot also lives at most"
    )
    print("60 s and never past the next maintenance start or end. Goal: cached p95 under 20 ms.")


if __name__ == "__main__":
    run_in_bench_database(BENCH_DB, run)
