"""Benchmark: the portal case list for Mia (portal admin of Northwind MSP) with 100,000 cases in her account.

Run through the test services: ``scripts/with-test-services .venv/bin/python bench/bench_portal_list.py``
(``make bench`` does). Needs PostgreSQL in DATABASE_URL: it creates its own database next to it
(``supportdesk_bench``), migrates, loads the demo data, adds 100,000 Northwind cases over three organizations
and two years (fixed seed, COPY), VACUUM ANALYZE, then times GET /portal/ as Mia with Django's test Client:
200 requests per series after a warm-up, in-process, so a figure is the server's time for the request
including middleware, queries and template rendering (no network, no browser). It counts the SQL queries per
request at several page sizes, EXPLAIN ANALYZEs the case queries the page runs, and drops its database.

Goal (issue): p95 under 50 ms, and a query count that does not grow with the page size.
"""

import io
import os
import random
import re
import statistics
import sys
import time
from datetime import datetime, timedelta
from datetime import time as clock

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from harness import percentile, run_in_bench_database  # noqa: E402

SEED = 20261122
N_CASES = 100_000
REQUESTS = 200
EXTRA_REQUESTS = 50
WARM_UP = 10
GOAL_P95_MS = 50.0
BENCH_DB = "supportdesk_bench"
NUMBER_PREFIX = "SD-B-"

# (category slug, subject): about one subject in five mentions SSO, so ?search=SSO matches a realistic share.
SUBJECTS = [
    ("sign_in", "SSO sign-in fails with “Invalid SAML response”"),
    ("sign_in", "SSO loop between the gateway and the app after upgrade"),
    ("sign_in", "Users get AADSTS50011 on SSO to Microsoft 365"),
    ("sign_in", "Intermittent HTTP 502 on sign-in"),
    ("sign_in", "SSO session not shared between two apps"),
    ("mfa", "MFA enrollment QR code not shown"),
    ("mfa", "MFA push notifications delayed"),
    ("mfa", "Remember-this-device ignored, MFA at every sign-in"),
    ("mfa", "Bulk enrollment of hardware tokens"),
    ("directory_sync", "LDAP sync skips users in nested groups"),
    ("directory_sync", "LDAP sync stalls at “Fetching changes”"),
    ("directory_sync", "Duplicate accounts after UPN change"),
    ("directory_sync", "Attribute mapping for employeeNumber"),
    ("sign_in", "SAML signing certificate expires soon: rotation steps"),
    ("sign_in", "New IdP certificate not picked up"),
    ("agent", "Windows agent install fails with error 1603"),
    ("agent", "Silent install ignores the proxy parameter"),
    ("agent", "Agent blocked by Smart App Control"),
    ("agent", "Agent reports “certificate not trusted”"),
    ("sign_in", "Password reset link expires immediately"),
    ("directory_sync", "SCIM provisioning stopped for one app"),
    ("admin_console", "Audit log export missing sign-in events"),
    ("sign_in", "Conditional access blocks shared kiosks"),
    ("admin_console", "Admin console shows a blank page"),
]
SEVERITIES = ([1] * 5) + ([2] * 25) + ([3] * 70)


# --------------------------------------------------------------------------- data


