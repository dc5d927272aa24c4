"""Precomputed figures for the SLA dashboards and the MSP report (docs/decisions.md, "SLA dashboards").

One narrow row per case (`CaseFigure`) holds what every figure needs and what is expensive to get live: the
day it was received (in the reporting time zone), its dimensions, its first-response outcome and its
first-response time in the open time of its policy's calendar (the calendar arithmetic of sla/, done once per
case and not on every page load). The pages aggregate these rows in SQL, through indexes on the period, so a
dashboard never reads the cases table's wide rows nor recomputes calendars.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone


class Outcome(models.TextChoices):
    """The first-response outcome as it stands when the row was refreshed."""

    NONE = "", "No deadline"
    PENDING = "pending", "Not decided yet"  # waiting for the first response, deadline still ahead
    MET = "met", "Met"
    MISSED = "missed", "Missed"  # answered or closed late, or still unanswered past the deadline


class CaseFigure(models.Model):
    case = models.OneToOneField(
        "tickets.Case", on_delete=models.CASCADE, primary_key=True, related_name="figure"
    )
    day = models.DateField(help_text="The day the case was received, in the reporting time zone.")
    account = models.ForeignKey("tenants.Account", on_delete=models.CASCADE, related_name="+")
    organization = models.ForeignKey("tenants.Organization", on_delete=models.CASCADE, related_name="+")
    tier = models.ForeignKey(
        "tenants.Tier", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", db_index=False
    )
    severity = models.PositiveSmallIntegerField()
    channel = models.CharField(max_length=10)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    outcome = models.CharField(max_length=8, choices=Outcome.choices, blank=True)
    response_seconds = models.PositiveIntegerField(
        null=True, blank=True, help_text="Open time from received to the first public response."
    )
    closed_day = models.DateField(null=True, blank=True)
    close_reason = models.CharField(max_length=40, blank=True)
    refreshed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            # Covering: a period without an account, organization or engineer filter is read from the index
            # alone (an index-only scan), never from the table.
            models.Index(
                fields=["day"],
                name="figure_day",
                include=["tier", "severity", "channel", "assignee", "account", "outcome", "response_seconds"],
            ),
            models.Index(fields=["account", "day"], name="figure_account_day"),
            models.Index(fields=["organization", "day"], name="figure_org_day"),
            models.Index(fields=["assignee", "day"], name="figure_assignee_day"),
            models.Index(
                fields=["closed_day"],
                name="figure_closed_day",
                condition=models.Q(closed_day__isnull=False),
                include=["close_reason", "tier", "severity", "account", "organization", "assignee"],
            ),
            # The minute pass re-reads the cases whose outcome the clock may still change.
            models.Index(fields=["outcome"], name="figure_pending", condition=models.Q(outcome="pending")),
        ]

    def __str__(self) -> str:
        return f"figure of case {self.case_id}"


class RefreshMark(models.Model):
    """When the figures were last brought up to date, and from which change on the next pass reads."""

    name = models.CharField(max_length=40, primary_key=True)
    refreshed_at = models.DateTimeField(null=True, blank=True)
    changes_since = models.DateTimeField(null=True, blank=True)
    cases_refreshed = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name}: {self.refreshed_at}"
