"""The email outbox: each case email is a row written with its change, sent once, retried with backoff when
the mail server refuses it, never sent twice after a crash, and visible to admins."""

import datetime
import email
import os
import signal

import pytest
from allauth.mfa.models import Authenticator
from django.core import mail
from django.db import transaction
from django.utils import timezone
from django_celery_beat.models import PeriodicTask
from django_celery_beat.schedulers import DatabaseScheduler

from supportdesk.celery import app
from tenants.models import Membership, Organization
from tests.conftest import wait_until
from tests.factories import MembershipFactory
from tests.tickets import helpers
from tickets.models import CaseEvent, EmailStatus, EventKind, OutboundEmail, ResponseKind
from tickets.outbox import (
    INTERRUPTED_NOTE,
    MAX_ATTEMPTS,
    SENDING_LEASE,
    message_id,
    outbox_deliver,
    outbox_flag_interrupted,
    outbox_retry,
    outbox_sweep,
)
from tickets.services import ticket_escalate, ticket_reply
from tickets.tasks import deliver_due_emails, deliver_emails, notify_contacts, notify_supervisors

T0 = datetime.datetime(2026, 11, 23, 9, 0, tzinfo=datetime.UTC)


def file_case(*args, **kwargs):
    """A case filed, its requester's receipt out of the way (tests/tickets/test_emails_to_customers.py tests
    it): these tests count the emails of what happens next."""
    case = helpers.file_case(*args, **kwargs)
    OutboundEmail.objects.filter(event__case=case).delete()
    return case


def answer(case, engineer, body="Fixed in 4.2."):
    return ticket_reply(case=case, author=engineer, body=body, kind=ResponseKind.ANSWER)


def emails_of(case):
    return OutboundEmail.objects.filter(event__case=case).order_by("address")


def at(*instants):
    """A clock that reads the given instants in turn, then keeps the last."""
    instants = list(instants)
    return lambda: instants.pop(0) if len(instants) > 1 else instants[0]


def test_a_staff_reply_writes_one_email_row_per_contact_with_the_reply(demo):
    case = file_case("bob@acme.test", "Acme", cc=[demo["alice"]])
    reply = answer(case, demo["engineer"])

    # Not committed yet, nothing sent: the rows are there already, one per contact, none for the engineer.
    assert mail.outbox == []
    rows = list(emails_of(case).values("address", "recipient", "template", "status", "attempts", "event"))
    event = case.events.get(kind="replied", data__reply_id=reply.pk)
    assert rows == [
        {
            "address": address,
            "recipient": demo[address.split("@")[0]].pk,
            "template": "case_update",
            "status": EmailStatus.PENDING,
            "attempts": 0,
            "event": event.pk,
        }
        for address in ["alice@acme.test", "bob@acme.test"]
    ]


def test_a_reply_rolled_back_leaves_no_email_behind(demo, django_capture_on_commit_callbacks):
    case = file_case("bob@acme.test", "Acme", cc=[demo["alice"]])
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            answer(case, demo["engineer"])
            raise RuntimeError("a later step of the same request failed")

    assert not emails_of(case).exists()
    assert not case.replies.exists()
    assert callbacks == [] and mail.outbox == []


def test_an_escalation_queues_one_email_per_active_supervisor(demo):
    case = file_case("bob@acme.test", "Acme")
    ticket_escalate(case=case, actor=demo["bob"], reason="Payroll runs tonight")
    assert list(emails_of(case).values_list("address", "template")) == [
        ("supervisor@demo.test", "escalation")
    ]


def test_a_delivery_run_twice_sends_each_email_once(demo):
    case = file_case("bob@acme.test", "Acme", cc=[demo["alice"]])
    answer(case, demo["engineer"])
    ids = list(emails_of(case).values_list("pk", flat=True))

    assert outbox_deliver(email_ids=ids) == 2
    assert outbox_deliver(email_ids=ids) == 0
    assert outbox_sweep() == 0
    assert sorted(message.to[0] for message in mail.outbox) == ["alice@acme.test", "bob@acme.test"]
    for row in emails_of(case):
        assert (row.status, row.attempts, row.last_error) == (EmailStatus.SENT, 1, "")
        assert row.sent_at is not None
        [message] = [message for message in mail.outbox if message.to == [row.address]]
        assert message.extra_headers["Message-ID"] == message_id(row)