def generate_cases(*, now: datetime, account, organizations, requesters, contract) -> int:
    """COPY N_CASES Northwind cases into tickets_case: every column the model has, defaults for the rest."""
    from django.db import connection

    from sla.services import first_response_deadline, policy_for
    from tickets.models import Case, Category, CloseReason, Status

    rng = random.Random(SEED)
    categories = dict(Category.objects.values_list("slug", "pk"))
    policies = {severity: policy_for(tier=contract.tier, severity=severity) for severity in (1, 2, 3)}
    span = int(timedelta(days=730).total_seconds())
    fields = [field for field in Case._meta.concrete_fields if not field.primary_key]
    # Columns a row does not set get the model's default (computed once: none of them is a clock).
    defaults = {field.attname: field.get_default() for field in fields}
    buffer = io.StringIO()
    for i in range(N_CASES):
        organization = rng.choices(organizations, weights=[45, 35, 20])[0]
        requester = rng.choice(requesters[organization.pk])
        category, subject = rng.choice(SUBJECTS)
        severity = rng.choice(SEVERITIES)
        received_at = now - timedelta(seconds=rng.randrange(span))
        age = now - received_at
        deadline = first_response_deadline(policy=policies[severity], received_at=received_at)
        target = deadline.due - received_at
        # Older cases are closed; the last weeks hold the live ones.
        if age > timedelta(days=45) or rng.random() < 0.55:
            status = Status.CLOSED
        else:
            status = rng.choice(
                [Status.NEW, Status.OPEN, Status.OPEN, Status.WAITING_ON_CUSTOMER, Status.SOLUTION_PROPOSED]
            )
        responded = None
        if status != Status.NEW:
            responded = received_at + target * rng.uniform(0.05, 1.3)  # some answered late
            responded = min(responded, now)
        row = {
            "number": f"{NUMBER_PREFIX}{i + 1:06d}",
            "account_id": account.pk,
            "organization_id": organization.pk,
            "contract_id": contract.pk,
            "requester_id": requester.pk,
            "category_id": categories[category],
            "subject": subject,
            "description": f"{subject}. Seen on {rng.randint(1, 400)} devices since this morning.",
            "channel": rng.choices(["portal", "email", "phone", "chat"], weights=[80, 12, 5, 3])[0],
            "status": status,
            "requested_severity": severity,
            "severity": severity,
            "best_time_from": clock(8, 0),
            "best_time_to": clock(17, 0),
            "contact_time_zone": requester.time_zone,
            "received_at": received_at,
            "first_response_due": deadline.due,
            "first_response_at_risk_at": deadline.at_risk_at,
            "first_responded_at": responded,
            "created_at": received_at,
            "updated_at": responded or received_at,
        }
        if status == Status.CLOSED:
            closed = min(responded + timedelta(hours=rng.uniform(1, 240)), now)
            row.update(
                closed_at=closed,
                updated_at=closed,
                close_reason=rng.choice(
                    [CloseReason.CONFIRMED] * 6 + [CloseReason.CUSTOMER] * 3 + ["unconfirmed"]
                ),
            )
        elif status in (Status.WAITING_ON_CUSTOMER, Status.SOLUTION_PROPOSED):
            row.update(waiting_since=responded, auto_close_at=responded + timedelta(days=14))
        if status != Status.CLOSED and rng.random() < 0.03:
            row.update(
                escalated_at=min(received_at + timedelta(days=1), now), escalation_reason="Business impact."
            )
        buffer.write("\t".join(copy_text(row.get(name, defaults[name])) for name in defaults) + "\n")
    buffer.seek(0)
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(f"COPY {Case._meta.db_table} ({columns}) FROM STDIN", buffer)
    return N_CASES


def copy_text(value) -> str:
    """A value in COPY's text format."""
    if value is None:
        return r"\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime):
        return value.isoformat()
    text = str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


# --------------------------------------------------------------------------- measuring


def get(client, path: str):
    response = client.get(path)
    if response.status_code != 200:
        raise SystemExit(f"GET {path} answered {response.status_code}, not 200: the bench cannot measure it.")
    return response


def time_series(client, path: str, requests: int) -> dict:
    """Server time of `requests` GETs after a warm-up: in-process, so middleware, SQL and templates."""
    for _ in range(WARM_UP):
        get(client, path)
    samples = []
    for _ in range(requests):
        start = time.perf_counter()
        get(client, path)
        samples.append((time.perf_counter() - start) * 1000)
    return {"p50": statistics.median(samples), "p95": percentile(samples, 0.95), "max": max(samples)}


