"""The email outbox: every case email is a row, claimed, sent and marked sent once (docs/decisions.md).

Writing: `outbox_queue` runs inside the transaction that records the event, so the rows commit with the change
or not at all. On commit it nudges a delivery task; that is best effort: with the broker down the rows wait
for beat's sweep (`outbox_sweep`, every minute).

Delivering: `outbox_deliver` claims one due row at a time (`select_for_update(skip_locked=True)`: pending →
sending, attempts + 1, committed), checks that the recipient may still read the case, renders it, sends it
and marks it sent at once, in its own statement. Two workers never claim the same row, and a task run twice
finds nothing left to claim.

The crash window is the send itself: a worker that dies after the claim and before the mark leaves the row
`sending`, and nobody can tell whether the mail server took the message. Such a row is never sent again on its
own: the sweep turns a row claimed longer than SENDING_LEASE ago into `interrupted`, which staff check and may
retry from the admin. The message carries a Message-ID of its own, the same on a retry.

A refusal or connection error from the mail server (OSError, which SMTPException is) puts the row back to
pending after 1, 2, 4, 8 minutes; the MAX_ATTEMPTS-th failure leaves it `failed`, in the admin.
"""

import datetime
import logging
import re
from collections.abc import Callable, Iterable
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from lib.emails import email_message
from tenants.models import User
from tickets.models import Case, CaseEvent, EmailStatus, OutboundEmail
from tickets.notifications import (
    CASE_UPDATE,
    ESCALATION,
    contacts_to_notify,
    email_context,
    may_receive,
    supervisors_to_notify,
)

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
FIRST_BACKOFF = datetime.timedelta(minutes=1)
# Longer than any send takes (the SMTP backend gives up after EMAIL_TIMEOUT): a row still `sending` after
# this was claimed by a worker that died.
SENDING_LEASE = datetime.timedelta(minutes=10)
INTERRUPTED_NOTE = (
    "Delivery was interrupted: the sender stopped after claiming this email and before recording it as sent. "
    "It may or may not have been delivered; check with the recipient before retrying."
)

Clock = Callable[[], datetime.datetime]


def outbox_queue(*, event: CaseEvent, template: str, recipients: Iterable[User]) -> list[OutboundEmail]:
    """Queue one email per recipient about `event`. Call inside the transaction that records the event."""
    emails = OutboundEmail.objects.bulk_create(
        OutboundEmail(
            event=event,
            recipient=person,
            address=person.email,
            template=template,
            next_attempt_at=event.created_at,
            created_at=event.created_at,
        )
        for person in recipients
    )
    if emails:
        _nudge_on_commit([email.pk for email in emails])
    return emails


@transaction.atomic
def outbox_queue_for_old_task(*, event_id: int, supervisors: bool) -> int:
    """What a notify_contacts / notify_supervisors message from before the outbox asked for, as outbox rows:
    queued once per event and template (the event row is locked, so two deliveries cannot both queue).
    Returns how many emails it queued."""
    event = CaseEvent.objects.select_for_update().filter(pk=event_id).first()
    template = ESCALATION if supervisors else CASE_UPDATE
    if event is None or event.emails.filter(template=template).exists():
        return 0
    recipients = supervisors_to_notify() if supervisors else contacts_to_notify(event=event)
    return len(outbox_queue(event=event, template=template, recipients=recipients))


def _nudge_on_commit(email_ids: list[int]) -> None:
    from tickets.tasks import deliver_emails

    # robust: a broker that is down must not turn a committed change into an error page; the rows wait.
    transaction.on_commit(lambda: deliver_emails.delay(email_ids=email_ids), robust=True)


def outbox_deliver(
    *, email_ids: list[int] | None = None, clock: Clock = timezone.now, limit: int = 1000
) -> int:
    """Send the pending emails that are due (only those of `email_ids` when given), one claim at a time, at
    most `limit`. Returns how many were sent. Safe to run twice and in several workers at once."""
    due_by = clock()
    sent = 0
    for _ in range(limit):
        email = _claim(email_ids=email_ids, due_by=due_by, now=clock())
        if email is None:
            break
        sent += _send(email, clock)
    return sent


def _claim(
    *, email_ids: list[int] | None, due_by: datetime.datetime, now: datetime.datetime
) -> OutboundEmail | None:
    with transaction.atomic():
        due = OutboundEmail.objects.filter(status=EmailStatus.PENDING, next_attempt_at__lte=due_by)
        if email_ids is not None:
            due = due.filter(pk__in=email_ids)
        email = (
            due.select_for_update(skip_locked=True, of=("self",))
            .select_related("event__case", "recipient")
            .order_by("next_attempt_at", "pk")
            .first()
        )
        if email is None:
            return None
        email.status, email.claimed_at, email.attempts = EmailStatus.SENDING, now, email.attempts + 1
        email.save(update_fields=["status", "claimed_at", "attempts"])
    return email


def _send(email: OutboundEmail, clock: Clock) -> int:
    """Send one claimed email; returns 1 if it left. Expects the row claimed (`sending`) by this worker."""
    rows = OutboundEmail.objects.filter(pk=email.pk)
    if not may_receive(email):
        rows.update(status=EmailStatus.SKIPPED, last_error="")
        return 0
    address = email.recipient.email
    # Rendered before anything leaves: a template error is a failure, never a half-sent email.
    try:
        message = email_message(
            template=email.template,
            to=[address],
            context=email_context(email),
            headers=outbound_headers(email),
        )
    except Exception as error:  # one broken email must not stop the batch; it stays visible in the admin
        logger.exception("Could not render outbound email %s", email.pk)
        rows.update(status=EmailStatus.FAILED, last_error=_describe(error))
        return 0
    try:
        message.send()
    except OSError as error:  # smtplib.SMTPException and socket errors: the server did not take it
        _send_failed(email, error, clock())
        return 0
    rows.update(status=EmailStatus.SENT, sent_at=clock(), address=address, last_error="")
    return 1


