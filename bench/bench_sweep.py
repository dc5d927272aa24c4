"""Benchmark: one SLA sweep (tickets/sweeps.py) over a million cases, 100,000 of them due to auto-close.

Run through the test services: ``scripts/with-test-services .venv/bin/python bench/bench_sweep.py`` (``make
bench`` does). Needs PostgreSQL in DATABASE_URL: it creates its own database next to it
(``supportdesk_bench_sweep``), migrates and loads the demo data, files one case through ticket_create, and
copies it set-based (INSERT … SELECT over generate_series) into BENCH_SWEEP_CASES cases (default 1,000,000):
a tenth waiting on a proposed solution past their auto-close instant (reminded already), a fiftieth waiting
with two weeks to go, a fiftieth open and answered, the rest closed. Then, in this process:

- one sweep: wall time, cases closed per second, peak resident memory of the process before and after;
- a pass with nothing due, the median of PASSES.

Goal (issue 10): at least 10,000 cases closed per second; under 100 ms when nothing is due; memory flat
(batches of tickets.sweeps.BATCH_SIZE, never the whole set in memory).
"""

import os
import resource
import statistics
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from harness import run_in_bench_database  # noqa: E402

BENCH_DB = "supportdesk_bench_sweep"
CASES = int(os.environ.get("BENCH_SWEEP_CASES", "1000000"))
PASSES = 20


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes


def build(template_id: int, total: int) -> dict[str, int]:
    """Copy the template case `total` times in one statement; returns how many of each kind."""
    from django.db import connection

    from tickets.models import Case

    due, waiting, open_ = total // 10, total // 50, total // 50
    kinds = {"due to auto-close": due, "waiting, not due": waiting, "open, answered": open_}
    kinds["closed"] = total - due - waiting - open_
    a, b, c = due, due + waiting, due + waiting + open_
    overrides = {
        "number": "'BENCH-' || g",
        "status": f"CASE WHEN g <= {a} THEN 'solution_proposed' WHEN g <= {b} THEN 'waiting_on_customer' "
        f"WHEN g <= {c} THEN 'open' ELSE 'closed' END",
        "received_at": "now() - interval '30 days'",
        "created_at": "now() - interval '30 days'",
        "first_response_due": "now() - interval '29 days'",
        "first_response_at_risk_at": "now() - interval '29 days 1 hour'",
        "first_responded_at": "now() - interval '29 days 2 hours'",
        "closed_at": f"CASE WHEN g > {c} THEN now() - interval '20 days' END",
        "close_reason": f"CASE WHEN g > {c} THEN 'confirmed' ELSE '' END",
        "waiting_since": f"CASE WHEN g <= {a} THEN now() - interval '15 days' "
        f"WHEN g <= {b} THEN now() - interval '1 day' END",
        "auto_close_at": f"CASE WHEN g <= {a} THEN now() - interval '1 hour' "
        f"WHEN g <= {b} THEN now() + interval '14 days' END",
        "auto_close_remind_at": f"CASE WHEN g <= {a} THEN now() - interval '2 days' "
        f"WHEN g <= {b} THEN now() + interval '12 days' END",
        "auto_close_reminded_for": f"CASE WHEN g <= {a} THEN now() - interval '1 hour' END",
    }
    columns = [f.column for f in Case._meta.concrete_fields if f.column != "id"]
    select = ", ".join(overrides.get(column, f"t.{column}") for column in columns)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO tickets_case ({', '.join(columns)}) SELECT {select} "  # noqa: S608 (our own names)
            f"FROM generate_series(1, {total}) g CROSS JOIN tickets_case t WHERE t.id = %s",
            [template_id],
        )
        cursor.execute("DELETE FROM tickets_outboundemail")
        cursor.execute("DELETE FROM tickets_caseevent WHERE case_id = %s", [template_id])
        cursor.execute("DELETE FROM tickets_case WHERE id = %s", [template_id])
        cursor.execute("ANALYZE")
    return kinds


def run() -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    from demo.people import demo_seed
    from tests.tickets.helpers import file_case
    from tickets.models import Case, CaseEvent, OutboundEmail
    from tickets.sweeps import BATCH_SIZE, sla_sweep

    mark = time.perf_counter()
    call_command("migrate", verbosity=0)
    demo_seed()
    template = file_case("bob@acme.test", "Acme", subject="Bench")
    kinds = build(template.pk, CASES)
    print(f"Data: {CASES:,} cases in {time.perf_counter() - mark:.1f} s (migrate, demo, INSERT … SELECT).")
    print("  " + ", ".join(f"{kind}: {count:,}" for kind, count in kinds.items()))

    sla_sweep(now=timezone.now() - timezone.timedelta(days=365))  # warm-up: connections, imports, nothing due
    rss_before = peak_rss_mb()
    start = time.perf_counter()
    done = sla_sweep()
    seconds = time.perf_counter() - start
    rss_after = peak_rss_mb()
    closed = done["closed"]
    assert closed == kinds["due to auto-close"], done
    assert Case.objects.filter(status="closed").count() == kinds["closed"] + closed
    print()
    print(f"One sweep (batches of {BATCH_SIZE:,}): {done}")
    print(
        f"  wall {seconds:.2f} s, {closed / seconds:,.0f} cases closed/s (goal >= 10,000); "
        f"{CaseEvent.objects.count():,} events, {OutboundEmail.objects.count():,} emails queued"
    )
    print(f"  peak RSS of this process: {rss_before:.0f} MB before the sweep, {rss_after:.0f} MB after")

    samples = []
    for _ in range(PASSES):
        start = time.perf_counter()
        nothing = sla_sweep()
        samples.append((time.perf_counter() - start) * 1000)
    assert sum(nothing.values()) == 0, nothing
    print(
        f"A pass with nothing due: median {statistics.median(samples):.1f} ms, max {max(samples):.1f} ms "
        f"over {PASSES} passes (goal < 100 ms)"
    )


if __name__ == "__main__":
    run_in_bench_database(BENCH_DB, run)