def test_a_message_queued_under_the_old_task_names_is_mailed_once_through_the_outbox(demo):
    """Messages from before the outbox may wait in Redis across the upgrade: they still reach people, once."""
    case = file_case("bob@acme.test", "Acme", cc=[demo["alice"]])
    # An event of the old release: recorded with no outbox rows of its own.
    event = CaseEvent.objects.create(case=case, actor=demo["engineer"], kind=EventKind.REPLIED, data={})
    escalation = CaseEvent.objects.create(case=case, actor=demo["bob"], kind=EventKind.ESCALATED, data={})

    assert notify_contacts.apply(kwargs={"event_id": event.pk}).get() == 2
    assert notify_contacts.apply(kwargs={"event_id": event.pk}).get() == 0  # redelivered: nothing new
    assert notify_supervisors.apply(kwargs={"event_id": escalation.pk}).get() == 1
    assert notify_supervisors.apply(kwargs={"event_id": 10**9}).get() == 0  # an event since deleted

    outbox_sweep()
    assert sorted(message.to[0] for message in mail.outbox) == [
        "alice@acme.test",
        "bob@acme.test",
        "supervisor@demo.test",
    ]


def test_the_on_commit_nudge_sends_the_emails_of_the_change(demo, committed):
    case = file_case("bob@acme.test", "Acme")
    with committed():
        answer(case, demo["engineer"])
    assert [message.to for message in mail.outbox] == [["bob@acme.test"]]
    assert emails_of(case).get().status == EmailStatus.SENT


@pytest.fixture
def broker_down():
    """The Celery broker unreachable from this process (nothing listens on the discard port)."""

    def point_at(url):
        app.conf.broker_url = url
        app._pool = None  # the connection pools were built for the old address
        app.amqp._producer_pool = None

    working = app.conf.broker_url
    point_at("redis://127.0.0.1:9/0")
    yield
    point_at(working)


def test_with_the_broker_down_the_reply_is_saved_and_its_email_waits_for_the_sweep(
    demo, broker_down, django_capture_on_commit_callbacks
):
    case = file_case("bob@acme.test", "Acme")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        reply = answer(case, demo["engineer"])

    assert len(callbacks) == 1  # the nudge was tried, and failed without failing the reply
    assert case.replies.get() == reply
    assert emails_of(case).get().status == EmailStatus.PENDING
    assert mail.outbox == []

    assert outbox_sweep() == 1  # beat's next pass, once a worker runs again
    assert [message.to for message in mail.outbox] == [["bob@acme.test"]]


def test_a_contact_who_lost_access_before_the_send_is_skipped(demo):
    case = file_case("bob@acme.test", "Acme", cc=[demo["alice"]])
    answer(case, demo["engineer"])
    Membership.objects.filter(user=demo["alice"]).update(is_active=False)

    assert outbox_sweep() == 1
    assert [message.to for message in mail.outbox] == [["bob@acme.test"]]
    statuses = dict(emails_of(case).values_list("address", "status"))
    assert statuses == {"alice@acme.test": EmailStatus.SKIPPED, "bob@acme.test": EmailStatus.SENT}


def test_a_cc_moved_off_the_case_organization_before_the_send_is_skipped(demo):
    case = file_case("mia@northwind-msp.test", "Contoso Dental", cc=[demo["max"]])
    answer(case, demo["engineer"], body="Patched.")
    membership = Membership.objects.get(user=demo["max"])
    membership.organizations.set([Organization.objects.get(name="Fabrikam Logistics")])

    outbox_sweep()
    # (A Premium case also tells the engineers on duty; only the reply's emails matter here.)
    assert [message.to for message in mail.outbox if "Patched." in message.body] == [
        ["mia@northwind-msp.test"]
    ]
    assert emails_of(case).get(address="max@northwind-msp.test").status == EmailStatus.SKIPPED


