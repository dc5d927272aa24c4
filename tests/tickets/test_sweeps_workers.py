"""The sweeps for real: PostgreSQL, Redis, `celery beat` and `celery worker` processes of the test."""

import datetime
import os
import signal
import subprocess
import sys
import time

import pytest
from django.db import connection
from django.utils import timezone

from demo.people import demo_seed
from tests.conftest import wait_until
from tests.tickets.helpers import file_case
from tickets.models import Case, CaseEvent, CloseReason, EventKind, OutboundEmail, Status
from tickets.tasks import sla_sweep


@pytest.fixture
def start_beat(start_worker, tmp_path):
    """A `celery beat` process with the database scheduler, queueing the SLA sweep every 2 seconds."""
    db = connection.settings_dict
    started = []

    def start():
        env = {
            **os.environ,
            "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
            "SLA_SWEEP_EVERY": "2",
        }
        log_path = tmp_path / "beat.log"
        beat = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "supportdesk",
                "beat",
                "--loglevel",
                "INFO",
                "--scheduler",
                "django_celery_beat.schedulers:DatabaseScheduler",
                "--schedule",
                str(tmp_path / "beat-schedule"),
            ],
            env=env,
            stdout=log_path.open("w"),
            stderr=subprocess.STDOUT,
        )
        beat.log_path = log_path
        started.append(beat)
        return beat

    yield start
    for beat in started:
        beat.terminate()
        beat.wait(timeout=30)


@pytest.mark.worker
def test_a_case_past_its_tiny_target_is_marked_breached_and_supervisors_emailed_by_beat_and_worker(
    start_worker, start_beat
):
    demo_seed()
    worker = start_worker()
    # Northwind is Premium (24 × 7): Sev 1 is due an hour after receipt; this one has four seconds left.
    received = timezone.now() - datetime.timedelta(hours=1) + datetime.timedelta(seconds=4)
    case = file_case("mia@northwind-msp.test", "Contoso Dental", 1, received_at=received)
    assert case.first_response_due == received + datetime.timedelta(hours=1)
    beat = start_beat()

    outbox = worker.outbox

    def supervisor_mail():
        if not outbox.exists():
            return []
        messages = [path.read_text() for path in outbox.glob("*.log")]
        return [m for m in messages if "To: supervisor@demo.test" in m and "target missed" in m]

    sent = wait_until(supervisor_mail, timeout=60)
    assert sent, worker.log_path.read_text() + beat.log_path.read_text()
    assert case.number in sent[0]
    [breach] = CaseEvent.objects.filter(case=case, kind=EventKind.BREACHED)
    assert breach.data == {"due": case.first_response_due.astimezone(datetime.UTC).isoformat()}
    assert len(supervisor_mail()) == 1


def _due_cases(count: int, closes_at: datetime.datetime) -> list[int]:
    """`count` cases waiting on Bob to confirm a proposed solution, due to close: copies of one case."""
    model = file_case("bob@acme.test", "Acme", subject="Copied")
    fields = {
        f.attname: getattr(model, f.attname)
        for f in Case._meta.concrete_fields
        if f.attname not in {"id", "number"}
    }
    fields.update(
        status=Status.SOLUTION_PROPOSED,
        waiting_since=closes_at - datetime.timedelta(days=14),
        auto_close_at=closes_at,
        first_responded_at=closes_at - datetime.timedelta(days=14),
    )
    Case.objects.filter(pk=model.pk).delete()
    made = Case.objects.bulk_create(
        [Case(number=f"SD-FAULT-{i:05d}", **fields) for i in range(count)], batch_size=2000
    )
    return [case.pk for case in made]


@pytest.mark.worker
def test_a_worker_killed_mid_sweep_leaves_every_case_closed_exactly_once(start_worker):
    demo_seed()
    closes_at = timezone.now() - datetime.timedelta(minutes=5)
    ids = _due_cases(10_000, closes_at)
    cases = Case.objects.filter(pk__in=ids)
    backend = "django.core.mail.backends.dummy.EmailBackend"  # the sends are the outbox's tests
    first = start_worker(email_backend=backend)
    sla_sweep.delay()
    killed_at = wait_until(lambda: cases.filter(status=Status.CLOSED).count() >= 1000, interval=0.05)
    os.kill(first.pid, signal.SIGKILL)
    first.wait(timeout=10)
    assert killed_at, first.log_path.read_text()
    closed_at_kill = cases.filter(status=Status.CLOSED).count()
    assert closed_at_kill < 10_000, "the kill should land mid-sweep"
    # Each case is untouched or fully done: a closed case has its event and its email, an open one neither.
    closings = CaseEvent.objects.filter(case__in=ids, kind=EventKind.STATUS_CHANGED, data__to="closed")
    assert closings.count() == closed_at_kill
    assert OutboundEmail.objects.filter(event__in=closings, template="auto_closed").count() == closed_at_kill

    # Restarted, and beat's next pass arrives (twice, as a redelivery would).
    second = start_worker(email_backend=backend)
    sla_sweep.delay()
    sla_sweep.delay()
    done = wait_until(lambda: not cases.exclude(status=Status.CLOSED).exists(), timeout=120)
    assert done, second.log_path.read_text()
    time.sleep(2)  # the second pass finds nothing left to do

    assert cases.filter(close_reason=CloseReason.UNCONFIRMED).count() == 10_000
    per_case = closings.values("case").distinct().count()
    assert closings.count() == per_case == 10_000
    emails = OutboundEmail.objects.filter(event__case__in=ids, template="auto_closed")
    assert emails.count() == emails.values("event__case").distinct().count() == 10_000
    assert set(emails.values_list("address", flat=True)) == {"bob@acme.test"}
