"""The status page's data: components in groups, incidents with their timeline, maintenance, subscribers, and
the status emails' own outbox.

A component's state is never stored: it follows from the data (statuspage/history.py). Each incident update
records the state of every component the incident still affects at that moment (operational ones are not
written); a component missing from an incident's latest update is operational as far as that incident goes,
and a resolving update affects none. Maintenance puts its components "under maintenance" from its start to
its end.
"""

from django.conf import settings
from django.db import models

TITLE_MAX_LENGTH = 200
BODY_MAX_LENGTH = 5000


class ComponentState(models.TextChoices):
    # In rising order of gravity: the worst state wins (STATE_RANK).
    OPERATIONAL = "operational", "Operational"
    MAINTENANCE = "under_maintenance", "Under maintenance"
    DEGRADED = "degraded_performance", "Degraded performance"
    PARTIAL_OUTAGE = "partial_outage", "Partial outage"
    MAJOR_OUTAGE = "major_outage", "Major outage"


STATE_RANK = {state: rank for rank, state in enumerate(ComponentState.values)}


class IncidentStatus(models.TextChoices):
    INVESTIGATING = "investigating", "Investigating"
    IDENTIFIED = "identified", "Identified"
    MONITORING = "monitoring", "Monitoring"
    RESOLVED = "resolved", "Resolved"


class ComponentGroup(models.Model):
    name = models.CharField(max_length=80, unique=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class Component(models.Model):
    """A part of the platform customers rely on (the portal, the API, email ingestion, agents by region)."""

    group = models.ForeignKey(
        ComponentGroup, on_delete=models.PROTECT, related_name="components", null=True, blank=True
    )
    name = models.CharField(max_length=80)
    description = models.CharField(max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    is_visible = models.BooleanField(default=True, help_text="Shown on the public status page.")

    class Meta:
        ordering = ["group__position", "group__name", "position", "name"]
        constraints = [models.UniqueConstraint(fields=["group", "name"], name="statuspage_component_unique")]

    def __str__(self) -> str:
        return f"{self.group.name} · {self.name}" if self.group_id else self.name


class Incident(models.Model):
    title = models.CharField(max_length=TITLE_MAX_LENGTH)
    # The latest update's status, kept here so open incidents are one indexed query.
    status = models.CharField(max_length=20, choices=IncidentStatus.choices)
    started_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-started_at", "-pk"]
        indexes = [models.Index(fields=["resolved_at", "started_at"], name="statuspage_incident_window")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None


class IncidentUpdate(models.Model):
    """One entry of an incident's timeline: its status then, what staff said, and the components affected."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="updates")
    status = models.CharField(max_length=20, choices=IncidentStatus.choices)
    body = models.TextField(max_length=BODY_MAX_LENGTH)
    created_at = models.DateTimeField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.incident} · {self.get_status_display()}"


class AffectedComponent(models.Model):
    """A component's state as of one incident update (never `operational`: that is the absence of a row)."""

    update = models.ForeignKey(IncidentUpdate, on_delete=models.CASCADE, related_name="affected")
    component = models.ForeignKey(Component, on_delete=models.CASCADE, related_name="+")
    state = models.CharField(max_length=30, choices=ComponentState.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["update", "component"], name="statuspage_affected_unique"),
            models.CheckConstraint(
                condition=~models.Q(state=ComponentState.OPERATIONAL), name="statuspage_affected_not_ok"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.component_id}: {self.get_state_display()}"


class Maintenance(models.Model):
    """Scheduled maintenance: its components are under maintenance from `starts_at` to `ends_at`."""

    title = models.CharField(max_length=TITLE_MAX_LENGTH)
    description = models.TextField(max_length=BODY_MAX_LENGTH, blank=True)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    components = models.ManyToManyField(Component, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name_plural = "maintenance"
        indexes = [models.Index(fields=["ends_at"], name="statuspage_maintenance_end")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="statuspage_maintenance_order"
            )
        ]

    def __str__(self) -> str:
        return self.title


class Subscriber(models.Model):
    """An address that asked for incident emails. Unconfirmed until its owner follows the confirmation link
    (a signed-in person subscribing their own address is confirmed at once)."""

    email = models.EmailField(unique=True)
    created_at = models.DateTimeField()
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmation_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["email"]

    def __str__(self) -> str:
        return self.email


class StatusEmailStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    SKIPPED = "skipped", "Skipped (unsubscribed)"
    FAILED = "failed", "Failed"
    INTERRUPTED = "interrupted", "Interrupted"


class StatusEmail(models.Model):
    """One status email to one address: an incident update, or the confirmation of a subscription.

    The status page's own outbox table (tickets' OutboundEmail hangs off a case event), delivered like the
    case emails by lib/outbox.py (statuspage/outbox.py says what is its own).
    """

    subscriber = models.ForeignKey(Subscriber, on_delete=models.SET_NULL, null=True, related_name="emails")
    update = models.ForeignKey(IncidentUpdate, on_delete=models.CASCADE, null=True, related_name="emails")
    address = models.EmailField()
    template = models.CharField(max_length=40)
    status = models.CharField(
        max_length=20, choices=StatusEmailStatus.choices, default=StatusEmailStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "pk"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(status="pending"),
                name="statuspage_email_due",
            )
        ]
        constraints = [
            # One email per subscriber and update, however often the queueing runs.
            models.UniqueConstraint(
                fields=["subscriber", "update"],
                condition=models.Q(update__isnull=False),
                name="statuspage_email_once_per_update",
            )
        ]

    def __str__(self) -> str:
        return f"{self.template} to {self.address}"