def test_a_refused_email_is_retried_after_1_2_4_8_minutes_then_failed(demo, settings):
    settings.EMAIL_BACKEND = "tests.email_backends.RefusingBackend"
    case = file_case("bob@acme.test", "Acme")
    answer(case, demo["engineer"])
    row = emails_of(case).get()

    waits = []
    now = T0
    for attempt in range(1, MAX_ATTEMPTS + 1):
        assert outbox_deliver(clock=at(now)) == 0
        row.refresh_from_db()
        assert row.attempts == attempt
        assert row.last_error == "SMTPServerDisconnected: Connection unexpectedly closed"
        if attempt < MAX_ATTEMPTS:
            assert row.status == EmailStatus.PENDING
            waits.append(row.next_attempt_at - now)
            # Not due a second early.
            outbox_deliver(clock=at(row.next_attempt_at - datetime.timedelta(seconds=1)))
            row.refresh_from_db()
            assert row.attempts == attempt
            now = row.next_attempt_at
    assert waits == [datetime.timedelta(minutes=minutes) for minutes in (1, 2, 4, 8)]
    assert row.status == EmailStatus.FAILED
    assert outbox_sweep(clock=at(now + datetime.timedelta(days=1))) == 0
    row.refresh_from_db()
    assert (row.status, row.attempts) == (EmailStatus.FAILED, MAX_ATTEMPTS)

    # The mail server is fixed; staff retry from the admin: one more attempt.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert outbox_retry(email_ids=[row.pk], now=now) == 1
    assert outbox_deliver(clock=at(now)) == 1
    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_error) == (EmailStatus.SENT, MAX_ATTEMPTS + 1, "")
    assert [message.to for message in mail.outbox] == [["bob@acme.test"]]


def test_an_email_whose_sender_died_mid_send_is_flagged_for_staff_never_resent(demo):
    case = file_case("bob@acme.test", "Acme")
    answer(case, demo["engineer"])
    # A worker claimed it at T0 and died before marking it sent.
    OutboundEmail.objects.filter(event__case=case).update(
        status=EmailStatus.SENDING, claimed_at=T0, attempts=1
    )

    assert outbox_flag_interrupted(now=T0 + SENDING_LEASE) == 0  # it may still be sending
    assert outbox_sweep(clock=at(T0 + SENDING_LEASE + datetime.timedelta(seconds=1))) == 0
    row = emails_of(case).get()
    assert (row.status, row.last_error, row.attempts) == (EmailStatus.INTERRUPTED, INTERRUPTED_NOTE, 1)
    assert outbox_sweep() == 0
    assert mail.outbox == []

    # Staff checked with Bob, who never got it: retried, it is sent once.
    assert outbox_retry(email_ids=[row.pk], now=timezone.now()) == 1
    assert outbox_sweep() == 1
    assert outbox_sweep() == 0
    assert [message.to for message in mail.outbox] == [["bob@acme.test"]]


def test_staff_cannot_retry_a_sent_or_skipped_email(demo):
    case = file_case("bob@acme.test", "Acme", cc=[demo["alice"]])
    answer(case, demo["engineer"])
    Membership.objects.filter(user=demo["alice"]).update(is_active=False)
    outbox_sweep()

    assert outbox_retry(email_ids=list(emails_of(case).values_list("pk", flat=True)), now=timezone.now()) == 0
    assert outbox_sweep() == 0
    assert len(mail.outbox) == 1


@pytest.fixture
def admin_client(client, demo):
    admin = demo["admin"]
    Authenticator.objects.create(user=admin, type=Authenticator.Type.TOTP, data={"secret": "unused-in-test"})
    client.force_login(admin)  # signing in with the TOTP code is allauth's, tested there
    return client


