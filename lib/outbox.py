"""Delivery from an email outbox, written once for every outbox table (docs/decisions.md, "Email outbox").

An outbox table is a model with the columns `address`, `template`, `status` (the values below), `attempts`,
`next_attempt_at`, `claimed_at`, `last_error`, `sent_at` and `created_at`: tickets' OutboundEmail (one email
about one case event) and statuspage's StatusEmail (one incident update or subscription confirmation). Its
app writes the rows inside the transaction of the change that causes them, and says in an `Outbox` what is
its own: whether a row's reader may still have it, how it renders, which related rows that reads, and which
task delivers. The rest is here, the same for every table:

- On commit the rows' ids nudge the delivery task; that is best effort: with the broker down the rows wait
  for beat's minute sweep (`Outbox.sweep`).
- `Outbox.deliver` claims one due row at a time (`select_for_update(skip_locked=True)`: pending → sending,
  attempts + 1, committed), checks that it may still be sent (else `skipped`), renders it, sends it and marks
  it sent at once, in its own statement. Two workers never claim the same row, and a run twice finds nothing
  left to claim.
- The crash window is the send itself: a worker that dies after the claim and before the mark leaves the row
  `sending`, and nobody can tell whether the mail server took the message. Such a row is never sent again on
  its own: the sweep turns a row claimed longer than SENDING_LEASE ago into `interrupted`, which staff check
  and may retry from the admin (`OutboxRetryAdmin`). A message keeps its Message-ID on a retry.
- A refusal or connection error from the mail server (OSError, which SMTPException is) puts the row back to
  pending after 1, 2, 4, 8 minutes; the MAX_ATTEMPTS-th failure leaves it `failed`. A row that does not
  render is `failed` at once. Both show in the admin.
"""

import datetime
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import admin, messages
from django.core.mail import EmailMessage
from django.db import models, transaction
from django.utils import timezone

logger = logging.getLogger(__name__)

# The values of every outbox table's `status` (each table's choices give them labels of its own).
PENDING = "pending"
SENDING = "sending"
SENT = "sent"
SKIPPED = "skipped"
FAILED = "failed"
INTERRUPTED = "interrupted"
RETRYABLE = [PENDING, FAILED, INTERRUPTED]

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
Row = TypeVar("Row", bound=models.Model)