def queries_of(client, path: str) -> tuple[list[str], int, float]:
    """The SQL one request runs, the case rows it shows, and the time its queries took (ms)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as context:
        response = get(client, path)
    rows = response.content.decode().count(f">{NUMBER_PREFIX}")
    sql_ms = sum(float(query["time"]) for query in context.captured_queries) * 1000
    return [query["sql"] for query in context.captured_queries], rows, sql_ms


def plan_summary(sql: str) -> tuple[str, list[str]]:
    """EXPLAIN ANALYZE one captured query: a one-line summary (scans, execution time) and the whole plan."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        plan = [row[0] for row in cursor.fetchall()]
    scans = []
    for line in plan:
        found = re.search(
            r"(Index Only Scan|Index Scan|Bitmap Index Scan|Seq Scan)(?: Backward)?(?: using| on) (\S+)", line
        )
        if found and found.group(0) not in scans:
            scans.append(found.group(0))
    executed = next((line.strip() for line in plan if line.startswith("Execution Time")), "")
    return f"{'; '.join(scans) or 'no scan'} | {executed}", plan


def describe(sql: str) -> str:
    if sql.startswith("SELECT COUNT(*)"):
        return "count"
    found = re.search(r'FROM "(\w+)"', sql)
    return found.group(1) if found else sql[:30]


# --------------------------------------------------------------------------- main


def prepare() -> dict:
    """Migrate, load the demo data and the Northwind cases; returns who and what the measuring needs."""
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from demo.people import demo_seed
    from tenants.models import Account, Organization, User
    from tenants.selectors import contract_in_force
    from tickets.models import Case

    phases = {}
    mark = time.perf_counter()
    call_command("collectstatic", interactive=False, verbosity=0)
    call_command("migrate", verbosity=0)
    demo_seed()
    phases["migrate + demo"], mark = time.perf_counter() - mark, time.perf_counter()
    mia = User.objects.get(email="mia@northwind-msp.test")
    max_ = User.objects.get(email="max@northwind-msp.test")
    account = Account.objects.get(name="Northwind MSP")
    organizations = list(Organization.objects.filter(account=account).order_by("name"))
    requesters = {
        organization.pk: [mia] if organization.name == "Tailspin Clinics" else [max_, max_, mia]
        for organization in organizations
    }
    generate_cases(
        now=timezone.now(),
        account=account,
        organizations=organizations,
        requesters=requesters,
        contract=contract_in_force(account_id=account.pk),
    )
    phases["100,000 cases"], mark = time.perf_counter() - mark, time.perf_counter()
    with connection.cursor() as cursor:
        # What autovacuum does to a table this size soon after a load: statistics and the visibility map.
        # The harness commits asynchronously: until the COPY's commit reaches the WAL on disk, VACUUM marks no
        # page all-visible. Try again shortly after, so the count may be an index-only scan as in a settled
        # database (and say how far it got).
        for _ in range(10):
            cursor.execute("VACUUM ANALYZE tickets_case")
            cursor.execute("SELECT relpages, relallvisible FROM pg_class WHERE relname = 'tickets_case'")
            pages, visible = cursor.fetchone()
            if visible >= 0.99 * pages:
                break
            time.sleep(0.5)
    phases[f"VACUUM ANALYZE ({visible:,} of {pages:,} pages all-visible)"] = time.perf_counter() - mark
    print(
        f"Data: {Case.objects.filter(account=account).count():,} cases in Northwind MSP "
        f"({Case.objects.count():,} in all); prepared in "
        + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in phases.items())
        + "."
    )
    return {"mia": mia, "organizations": organizations}


