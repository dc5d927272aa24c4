"""The case email outbox: every case email is a row, claimed, sent and marked sent once (docs/decisions.md).

Writing: `outbox_queue` runs inside the transaction that records the event, so the rows commit with the change
or not at all. On commit it nudges a delivery task; with the broker down the rows wait for beat's sweep.

Delivering is lib/outbox.py's, shared with the status page's emails (claim with skip_locked, send, mark;
backoff on a refusal; `interrupted` past the lease, retried by staff only). What is the cases' own is here:
the recipient must still be able to read the case when the email is sent (else it is skipped), the address
is theirs at that moment, and each email carries its own Message-ID and the case's thread
(`outbound_headers`), which mail in reads back (`case_id_from_message_ids`). The delivery's rules
(MAX_ATTEMPTS, SENDING_LEASE, INTERRUPTED_NOTE) are lib/outbox.py's, named here too.
"""

import datetime
import re
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone

from lib import outbox as lib_outbox
from lib.emails import email_message
from lib.outbox import INTERRUPTED_NOTE as INTERRUPTED_NOTE
from lib.outbox import MAX_ATTEMPTS as MAX_ATTEMPTS
from lib.outbox import SENDING_LEASE as SENDING_LEASE
from lib.outbox import Clock, Outbox, message_domain
from tenants.models import User
from tickets.models import Case, CaseEvent, OutboundEmail
from tickets.notifications import (
    CASE_UPDATE,
    ESCALATION,
    contacts_to_notify,
    email_context,
    may_receive,
    supervisors_to_notify,
)


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


def _deliver_later(email_ids: list[int]) -> None:
    from tickets.tasks import deliver_emails  # the tasks import this module

    deliver_emails.delay(email_ids=email_ids)


def _render(email: OutboundEmail) -> EmailMessage:
    return email_message(
        template=email.template,
        to=[email.recipient.email],  # their address now: one changed since the email was queued gets it
        context=email_context(email),
        headers=outbound_headers(email),
    )


CASE_EMAILS = Outbox(
    model=OutboundEmail,
    may_send=may_receive,
    render=_render,
    deliver_later=_deliver_later,
    related=("event__case", "recipient"),
)


def _nudge_on_commit(email_ids: list[int]) -> None:
    CASE_EMAILS.nudge_on_commit(email_ids)


def outbox_deliver(
    *, email_ids: list[int] | None = None, clock: Clock = timezone.now, limit: int = 1000
) -> int:
    """Send the case emails that are due (only those of `email_ids` when given), at most `limit`. Returns how
    many were sent. Safe to run twice and in several workers at once."""
    return CASE_EMAILS.deliver(email_ids=email_ids, clock=clock, limit=limit)


def outbox_flag_interrupted(*, now: datetime.datetime) -> int:
    """Case emails whose sender died mid-send become `interrupted` (lib/outbox.py)."""
    return CASE_EMAILS.flag_interrupted(now=now)


def outbox_sweep(*, clock: Clock = timezone.now) -> int:
    """Beat's minute pass over the case emails: flag interrupted sends, then send whatever is due."""
    return CASE_EMAILS.sweep(clock=clock)


def outbox_retry(*, email_ids: list[int], now: datetime.datetime) -> int:
    """Staff send failed or interrupted case emails again now (the admin's "Retry now")."""
    return CASE_EMAILS.retry(email_ids=email_ids, now=now)


def message_id(email: OutboundEmail) -> str:
    """The same for every attempt at one row, so a retried interrupted email can be recognised."""
    return lib_outbox.message_id(email, kind="outbox")


def case_thread_id(case: Case) -> str:
    """The case's thread: every email about it names this as what it answers, so mail clients show one
    conversation per case and a reply's References lead back to the case (mailin)."""
    return f"<case-{case.pk}.{case.number}@{message_domain()}>"


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
    domain = message_domain()
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
    return bool(outbox and outbox.group(3) == message_domain())