@dataclass(frozen=True)
class Outbox(Generic[Row]):
    """One outbox table and what is its own; the methods are the delivery every table shares."""

    model: type[Row]
    # Whether the row's reader may still have it, checked when sending (False: `skipped`, not sent).
    may_send: Callable[[Row], bool]
    # The email, rendered before anything leaves (an exception: `failed`, never half sent). The row keeps
    # the address it went to (its first `to`).
    render: Callable[[Row], EmailMessage]
    # Enqueue delivery of these rows (a Celery task's delay; imported inside, as tasks import the outbox).
    deliver_later: Callable[[list[int]], None]
    # What `may_send` and `render` read, fetched with the claim.
    related: tuple[str, ...] = ()

    def nudge_on_commit(self, email_ids: list[int]) -> None:
        """Ask for delivery of these rows once the transaction that wrote them commits."""
        if not email_ids:
            return
        # robust: a broker that is down must not turn a committed change into an error page; the rows wait.
        transaction.on_commit(lambda: self.deliver_later(email_ids), robust=True)

    def deliver(
        self, *, email_ids: list[int] | None = None, clock: Clock = timezone.now, limit: int = 1000
    ) -> int:
        """Send the pending rows that are due (only those of `email_ids` when given), one claim at a time, at
        most `limit`. Returns how many were sent. Safe to run twice and in several workers at once."""
        due_by = clock()
        sent = 0
        for _ in range(limit):
            row = self._claim(email_ids=email_ids, due_by=due_by, now=clock())
            if row is None:
                break
            sent += self._send(row, clock)
        return sent

    def _claim(
        self, *, email_ids: list[int] | None, due_by: datetime.datetime, now: datetime.datetime
    ) -> Row | None:
        with transaction.atomic():
            due = self.model._default_manager.filter(status=PENDING, next_attempt_at__lte=due_by)
            if email_ids is not None:
                due = due.filter(pk__in=email_ids)
            row = (
                due.select_for_update(skip_locked=True, of=("self",))
                .select_related(*self.related)
                .order_by("next_attempt_at", "pk")
                .first()
            )
            if row is None:
                return None
            row.status, row.claimed_at, row.attempts = SENDING, now, row.attempts + 1
            row.save(update_fields=["status", "claimed_at", "attempts"])
        return row

    def _send(self, row: Row, clock: Clock) -> int:
        """Send one claimed row; returns 1 if it left. Expects the row claimed (`sending`) by this worker."""
        rows = self.model._default_manager.filter(pk=row.pk)
        if not self.may_send(row):
            rows.update(status=SKIPPED, last_error="")
            return 0
        try:
            message = self.render(row)
        except Exception as error:  # one broken email must not stop the batch; it stays visible in the admin
            logger.exception("Could not render %s %s", self.model._meta.verbose_name, row.pk)
            rows.update(status=FAILED, last_error=_describe(error))
            return 0
        try:
            message.send()
        except OSError as error:  # smtplib.SMTPException and socket errors: the server did not take it
            if row.attempts >= MAX_ATTEMPTS:
                rows.update(status=FAILED, last_error=_describe(error))
            else:
                backoff = FIRST_BACKOFF * 2 ** (row.attempts - 1)
                rows.update(status=PENDING, next_attempt_at=clock() + backoff, last_error=_describe(error))
            return 0
        rows.update(status=SENT, sent_at=clock(), address=message.to[0], last_error="")
        return 1

    def flag_interrupted(self, *, now: datetime.datetime) -> int:
        """Rows claimed more than SENDING_LEASE ago and never marked: their sender died mid-send. They become
        `interrupted`, not pending: they may have been delivered, so only staff send them again."""
        return self.model._default_manager.filter(status=SENDING, claimed_at__lt=now - SENDING_LEASE).update(
            status=INTERRUPTED, last_error=INTERRUPTED_NOTE
        )

    def sweep(self, *, clock: Clock = timezone.now) -> int:
        """Beat's pass, every minute: flag interrupted sends, then send whatever is due (rows whose nudge was
        lost while the broker was down, retries after a backoff, retries staff asked for)."""
        self.flag_interrupted(now=clock())
        return self.deliver(clock=clock)

    def retry(self, *, email_ids: list[int], now: datetime.datetime) -> int:
        """Staff send failed or interrupted rows (or pending ones waiting out a backoff) again now: one more
        attempt each. Sent, skipped and sending rows are left alone. Returns how many were queued."""
        with transaction.atomic():
            retried = list(
                self.model._default_manager.select_for_update()
                .filter(pk__in=email_ids, status__in=RETRYABLE)
                .values_list("pk", flat=True)
            )
            self.model._default_manager.filter(pk__in=retried).update(status=PENDING, next_attempt_at=now)
            self.nudge_on_commit(retried)
        return len(retried)


def _describe(error: Exception) -> str:
    return f"{type(error).__name__}: {error}"[:2000]


def message_domain() -> str:
    """The host of our Message-IDs: the site's."""
    return urlsplit(settings.SITE_URL).hostname or "supportdesk.invalid"


def message_id(row: models.Model, *, kind: str) -> str:
    """A row's Message-ID, `<kind-id.created@host>`: the same for every attempt at it, so a retried
    interrupted email can be recognised."""
    return f"<{kind}-{row.pk}.{row.created_at:%Y%m%d%H%M%S}@{message_domain()}>"


class OutboxRetryAdmin(admin.ModelAdmin):
    """An outbox table in the admin, read-only, with "Retry now" for failed and interrupted rows. Set
    `outbox`."""

    outbox: Outbox
    actions = ["retry_now"]

    @admin.action(description="Retry now (an interrupted email may already have been delivered)")
    def retry_now(self, request, queryset):
        retried = self.outbox.retry(email_ids=list(queryset.values_list("pk", flat=True)), now=timezone.now())
        left = queryset.count() - retried
        self.message_user(request, f"{retried} email(s) will be sent again now.", messages.SUCCESS)
        if left:
            self.message_user(
                request, f"{left} sent, skipped or sending email(s) left as they are.", messages.WARNING
            )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
