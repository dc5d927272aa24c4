"""The status emails' outbox: a row per subscriber and incident update (or per confirmation), written in the
transaction of the change.

Delivering is lib/outbox.py's, shared with the case emails (claimed with skip_locked, sent and marked sent
once; backoff on a refusal; a row left `sending` past the lease is `interrupted` and retried by staff only;
nudged on commit and swept by beat every minute). What is the status page's own is here: which rows to write,
how each renders (the unsubscribe link and its one-click headers), and that an email whose subscriber
unsubscribed (or never confirmed) meanwhile is skipped. Its rows are StatusEmail, not tickets' OutboundEmail,
which hangs off a case event.
"""

import datetime

from django.conf import settings
from django.core.mail import EmailMessage
from django.urls import reverse
from django.utils import timezone

from lib import outbox as lib_outbox
from lib.emails import email_message
from lib.outbox import Clock, Outbox
from statuspage.models import IncidentUpdate, StatusEmail, Subscriber

UPDATE = "status_update"
CONFIRM = "status_confirm"


def status_emails_queue_update(*, update: IncidentUpdate) -> list[StatusEmail]:
    """One email per confirmed subscriber about `update`. Call inside the transaction that writes it."""
    subscribers = Subscriber.objects.filter(confirmed_at__isnull=False).only("pk", "email")
    emails = StatusEmail.objects.bulk_create(
        StatusEmail(
            subscriber=subscriber,
            update=update,
            address=subscriber.email,
            template=UPDATE,
            next_attempt_at=update.created_at,
            created_at=update.created_at,
        )
        for subscriber in subscribers.iterator()
    )
    STATUS_EMAILS.nudge_on_commit([email.pk for email in emails])
    return emails


def status_emails_queue_confirmation(*, subscriber: Subscriber, now: datetime.datetime) -> StatusEmail:
    email = StatusEmail.objects.create(
        subscriber=subscriber,
        address=subscriber.email,
        template=CONFIRM,
        next_attempt_at=now,
        created_at=now,
    )
    STATUS_EMAILS.nudge_on_commit([email.pk])
    return email


def _may_send(email: StatusEmail) -> bool:
    """Still subscribed (an update also needs a confirmed subscription)."""
    subscriber = email.subscriber
    return subscriber is not None and (email.template != UPDATE or subscriber.confirmed_at is not None)


def _context(email: StatusEmail) -> tuple[dict, dict]:
    """(template context, extra headers) of one email."""
    from statuspage.services import confirm_token, unsubscribe_token

    site = settings.SITE_URL
    subscriber = email.subscriber
    if email.template == CONFIRM:
        link = site + reverse("status_confirm", args=[confirm_token(subscriber)])
        return {"confirm_url": link, "status_url": site + reverse("status")}, {}
    unsubscribe_url = site + reverse("status_unsubscribe", args=[unsubscribe_token(subscriber)])
    update = email.update
    context = {
        "incident": update.incident,
        "update": update,
        "affected": [(row.component.name, row.get_state_display()) for row in update.affected.all()],
        "incident_url": site + reverse("status_incident", args=[update.incident_id]),
        "unsubscribe_url": unsubscribe_url,
    }
    # RFC 8058: mail clients offer "unsubscribe", and POST to the link in one click.
    headers = {
        "List-Unsubscribe": f"<{unsubscribe_url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    return context, headers


def _render(email: StatusEmail) -> EmailMessage:
    context, headers = _context(email)
    return email_message(
        template=email.template,
        to=[email.address],
        context=context,
        # Auto-Submitted: an out-of-office robot does not answer it (RFC 3834), like every email we send.
        headers={"Message-ID": message_id(email), "Auto-Submitted": "auto-generated", **headers},
    )


def _deliver_later(email_ids: list[int]) -> None:
    from statuspage.tasks import deliver_status_emails  # the tasks import this module

    deliver_status_emails.delay(email_ids=email_ids)


STATUS_EMAILS = Outbox(
    model=StatusEmail,
    may_send=_may_send,
    render=_render,
    deliver_later=_deliver_later,
    related=("subscriber", "update__incident"),
)


def message_id(email: StatusEmail) -> str:
    return lib_outbox.message_id(email, kind="status")


def status_outbox_deliver(
    *, email_ids: list[int] | None = None, clock: Clock = timezone.now, limit: int = 1000
) -> int:
    """Send the due status emails (only those of `email_ids` when given), at most `limit`. Returns how many
    left. Safe to run twice and in several workers at once."""
    return STATUS_EMAILS.deliver(email_ids=email_ids, clock=clock, limit=limit)


def status_outbox_sweep(*, clock: Clock = timezone.now) -> int:
    """Beat's minute pass: flag sends interrupted by a dead worker, then send whatever is due."""
    return STATUS_EMAILS.sweep(clock=clock)