def _message_domain() -> str:
    return urlsplit(settings.SITE_URL).hostname or "supportdesk.invalid"


def message_id(email: OutboundEmail) -> str:
    """The same for every attempt at one row, so a retried interrupted email can be recognised."""
    return f"<outbox-{email.pk}.{email.created_at:%Y%m%d%H%M%S}@{_message_domain()}>"


def case_thread_id(case: Case) -> str:
    """The case's thread: every email about it names this as what it answers, so mail clients show one
    conversation per case and a reply's References lead back to the case (mailin)."""
    return f"<case-{case.pk}.{case.number}@{_message_domain()}>"


def outbound_headers(email: OutboundEmail) -> dict[str, str]:
    """Message-ID, threading (In-Reply-To / References: the case's thread), a Reply-To at the support address
    so an answer comes back as mail in, and Auto-Submitted so that out-of-office robots do not answer us
    (RFC 3834)."""
    thread = case_thread_id(email.event.case)
    headers = {
        "Message-ID": message_id(email),
        "In-Reply-To": thread,
        "References": thread,
        "Auto-Submitted": "auto-generated",
    }
    if settings.SUPPORT_EMAIL_ADDRESS:
        headers["Reply-To"] = settings.SUPPORT_EMAIL_ADDRESS
    return headers


OUTBOX_ID = re.compile(r"^outbox-(\d+)\.(\d{14})@(.+)$")
THREAD_ID = re.compile(r"^case-(\d+)\.(SD-\d{4}-\d+)@(.+)$")


def case_id_from_message_ids(message_ids: Iterable[str]) -> int | None:
    """The case an incoming reply answers, from its In-Reply-To / References (ids without angle brackets):
    one of our outbox Message-IDs or a case thread id, checked against the row it names (its time stamp or
    case number too, so a guessed number leads nowhere). The last reference that matches wins (the most
    recent in the thread). None when none is ours."""
    domain = _message_domain()
    for value in reversed(list(message_ids)):
        outbox = OUTBOX_ID.match(value)
        if outbox and outbox.group(3) == domain:
            email = OutboundEmail.objects.filter(pk=int(outbox.group(1))).select_related("event").first()
            if email is not None and f"{email.created_at:%Y%m%d%H%M%S}" == outbox.group(2):
                return email.event.case_id
        thread = THREAD_ID.match(value)
        if thread and thread.group(3) == domain:
            case_id = (
                Case.objects.filter(pk=int(thread.group(1)), number=thread.group(2))
                .values_list("pk", flat=True)
                .first()
            )
            if case_id is not None:
                return case_id
    return None


def is_our_message_id(value: str) -> bool:
    """Whether a Message-ID is one our outbox gave (mail of ours coming back in is never answered)."""
    outbox = OUTBOX_ID.match(value)
    return bool(outbox and outbox.group(3) == _message_domain())


def _send_failed(email: OutboundEmail, error: Exception, now: datetime.datetime) -> None:
    if email.attempts >= MAX_ATTEMPTS:
        status, next_attempt_at = EmailStatus.FAILED, email.next_attempt_at
    else:
        status, next_attempt_at = EmailStatus.PENDING, now + FIRST_BACKOFF * 2 ** (email.attempts - 1)
    OutboundEmail.objects.filter(pk=email.pk).update(
        status=status, next_attempt_at=next_attempt_at, last_error=_describe(error)
    )


def _describe(error: Exception) -> str:
    return f"{type(error).__name__}: {error}"[:2000]


def outbox_flag_interrupted(*, now: datetime.datetime) -> int:
    """Rows claimed more than SENDING_LEASE ago and never marked: their sender died mid-send. They become
    `interrupted`, not pending: they may have been delivered, so only staff send them again."""
    return OutboundEmail.objects.filter(
        status=EmailStatus.SENDING, claimed_at__lt=now - SENDING_LEASE
    ).update(status=EmailStatus.INTERRUPTED, last_error=INTERRUPTED_NOTE)


def outbox_sweep(*, clock: Clock = timezone.now) -> int:
    """Beat's pass, every minute: flag interrupted sends, then send whatever is due (rows whose nudge was
    lost while the broker was down, retries after a backoff, retries staff asked for)."""
    outbox_flag_interrupted(now=clock())
    return outbox_deliver(clock=clock)


RETRYABLE = [EmailStatus.PENDING, EmailStatus.FAILED, EmailStatus.INTERRUPTED]


@transaction.atomic
def outbox_retry(*, email_ids: list[int], now: datetime.datetime) -> int:
    """Staff send failed or interrupted emails (or pending ones waiting out a backoff) again now: one more
    attempt each. Sent, skipped and sending rows are left alone. Returns how many were queued."""
    retried = list(
        OutboundEmail.objects.select_for_update()
        .filter(pk__in=email_ids, status__in=RETRYABLE)
        .values_list("pk", flat=True)
    )
    OutboundEmail.objects.filter(pk__in=retried).update(status=EmailStatus.PENDING, next_attempt_at=now)
    if retried:
        _nudge_on_commit(retried)
    return len(retried)
