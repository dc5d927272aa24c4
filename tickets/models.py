"""Cases and their audit trail. Deadlines are stored instants, computed by sla/ and never by the clock."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone


class Severity(models.IntegerChoices):
    SEV1 = 1, "Severity 1 — production down"
    SEV2 = 2, "Severity 2 — major loss of function"
    SEV3 = 3, "Severity 3 — partial issue or question"


class Status(models.TextChoices):
    NEW = "new", "New"
    OPEN = "open", "Open"
    WAITING_ON_CUSTOMER = "waiting_on_customer", "Waiting on customer"
    SOLUTION_PROPOSED = "solution_proposed", "Solution proposed"
    CLOSED = "closed", "Closed"


class Channel(models.TextChoices):
    PORTAL = "portal", "Portal"
    EMAIL = "email", "Email"
    CHAT = "chat", "Chat"
    PHONE = "phone", "Phone"


class SlaState(models.TextChoices):
    ON_TRACK = "on_track", "On track"
    AT_RISK = "at_risk", "At risk"
    BREACHED = "breached", "Breached"
    MET = "met", "Met"
    MISSED = "missed", "Missed"


class ResponseKind(models.TextChoices):
    """The kinds of public reply support sends (policy 003, "what you can expect")."""

    ANSWER = "answer", "Answer"
    KB_LINK = "kb_link", "Knowledge-base article"
    DESIGN = "design", "Explanation of design"
    PATCH = "patch", "Patch or upgrade"
    KNOWN_ISSUE = "known_issue", "Known issue (fix planned or workaround)"
    REQUEST_INFO = "request_info", "Request for information"
    SESSION = "session", "Request for a session"
    OPTIONS = "options", "Several resolution options"


class CloseReason(models.TextChoices):
    CONFIRMED = "confirmed", "Solution confirmed by the customer"
    CUSTOMER = "customer_closed", "Closed by the customer"
    UNCONFIRMED = "unconfirmed", "Proposed solution not confirmed in time"
    NO_RESPONSE = "no_response", "No reply to a request for information"
    MERGED = "merged", "Merged into another case"
    RESOLVED = "resolved", "Resolved (closed by support)"
    DUPLICATE = "duplicate", "Duplicate (closed by support)"
    WITHDRAWN = "withdrawn", "Withdrawn or no longer needed (closed by support)"


class EventKind(models.TextChoices):
    """What a case event records. Every writer names one of these; a free string is a programming error."""

    CREATED = "created", "Case filed"
    REPLIED = "replied", "Public reply"
    INTERNAL_NOTE = "internal_note", "Internal note"
    FIRST_RESPONSE = "first_response", "First response"
    STATUS_CHANGED = "status_changed", "Status changed"
    ESCALATED = "escalated", "Escalation requested"
    CC_CHANGED = "cc_changed", "CC list changed"
    ATTACHED = "attached", "Files attached"
    SEVERITY_VALIDATED = "severity_validated", "Severity validated"
    FIRST_RESPONSE_DUE_CHANGED = "first_response_due_changed", "First-response deadline moved"
    ASSIGNED = "assigned", "Assignee changed"
    REOPENED = "reopened", "Reopened"
    SPLIT = "split", "Split into new cases"
    SPLIT_FROM = "split_from", "Split from another case"
    MERGED = "merged", "Merged into another case"
    MERGED_IN = "merged_in", "A duplicate was merged in"
    LINKED = "linked", "Continuation linked"
    PRODUCT_CHANGED = "product_changed", "Product or version changed"
    ESCALATION_CLEARED = "escalation_cleared", "Escalation cleared"
    AT_RISK = "at_risk", "First response at risk"
    BREACHED = "breached", "First response breached"
    AUTO_CLOSE_REMINDED = "auto_close_reminded", "Auto-close reminder sent"


class CaseNumberSequence(models.Model):
    """One row per year; filing locks it to hand out the next case number (safe under concurrent filing)."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last_value = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last_value}"


# The longest texts people write on a case, in characters: the portal forms, the API serializers and the
# services all refuse longer ones (the TextFields themselves do not). Long logs belong in attachments.
DESCRIPTION_MAX_LENGTH = 20_000
TROUBLESHOOTING_MAX_LENGTH = 10_000
REPLY_MAX_LENGTH = 20_000
ESCALATION_REASON_MAX_LENGTH = 2_000
SEVERITY_REASON_MAX_LENGTH = 500


