"""The status emails' outbox: a row per subscriber and incident update (or per confirmation), written in the
transaction of the change, claimed and marked sent once.

The same shape as tickets/outbox.py, kept small (tickets' rows hang off a case event, these do not; the two
outboxes may become one later): on commit a task is nudged for the new rows; beat's minute sweep sends
whatever a lost nudge or a backoff left. `status_outbox_deliver` claims one due row at a time with
`select_for_update(skip_locked=True)` (pending → sending, attempts + 1, committed), renders, sends and marks
it sent in its own statement, so two workers never send the same row and a second run finds nothing
left. A row left `sending` past SENDING_LEASE is marked `interrupted` and never sent again on its own. An
email whose subscriber unsubscribed meanwhile is skipped.
"""

import datetime
import logging
from collections.abc import Callable
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from lib.emails import email_message
from statuspage.models import IncidentUpdate, StatusEmail, StatusEmailStatus, Subscriber

logger = logging.getLogger(__name__)

UPDATE = "status_update"
CONFIRM = "status_confirm"
MAX_ATTEMPTS = 5
FIRST_BACKOFF = datetime.timedelta(minutes=1)
SENDING_LEASE = datetime.timedelta(minutes=10)

Clock = Callable[[], datetime.datetime]


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
    _nudge_on_commit(emails)
    return emails


def status_emails_queue_confirmation(*, subscriber: Subscriber, now: datetime.datetime) -> StatusEmail:
    email = StatusEmail.objects.create(
        subscriber=subscriber,
        address=subscriber.email,
        template=CONFIRM,
        next_attempt_at=now,
        created_at=now,
    )
    _nudge_on_commit([email])
    return email


def _nudge_on_commit(emails: list[StatusEmail]) -> None:
    if not emails:
        return
    from statuspage.tasks import deliver_status_emails

    ids = [email.pk for email in emails]
    # A broker that is down must not turn a committed update into an error page: the rows wait for the sweep.
    transaction.on_commit(lambda: deliver_status_emails.delay(email_ids=ids), robust=True)


def status_outbox_deliver(
    *, email_ids: list[int] | None = None, clock: Clock = timezone.now, limit: int = 1000
) -> int:
    """Send the due pending emails (only those of `email_ids` when given), at most `limit`. Returns how many
    left. Safe to run twice and in several workers at once."""
    due_by = clock()
    sent = 0
    for _ in range(limit):
        email = _claim(email_ids=email_ids, due_by=due_by, now=clock())
        if email is None:
            break
        sent += _send(email, clock)
    return sent


def _claim(*, email_ids, due_by: datetime.datetime, now: datetime.datetime) -> StatusEmail | None:
    with transaction.atomic():
        due = StatusEmail.objects.filter(status=StatusEmailStatus.PENDING, next_attempt_at__lte=due_by)
        if email_ids is not None:
            due = due.filter(pk__in=email_ids)
        email = (
            due.select_for_update(skip_locked=True, of=("self",))
            .select_related("subscriber", "update__incident")
            .order_by("next_attempt_at", "pk")
            .first()
        )
        if email is None:
            return None
        email.status, email.claimed_at, email.attempts = StatusEmailStatus.SENDING, now, email.attempts + 1
        email.save(update_fields=["status", "claimed_at", "attempts"])
    return email


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


def _send(email: StatusEmail, clock: Clock) -> int:
    """Send one claimed email; returns 1 if it left. Expects the row claimed (`sending`) by this worker."""
    rows = StatusEmail.objects.filter(pk=email.pk)
    if email.subscriber is None or (email.template == UPDATE and email.subscriber.confirmed_at is None):
        rows.update(status=StatusEmailStatus.SKIPPED)
        return 0
    try:
        context, headers = _context(email)
        message = email_message(
            template=email.template,
            to=[email.address],
            context=context,
            headers={"Message-ID": message_id(email), **headers},
        )
    except Exception as error:  # one broken email must not stop the batch; it stays visible in the admin
        logger.exception("Could not render status email %s", email.pk)
        rows.update(status=StatusEmailStatus.FAILED, last_error=_describe(error))
        return 0
    try:
        message.send()
    except OSError as error:  # smtplib.SMTPException and socket errors: the server did not take it
        if email.attempts >= MAX_ATTEMPTS:
            rows.update(status=StatusEmailStatus.FAILED, last_error=_describe(error))
        else:
            backoff = FIRST_BACKOFF * 2 ** (email.attempts - 1)
            rows.update(
                status=StatusEmailStatus.PENDING,
                next_attempt_at=clock() + backoff,
                last_error=_describe(error),
            )
        return 0
    rows.update(status=StatusEmailStatus.SENT, sent_at=clock(), last_error="")
    return 1


def message_id(email: StatusEmail) -> str:
    domain = urlsplit(settings.SITE_URL).hostname or "supportdesk.invalid"
    return f"<status-{email.pk}.{email.created_at:%Y%m%d%H%M%S}@{domain}>"


def _describe(error: Exception) -> str:
    return f"{type(error).__name__}: {error}"[:2000]


def status_outbox_sweep(*, clock: Clock = timezone.now) -> int:
    """Beat's minute pass: flag sends interrupted by a dead worker, then send whatever is due."""
    StatusEmail.objects.filter(
        status=StatusEmailStatus.SENDING, claimed_at__lt=clock() - SENDING_LEASE
    ).update(
        status=StatusEmailStatus.INTERRUPTED, last_error="Interrupted after the claim; may have been sent."
    )
    return status_outbox_deliver(clock=clock)