def test_admins_see_failed_emails_and_retry_them_now(admin_client, demo, settings):
    settings.EMAIL_BACKEND = "tests.email_backends.RefusingBackend"
    case = file_case("bob@acme.test", "Acme", cc=[demo["alice"]])
    answer(case, demo["engineer"])
    OutboundEmail.objects.filter(address="alice@acme.test").update(attempts=MAX_ATTEMPTS - 1)
    outbox_sweep()
    failed = emails_of(case).get(address="alice@acme.test")
    assert failed.status == EmailStatus.FAILED

    response = admin_client.get("/admin/tickets/outboundemail/", {"status__exact": "failed"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "alice@acme.test" in page and case.number in page
    assert "SMTPServerDisconnected: Connection unexpectedly closed" in page
    assert "bob@acme.test" not in page  # still pending, filtered out
    assert admin_client.get(f"/admin/tickets/outboundemail/{failed.pk}/change/").status_code == 200

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    response = admin_client.post(
        "/admin/tickets/outboundemail/",
        {"action": "retry_now", "_selected_action": [failed.pk]},
        follow=True,
    )
    assert "1 email(s) will be sent again now." in response.content.decode()
    failed.refresh_from_db()
    assert (failed.status, failed.next_attempt_at <= timezone.now()) == (EmailStatus.PENDING, True)
    assert outbox_deliver(email_ids=[failed.pk]) == 1
    assert [message.to for message in mail.outbox] == [["alice@acme.test"]]


def test_beat_sweeps_the_outbox_every_minute(transactional_db):
    # What `celery beat --scheduler django_celery_beat…` does when it starts (it commits and closes the
    # connection itself, hence a test outside a transaction).
    DatabaseScheduler(app=app)
    task = PeriodicTask.objects.get(task=deliver_due_emails.name)
    assert (task.enabled, task.interval.every, task.interval.period) == (True, 60, "seconds")
    assert task.expire_seconds == 55  # a pass left queued while no worker ran is dropped


@pytest.mark.worker
def test_a_worker_killed_mid_batch_leaves_each_email_sent_once(start_worker, demo):
    backend = "tests.email_backends.SlowFileBackend"  # a tenth of a second per message, one file each
    first = start_worker(email_backend=backend)
    acme = demo["bob"].membership.account
    colleagues = [MembershipFactory(account=acme).user for _ in range(29)]
    case = file_case("bob@acme.test", "Acme", cc=colleagues)
    answer(case, demo["engineer"])  # commits: 30 emails queued, the worker nudged
    rows = OutboundEmail.objects.filter(event__case=case)
    assert rows.count() == 30

    outbox = first.outbox
    assert wait_until(lambda: outbox.exists() and len(list(outbox.iterdir())) >= 8), (
        first.log_path.read_text()
    )
    os.kill(first.pid, signal.SIGKILL)
    first.wait(timeout=10)
    files_at_kill = len(list(outbox.iterdir()))
    assert rows.filter(status=EmailStatus.PENDING).exists(), "the kill should land mid-batch"
    in_hand = list(rows.filter(status=EmailStatus.SENDING).values_list("pk", flat=True))
    assert len(in_hand) <= 1

    # Restarted, twice over; beat's sweep and the lost nudge both arrive, each twice.
    second = start_worker(email_backend=backend)
    third = start_worker(email_backend=backend)
    ids = list(rows.values_list("pk", flat=True))
    for _ in range(2):
        deliver_due_emails.delay()
        deliver_emails.delay(email_ids=ids)
    others_done = wait_until(
        lambda: not rows.exclude(pk__in=in_hand).exclude(status=EmailStatus.SENT).exists()
    )
    assert others_done, "".join(worker.log_path.read_text() for worker in [first, second, third])
    assert rows.filter(pk__in=in_hand, status=EmailStatus.SENDING).count() == len(in_hand)
    # Ten minutes on, the next sweep flags the email the killed worker had in hand.
    outbox_flag_interrupted(now=timezone.now() + SENDING_LEASE + datetime.timedelta(seconds=1))

    messages = [email.message_from_bytes(path.read_bytes()) for path in outbox.iterdir()]
    assert len(messages) >= files_at_kill
    message_ids_by_address = {}
    for message in messages:
        message_ids_by_address.setdefault(message["To"], []).append(message["Message-ID"])
    sent, interrupted = rows.filter(status=EmailStatus.SENT), rows.filter(status=EmailStatus.INTERRUPTED)
    assert sent.count() + interrupted.count() == 30
    assert list(interrupted.values_list("pk", flat=True)) == in_hand
    for row in sent:
        assert message_ids_by_address.pop(row.address) == [message_id(row)], row.address
    for row in interrupted:
        # Perhaps delivered just before the kill; never again.
        assert row.last_error == INTERRUPTED_NOTE
        assert message_ids_by_address.pop(row.address, []) in ([], [message_id(row)])
    assert message_ids_by_address == {}