class Category(models.Model):
    """What a case is about, chosen when it is filed: a short vocabulary admins keep in the admin.

    The form, the API and the demo all name a category by its slug and show its label. A category in use
    cannot be deleted (cases protect it): an admin retires it instead, and then it is no longer offered or
    accepted while the cases filed under it keep showing its label."""

    slug = models.SlugField(
        max_length=40, unique=True, help_text="What the form and the API post; keep it once clients use it."
    )
    label = models.CharField(max_length=80, unique=True, help_text="What people see.")
    is_active = models.BooleanField(
        "offered",
        default=True,
        help_text="Untick to retire it: new cases can no longer choose it, filed ones keep it.",
    )
    position = models.PositiveSmallIntegerField(default=100, help_text="Lower comes first in the list.")

    class Meta:
        ordering = ["position", "label"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.label


def _differs(stamp: str, instant: str) -> models.Q:
    """The stamp was not made for the instant (never made, or made for another one)."""
    return (
        models.Q(**{f"{stamp}__isnull": True})
        | models.Q(**{f"{stamp}__lt": models.F(instant)})
        | models.Q(**{f"{stamp}__gt": models.F(instant)})
    )


# Cases whose sweep timer is armed and not yet acted on (tickets/sweeps.py). The same Q is the condition of
# the partial index and the filter of the claim, so PostgreSQL scans only what is still to do.
AT_RISK_PENDING = models.Q(
    first_response_at_risk_at__isnull=False, first_responded_at__isnull=True, closed_at__isnull=True
) & _differs("at_risk_warned_for", "first_response_at_risk_at")
BREACH_PENDING = models.Q(
    first_response_due__isnull=False, first_responded_at__isnull=True, closed_at__isnull=True
) & _differs("breach_marked_for", "first_response_due")
REMIND_PENDING = models.Q(auto_close_remind_at__isnull=False, auto_close_at__isnull=False) & _differs(
    "auto_close_reminded_for", "auto_close_at"
)


class Case(models.Model):
    number = models.CharField(max_length=20, unique=True)
    # The account is copied from the organization so that tenant scoping is one indexed column.
    account = models.ForeignKey("tenants.Account", on_delete=models.PROTECT, related_name="cases")
    organization = models.ForeignKey("tenants.Organization", on_delete=models.PROTECT, related_name="cases")
    contract = models.ForeignKey(
        "tenants.Contract", on_delete=models.PROTECT, related_name="cases", null=True, blank=True
    )
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="requested_cases"
    )
    cc = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="cc_cases")
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_cases",
    )

    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="cases")
    subject = models.CharField(max_length=200)
    description = models.TextField()
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.PORTAL)
    status = models.CharField(max_length=24, choices=Status.choices, default=Status.NEW)
    requested_severity = models.PositiveSmallIntegerField(choices=Severity.choices)
    severity = models.PositiveSmallIntegerField(choices=Severity.choices, help_text="The validated severity.")

    # What the contact told us (domain.md §7).
    best_time_from = models.TimeField(
        help_text="Start of the best time to contact, local to contact_time_zone."
    )
    best_time_to = models.TimeField()
    contact_time_zone = models.CharField(max_length=64)
    product = models.ForeignKey("tenants.Product", on_delete=models.PROTECT, null=True, blank=True)
    version = models.ForeignKey("tenants.Version", on_delete=models.PROTECT, null=True, blank=True)
    version_past_end_of_support = models.BooleanField(default=False)
    device_id = models.CharField("impacted device ID", max_length=120, blank=True)
    operating_system = models.CharField(max_length=120, blank=True)
    os_version = models.CharField("OS version", max_length=60, blank=True)
    contact_phone = models.CharField(max_length=40, blank=True)
    troubleshooting = models.TextField("troubleshooting done so far", blank=True)
    continues = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="follow_ups",
        help_text="The closed case this one continues.",
    )
    split_from = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="split_cases"
    )

    received_at = models.DateTimeField(default=timezone.now, help_text="The SLA clock is measured from here.")
    first_response_due = models.DateTimeField(null=True, blank=True)
    first_response_at_risk_at = models.DateTimeField(
        null=True, blank=True, help_text="When three quarters of the response target's open time has gone."
    )
    first_responded_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    close_reason = models.CharField(max_length=40, choices=CloseReason.choices, blank=True)
    # While the case waits on the customer: since when, and when it closes by itself (domain.md §6).
    waiting_since = models.DateTimeField(null=True, blank=True)
    auto_close_at = models.DateTimeField(null=True, blank=True)
    # The background sweeps (tickets/sweeps.py). Each timer is an instant above plus a stamp of the instant it
    # was done for: a moved instant no longer matches its stamp, so it is due again; a rerun finds it done.
    auto_close_remind_at = models.DateTimeField(
        null=True, blank=True, help_text="When the contact is reminded that the case will close by itself."
    )
    auto_close_reminded_for = models.DateTimeField(
        null=True, blank=True, help_text="The auto-close instant the last reminder was sent for."
    )
    at_risk_warned_for = models.DateTimeField(
        null=True, blank=True, help_text="The at-risk instant support was last warned for."
    )
    breach_marked_for = models.DateTimeField(
        null=True, blank=True, help_text="The first-response deadline last marked breached."
    )
    escalated_at = models.DateTimeField(null=True, blank=True, help_text="Set while an escalation is open.")
    escalation_reason = models.TextField(blank=True)
    # Set when the customer answers (a reply, "not fixed"); cleared by support's next public reply. The queue
    # brings such a case back to the top of its assignee's view ("customer replied", waiting since then).
    customer_replied_at = models.DateTimeField(null=True, blank=True)
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_cases",
        help_text="The case this duplicate was merged into (it closed with reason merged).",
    )

    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-received_at"]
        indexes = [
            models.Index(fields=["account", "-received_at"], name="case_account_recent"),
            models.Index(fields=["organization", "-received_at"], name="case_org_recent"),
            models.Index(fields=["requester", "-received_at"], name="case_requester_recent"),
            models.Index(fields=["status", "first_response_due"], name="case_status_due"),
            models.Index(
                fields=["auto_close_at"],
                name="case_auto_close",
                condition=models.Q(auto_close_at__isnull=False),
            ),
            # The sweeps' claims: each index holds only the cases whose timer is still to be acted on.
            models.Index(
                fields=["first_response_at_risk_at"], name="case_at_risk_pending", condition=AT_RISK_PENDING
            ),
            models.Index(fields=["first_response_due"], name="case_breach_pending", condition=BREACH_PENDING),
            models.Index(
                fields=["auto_close_remind_at"], name="case_remind_pending", condition=REMIND_PENDING
            ),
            # The queue (tickets/queue.py): one index per band of its order, each on the open cases only
            # (~3% of all cases), in the band's keyset order, so every page is a short index range scan.
            models.Index(
                fields=["first_response_due", "severity", "received_at", "id"],
                name="queue_unanswered",
                condition=~models.Q(status="closed") & models.Q(first_responded_at__isnull=True),
            ),
            models.Index(
                fields=["customer_replied_at", "severity", "received_at", "id"],
                name="queue_customer_replied",
                condition=~models.Q(status="closed") & models.Q(customer_replied_at__isnull=False),
            ),
            models.Index(
                fields=["received_at", "severity", "id"],
                name="queue_answered",
                condition=~models.Q(status="closed") & models.Q(first_responded_at__isnull=False),
            ),
            models.Index(
                fields=["escalated_at"],
                name="queue_escalated",
                condition=~models.Q(status="closed") & models.Q(escalated_at__isnull=False),
            ),
            models.Index(
                fields=["assignee", "first_response_due"],
                name="queue_assignee",
                condition=~models.Q(status="closed"),
            ),
            # Closed cases, most recently closed first (the queue's Closed tab).
            models.Index(
                fields=["-closed_at", "-id"],
                name="queue_closed",
                condition=models.Q(status="closed"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.subject}"

    # The SLA state at the reader's `now`: not a column but an annotation, set by
    # tickets.selectors.with_sla_state on every case a list, the API or the case page reads.
    sla_state: str

    def sla_state_at(self, now=None) -> str:
        """on_track / at_risk / breached while waiting for the first response; met / missed once it came.

        For one case in memory (a service judging the response it just recorded, the case page). Lists and
        the API read the `sla_state` annotation of tickets.selectors.with_sla_state, the same rule in SQL; a
        test holds the two equal."""
        if self.first_response_due is None:
            return ""
        if self.first_responded_at is not None:
            return SlaState.MET if self.first_responded_at <= self.first_response_due else SlaState.MISSED
        now = now or timezone.now()
        if self.closed_at is not None:
            # Closed by the customer before anyone answered: judged at the moment it closed.
            now = self.closed_at
            return SlaState.MET if now <= self.first_response_due else SlaState.MISSED
        if now >= self.first_response_due:
            return SlaState.BREACHED
        if self.first_response_at_risk_at is not None and now >= self.first_response_at_risk_at:
            return SlaState.AT_RISK
        return SlaState.ON_TRACK

    def get_sla_state_display(self) -> str:
        """The label of the `sla_state` annotation (see with_sla_state); "" without a deadline."""
        return SlaState(self.sla_state).label if self.sla_state else ""


class CaseEvent(models.Model):
    """The audit trail: one row for every change to a case, who made it and what it was."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    kind = models.CharField(max_length=40, choices=EventKind.choices)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["case", "created_at"], name="caseevent_case_time")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind}"


class Reply(models.Model):
    """One message on a case: public (the customer sees it) or an internal note (staff only)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="replies")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField()
    is_internal = models.BooleanField(default=False)
    kind = models.CharField(
        max_length=20, choices=ResponseKind.choices, blank=True, help_text="Staff replies only."
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["case", "created_at"], name="reply_case_time")]
        verbose_name_plural = "replies"

    def __str__(self) -> str:
        return f"{self.case_id} reply {self.pk}"


