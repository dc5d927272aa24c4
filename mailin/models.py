"""Mail that came in: one row per message (keyed by its Message-ID), its raw source, and what became of it."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class Source(models.TextChoices):
    IMAP = "imap", "IMAP mailbox"
    WEBHOOK = "webhook", "Inbound webhook"
    PIPE = "pipe", "MTA pipe (ingest_email)"
    FOLDER = "folder", "Drop folder"


class Outcome(models.TextChoices):
    CASE = "case", "New case"
    REPLY = "reply", "Reply on a case"
    FOLLOW_UP = "follow_up", "Follow-up of a closed case"
    IGNORED = "ignored", "Ignored: auto-reply, bounce or our own mail"
    HELD = "held", "Held for staff review"
    REFUSED = "refused", "Refused"
    DISCARDED = "discarded", "Discarded by staff"


# What staff see on the held-and-refused page.
NEEDS_A_LOOK = [Outcome.HELD, Outcome.REFUSED]


class InboundMessage(models.Model):
    """One message received, whatever its source. The Message-ID is unique: the same message ingested twice
    (a poller that died before flagging it, a webhook retried) is recognised and changes nothing."""

    message_id = models.CharField(max_length=998, unique=True, help_text="Without the angle brackets.")
    source = models.CharField(max_length=10, choices=Source.choices)
    raw = models.BinaryField(help_text="The message as received, headers and all.")
    from_address = models.EmailField(max_length=254, blank=True, db_index=False)
    subject = models.CharField(max_length=998, blank=True)
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    outcome = models.CharField(max_length=12, choices=Outcome.choices)
    reason = models.TextField(blank=True, help_text="Why it was held, refused or ignored.")
    case = models.ForeignKey(
        "tickets.Case", on_delete=models.SET_NULL, null=True, blank=True, related_name="inbound_messages"
    )
    # The one polite answer to a refused sender (at most one a day per address), sent after commit.
    answer_due = models.BooleanField(default=False)
    answered_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-received_at", "-pk"]
        indexes = [
            # The rate limit and the once-a-day answer look at one sender's recent mail.
            models.Index(fields=["from_address", "received_at"], name="inbound_sender_recent"),
            models.Index(fields=["outcome", "received_at"], name="inbound_outcome_recent"),
            models.Index(fields=["case", "received_at"], name="inbound_case_recent"),
        ]
        verbose_name = "inbound message"

    def __str__(self) -> str:
        return f"<{self.message_id}> {self.get_outcome_display()}"
