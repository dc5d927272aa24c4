"""The status page's emails go through the same outbox delivery as the case emails (lib/outbox.py): a refused
one is retried after 1, 2, 4, 8 minutes then failed, one whose sender died mid-send is never resent on its
own, and admins send either again from the list."""

import datetime

import pytest
from allauth.mfa.models import Authenticator
from django.core import mail
from django.utils import timezone

from lib.outbox import INTERRUPTED_NOTE, MAX_ATTEMPTS, SENDING_LEASE
from statuspage.models import StatusEmail, StatusEmailStatus
from statuspage.outbox import message_id, status_outbox_deliver, status_outbox_sweep
from statuspage.services import subscriber_subscribe
from tests.statuspage.helpers import make_components, open_incident

T0 = datetime.datetime(2026, 11, 23, 9, 0, tzinfo=datetime.UTC)


def at(instant):
    return lambda: instant


@pytest.fixture
def incident_email(demo):
    """Bob subscribed, and one incident update emailed to him, queued and not yet sent."""
    subscriber_subscribe(email="bob@acme.test", confirmed=True)
    open_incident(demo["engineer"], make_components(), title="Portal slow")
    return StatusEmail.objects.get()


@pytest.fixture
def admin_client(client, demo):
    admin = demo["admin"]
    Authenticator.objects.create(user=admin, type=Authenticator.Type.TOTP, data={"secret": "unused-in-test"})
    client.force_login(admin)  # signing in with the TOTP code is allauth's, tested there
    return client


def retry_from_admin(admin_client, email):
    response = admin_client.post(
        "/admin/statuspage/statusemail/",
        {"action": "retry_now", "_selected_action": [email.pk]},
        follow=True,
    )
    assert response.status_code == 200
    return response.content.decode()


def test_a_status_email_says_it_is_automatic_and_keeps_its_message_id(incident_email):
    assert status_outbox_deliver() == 1
    [message] = mail.outbox
    incident_email.refresh_from_db()
    assert message.extra_headers["Message-ID"] == message_id(incident_email)
    assert message.extra_headers["Message-ID"].startswith(f"<status-{incident_email.pk}.")
    # Out-of-office robots do not answer it (RFC 3834), as with every email we send.
    assert message.extra_headers["Auto-Submitted"] == "auto-generated"


def test_a_refused_status_email_is_retried_after_1_2_4_8_minutes_then_failed_and_admins_retry_it(
    incident_email, admin_client, settings
):
    settings.EMAIL_BACKEND = "tests.email_backends.RefusingBackend"
    email = incident_email
    waits = []
    now = email.next_attempt_at
    for attempt in range(1, MAX_ATTEMPTS + 1):
        assert status_outbox_deliver(clock=at(now)) == 0
        email.refresh_from_db()
        assert (email.attempts, email.last_error) == (
            attempt,
            "SMTPServerDisconnected: Connection unexpectedly closed",
        )
        if attempt < MAX_ATTEMPTS:
            assert email.status == StatusEmailStatus.PENDING
            waits.append(email.next_attempt_at - now)
            now = email.next_attempt_at
    assert waits == [datetime.timedelta(minutes=minutes) for minutes in (1, 2, 4, 8)]
    assert email.status == StatusEmailStatus.FAILED
    assert status_outbox_sweep(clock=at(now + datetime.timedelta(days=1))) == 0

    page = admin_client.get("/admin/statuspage/statusemail/", {"status__exact": "failed"}).content.decode()
    assert "bob@acme.test" in page and "SMTPServerDisconnected" in page

    # The mail server is fixed; an admin retries it: one more attempt, sent.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert "1 email(s) will be sent again now." in retry_from_admin(admin_client, email)
    assert status_outbox_deliver() == 1
    email.refresh_from_db()
    assert (email.status, email.attempts, email.last_error) == (StatusEmailStatus.SENT, MAX_ATTEMPTS + 1, "")
    assert [message.to for message in mail.outbox] == [["bob@acme.test"]]


def test_a_status_email_whose_sender_died_mid_send_is_flagged_never_resent_until_an_admin_retries(
    incident_email, admin_client
):
    # A worker claimed it at T0 and died before marking it sent.
    StatusEmail.objects.filter(pk=incident_email.pk).update(
        status=StatusEmailStatus.SENDING, claimed_at=T0, attempts=1
    )
    assert status_outbox_sweep(clock=at(T0 + SENDING_LEASE)) == 0  # it may still be sending
    assert StatusEmail.objects.get().status == StatusEmailStatus.SENDING

    assert status_outbox_sweep(clock=at(T0 + SENDING_LEASE + datetime.timedelta(seconds=1))) == 0
    email = StatusEmail.objects.get()
    assert (email.status, email.last_error, email.attempts) == (
        StatusEmailStatus.INTERRUPTED,
        INTERRUPTED_NOTE,
        1,
    )
    assert status_outbox_sweep() == 0
    assert mail.outbox == []

    # Bob never got it: retried from the admin, it is sent once.
    assert "1 email(s) will be sent again now." in retry_from_admin(admin_client, email)
    assert status_outbox_sweep() == 1
    assert status_outbox_sweep() == 0
    assert [message.to for message in mail.outbox] == [["bob@acme.test"]]


def test_admins_cannot_retry_a_sent_status_email(incident_email, admin_client):
    status_outbox_deliver()
    page = retry_from_admin(admin_client, incident_email)
    assert "1 sent, skipped or sending email(s) left as they are." in page
    assert status_outbox_sweep(clock=at(timezone.now() + datetime.timedelta(days=1))) == 0
    assert len(mail.outbox) == 1