def attachment_path(instance, filename):
    # A generated name: what the customer called the file never reaches the file system.
    return f"attachments/{timezone.now():%Y/%m}/{uuid.uuid4().hex}"


class Attachment(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    reply = models.ForeignKey(
        Reply, on_delete=models.CASCADE, null=True, blank=True, related_name="attachments"
    )
    file = models.FileField(upload_to=attachment_path, max_length=200)
    name = models.CharField(
        max_length=255, help_text="The file's name as uploaded, shown and used on download."
    )
    size = models.PositiveBigIntegerField()
    content_type = models.CharField(max_length=120, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.name


class EmailStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    SKIPPED = "skipped", "Skipped: the recipient may no longer read the case"
    FAILED = "failed", "Failed: see the last error; staff may retry"
    INTERRUPTED = "interrupted", "Interrupted: the sender stopped mid-send; check before retrying"


class OutboundEmail(models.Model):
    """The outbox: one email to one person about one case event, written in the event's transaction and
    claimed, sent and marked by tickets.outbox (docs/decisions.md, "Email outbox")."""

    event = models.ForeignKey(CaseEvent, on_delete=models.CASCADE, related_name="emails")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    address = models.EmailField(help_text="The recipient's address when queued; the one used once sent.")
    template = models.CharField(max_length=40, help_text="templates/emails/<template>_*")
    status = models.CharField(max_length=20, choices=EmailStatus.choices, default=EmailStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            # The sender's scans: pending rows that are due, sending rows claimed too long ago.
            models.Index(fields=["status", "next_attempt_at"], name="outboundemail_due"),
            models.Index(fields=["status", "claimed_at"], name="outboundemail_claimed"),
        ]
        verbose_name = "outbound email"

    def __str__(self) -> str:
        return f"{self.template} to {self.address} ({self.status})"


class NoticeKind(models.TextChoices):
    """What staff are told about (issue 9, "Staff are told"); each engineer chooses which they get."""

    NEW_CASE = "new_case", "New Severity 1 or Premium case"
    CUSTOMER_REPLY = "customer_reply", "Customer replied"
    NOT_FIXED = "not_fixed", "Customer says the solution did not fix it"


class StaffNotice(models.Model):
    """An in-app mark for one member of staff about one case event; read when they open it."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notices")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="staff_notices")
    event = models.ForeignKey(CaseEvent, on_delete=models.CASCADE, related_name="staff_notices")
    kind = models.CharField(max_length=20, choices=NoticeKind.choices)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            # The badge's count and the notices page: one person's unread ones, newest first.
            models.Index(
                fields=["recipient", "-created_at"],
                name="staffnotice_unread",
                condition=models.Q(read_at__isnull=True),
            ),
            models.Index(fields=["recipient", "-created_at"], name="staffnotice_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} on {self.case_id} for {self.recipient_id}"


class StaffNoticePreference(models.Model):
    """Which notices one member of staff gets (by email and in the app). No row: all of them."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notice_preference"
    )
    new_case = models.BooleanField("New Severity 1 or Premium case", default=True)
    customer_reply = models.BooleanField("A customer replies on my case", default=True)
    not_fixed = models.BooleanField("A customer says the solution did not fix it", default=True)

    def __str__(self) -> str:
        return f"Notice preferences of {self.user_id}"

    def wants(self, kind: str) -> bool:
        return bool(getattr(self, NoticeKind(kind).value))


class Macro(models.Model):
    """Canned text for a public reply of one response kind, kept by admins. Placeholders in braces
    ({contact_name}, {case_number}, {engineer_name}, {organization}, …) are filled by tickets.macros."""

    name = models.CharField(max_length=120, unique=True)
    kind = models.CharField("response kind", max_length=20, choices=ResponseKind.choices)
    body = models.TextField(
        max_length=REPLY_MAX_LENGTH,
        help_text="Markdown. Placeholders: {contact_name}, {case_number}, {case_subject}, {engineer_name}, "
        "{organization}, {account}. Anything else in braces is left as typed.",
    )
    is_active = models.BooleanField("offered", default=True)

    class Meta:
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name


class SavedView(models.Model):
    """A queue view an engineer saved for themselves: a name and the queue's filter query string (the same
    parameters as the queue page and GET /api/v1/queue/). Only its owner sees it (tickets.queue)."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_views")
    name = models.CharField(max_length=60)
    query = models.CharField(max_length=500, help_text="e.g. severity=1&tier=premium&assignee=none")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "pk"]
        constraints = [models.UniqueConstraint(fields=["owner", "name"], name="saved_view_name_per_owner")]

    def __str__(self) -> str:
        return f"{self.name} ({self.owner_id})"