def measure(*, mia, organizations) -> None:
    from django.test import Client

    from tickets import views
    from tickets.scope import scope_for
    from tickets.selectors import CaseFilters, case_list_for_portal

    print(
        f"After {WARM_UP} warm-up requests per series; Django test Client in-process, signed in as "
        "mia@northwind-msp.test (portal admin, all three organizations)."
    )
    client = Client()
    client.force_login(mia)
    tailspin = next(org for org in organizations if org.name == "Tailspin Clinics")
    # The three series with REQUESTS each, then more filters with fewer requests.
    series = [
        ("/portal/", "first page", REQUESTS),
        ("/portal/?page=50", "page 50", REQUESTS),
        ("/portal/?search=SSO", "search SSO", REQUESTS),
        ("/portal/?status=active", "not closed", EXTRA_REQUESTS),
        (f"/portal/?organization={tailspin.pk}&severity=1", "org + Sev 1", EXTRA_REQUESTS),
        (f"/portal/?search={NUMBER_PREFIX}054321", "case number", EXTRA_REQUESTS),
    ]
    results = []
    for path, label, requests in series:
        queries, rows, sql_ms = queries_of(client, path)
        figures = time_series(client, path, requests)
        results.append(
            {
                "path": path,
                "label": label,
                "requests": requests,
                "queries": queries,
                "rows": rows,
                "sql_ms": sql_ms,
                **figures,
            }
        )

    print()
    header = (
        f"{'series':<48} {'reqs':>4} {'rows':>4} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7} "
        f"{'queries':>7} {'SQL ms':>7}"
    )
    print(header + "  p95 < 50 ms")
    print("-" * (len(header) + 13))
    for result in results:
        name = f"{result['path']} ({result['label']})"
        print(
            f"{name:<48} {result['requests']:>4} {result['rows']:>4} "
            f"{result['p50']:>7.1f} {result['p95']:>7.1f} {result['max']:>7.1f} {len(result['queries']):>7} "
            f"{result['sql_ms']:>7.1f}  {'yes' if result['p95'] < GOAL_P95_MS else 'NO'}"
        )
    print("(SQL ms: the queries of one more request of the series, timed by CaptureQueriesContext.)")

    # Query count against the page size: the view's page size is a module constant, PAGE_SIZE.
    print()
    page_size = getattr(views, "PAGE_SIZE", None)
    if page_size is not None:
        counts = []
        for size in (10, 25, 100):
            views.PAGE_SIZE = size
            try:
                queries, rows, _ = queries_of(client, "/portal/")
            finally:
                views.PAGE_SIZE = page_size
            counts.append((size, rows, len(queries)))
        print("Queries per request against the page size (tickets.views.PAGE_SIZE set for one request each):")
        for size, rows, count in counts:
            print(f"  page size {size:>3}: {rows:>3} rows shown, {count} queries")
        constant = len({count for _, _, count in counts}) == 1
    else:
        print("The view has no PAGE_SIZE to vary: comparing the first page and page 50 instead.")
        constant = len(results[0]["queries"]) == len(results[1]["queries"])
    print(f"  constant in the page size: {'yes' if constant else 'NO'}")
    print("  GET /portal/ runs: " + ", ".join(describe(sql) for sql in results[0]["queries"]))

    print()
    print("EXPLAIN (ANALYZE) of the case queries each page runs:")
    seq_scans = []
    for result in results:
        for sql in result["queries"]:
            if 'FROM "tickets_case"' in sql:
                summary, _ = plan_summary(sql)
                kind = "count" if sql.startswith("SELECT COUNT(*)") else "page"
                print(f"  {result['path']:<40} {kind:<5} {summary}")
                if "Seq Scan on tickets_case" in summary:
                    seq_scans.append(f"{result['path']} ({kind})")
    print("  sequential scans of tickets_case: " + (", ".join(seq_scans) or "none"))
    main_query = case_list_for_portal(scope=scope_for(mia), filters=CaseFilters())[:25]
    print()
    print("Plan of the main list query, scope_for(mia) -> case_list_for_portal()[:25]:")
    print("  " + "\n  ".join(main_query.explain(analyze=True, buffers=True).splitlines()))


def run() -> None:
    import django

    django.setup()
    measure(**prepare())


if __name__ == "__main__":
    run_in_bench_database(BENCH_DB, run)
