"""`make run` on the embedded default: SQLite, the demo data, beat's passes, and the pages people open first.

The suite itself runs on PostgreSQL, so anything written for PostgreSQL alone (SQL text, arrays, extensions)
would pass every other test and still break a newcomer's first `make run`. This runs what `make run` runs in a
child process on its own SQLite file: migrate, seed_demo, one pass of each beat task that reads or writes
cases, then each person's first pages through Django's test client.
"""

import os
import subprocess
import sys

from django.conf import settings

VISITS = """
from django.core.management import call_command
from django.test import Client
from django.test.utils import setup_test_environment

from tenants.models import User
from tickets.models import Case, Status

import datetime
from django.utils import timezone
from tickets.sweeps import sla_sweep

setup_test_environment()
call_command("sla_sweep", verbosity=0)
# Far enough ahead that every waiting demo case is reminded and auto-closed, as beat would in time.
later = sla_sweep(now=timezone.now() + datetime.timedelta(days=60))
assert later["closed"] > 0, later
call_command("dashboards_refresh", verbosity=0)
case = Case.objects.exclude(status=Status.CLOSED).order_by("received_at").first()
visits = {
    "supervisor@demo.test": [
        "/queue/", "/queue/?search=SD", "/queue/?search=bob", "/queue/?status=closed&search=bob",
        "/queue/?assignee=me", f"/portal/cases/{case.number}/", "/staff/notices/", "/kb/", "/status/",
    ],
    "mia@northwind-msp.test": ["/portal/", "/portal/?status=all"],
    "bob@acme.test": ["/portal/", "/portal/?status=closed", "/portal/cases/new/", "/kb/search/?q=password"],
}
failures = []
for email, paths in visits.items():
    client = Client()
    client.force_login(User.objects.get(email=email))
    for path in paths:
        status = client.get(path).status_code
        if status != 200:
            failures.append(f"{email} GET {path}: {status}")
# The SLA figures are PostgreSQL's: on SQLite their pages say so (503), they do not fail.
figures = [("supervisor@demo.test", "/dashboards/"), ("mia@northwind-msp.test", "/portal/reports/sla/")]
for email, path in figures:
    client = Client()
    client.force_login(User.objects.get(email=email))
    response = client.get(path)
    if response.status_code != 503 or b"need PostgreSQL" not in response.content:
        failures.append(f"{email} GET {path}: {response.status_code}, not the page that says why")
print("\\n".join(failures) or "ALL 200")
"""


def test_make_runs_embedded_default_serves_every_first_page(tmp_path):
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "VAR_DIR": str(tmp_path),
        "MEDIA_ROOT": str(tmp_path / "media"),
        "DEBUG": "1",
    }
    manage = [sys.executable, str(settings.BASE_DIR / "manage.py")]
    for command in (["migrate", "--noinput", "-v0"], ["seed_demo"]):
        done = subprocess.run([*manage, *command], env=env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr[-3000:]
    visited = subprocess.run(
        [*manage, "shell", "-c", VISITS], env=env, capture_output=True, text=True, timeout=300
    )
    assert visited.returncode == 0, visited.stderr[-3000:]
    assert visited.stdout.strip().endswith("ALL 200"), visited.stdout[-3000:]
