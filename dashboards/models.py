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
            # alone (an index-only scan), never from the table; ordered by response time within a day, so a
            # percentile probe (selectors `_probe_sql`) reads one bucket of each day, not the whole day.
            models.Index(
                fields=["day", "response_seconds"],
                name="figure_day",
                include=["tier", "severity", "channel", "assignee", "account", "outcome"],
            ),
            # The same probe within one tier × severity.
            models.Index(
                fields=["tier", "severity", "day", "response_seconds"],
                name="figure_group_day",
                condition=models.Q(response_seconds__isnull=False),
            ),
            # An account, organization or engineer narrows a period to few rows: read from these alone.
            models.Index(
                fields=["account", "day"],
                name="figure_account_day",
                include=["tier", "severity", "channel", "assignee", "outcome", "response_seconds"],
            ),
            models.Index(
                fields=["organization", "day"],
                name="figure_org_day",
                include=["tier", "severity", "channel", "assignee", "account", "outcome", "response_seconds"],
            ),
            models.Index(
                fields=["assignee", "day"],
                name="figure_assignee_day",
                include=["tier", "severity", "channel", "account", "outcome", "response_seconds"],
            ),
            # Breaches: the counts and the latest ones, without reading the met cases.
            models.Index(
                fields=["day", "case"],
                name="figure_missed_day",
                condition=models.Q(outcome="missed"),
                include=["tier", "severity", "account", "assignee"],
            ),
            models.Index(
                fields=["closed_day"],
                name="figure_closed_day",
                condition=models.Q(closed_day__isnull=False),
                include=["close_reason", "tier", "severity", "account", "organization", "assignee"],
            ),
            models.Index(
                fields=["account", "closed_day"],
                name="figure_account_closed",
                condition=models.Q(closed_day__isnull=False),
                include=["close_reason"],
            ),
            models.Index(
                fields=["organization", "closed_day"],
                name="figure_org_closed",
                condition=models.Q(closed_day__isnull=False),
                include=["close_reason"],
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


# --- Daily roll-ups of CaseFigure ---------------------------------------------------------------------------
# Kept by the pass that writes CaseFigure (dashboards.services `rollups_rebuild`): every day a pass touched
# (a rewritten case's old and new day) is recounted whole from CaseFigure in the pass's transaction, so a
# roll-up is always the exact sum of the rows it stands for. Pages read them when no account, organization or
# engineer filter narrows the period (those read CaseFigure's covering indexes: few rows).


class DayCount(models.Model):
    """Cases received on a day, by tier × severity × channel, and their first-response outcome."""

    day = models.DateField()
    tier = models.ForeignKey("tenants.Tier", on_delete=models.DO_NOTHING, null=True, related_name="+",
                             db_constraint=False, db_index=False)  # fmt: skip
    severity = models.PositiveSmallIntegerField()
    channel = models.CharField(max_length=10)
    received = models.PositiveIntegerField()
    met = models.PositiveIntegerField()
    missed = models.PositiveIntegerField()
    responded = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=["day"], name="daycount_day")]

    def __str__(self) -> str:
        return f"{self.day} tier {self.tier_id} sev {self.severity}"


class ResponseCount(models.Model):
    """A histogram: cases received on a day, by tier × severity, whose first response took an open time in
    bucket `bucket` (dashboards.services RESPONSE_BUCKETS). It locates a percentile's bucket and its rank in
    it; the exact value is then read from CaseFigure (selectors `_percentiles`)."""

    day = models.DateField()
    tier = models.ForeignKey("tenants.Tier", on_delete=models.DO_NOTHING, null=True, related_name="+",
                             db_constraint=False, db_index=False)  # fmt: skip
    severity = models.PositiveSmallIntegerField()
    bucket = models.PositiveSmallIntegerField()
    responded = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=["day"], name="responsecount_day")]

    def __str__(self) -> str:
        return f"{self.day} tier {self.tier_id} sev {self.severity}"


class CloseCount(models.Model):
    """Cases closed on a day (in the reporting time zone), by tier × severity × reason."""

    day = models.DateField()
    tier = models.ForeignKey("tenants.Tier", on_delete=models.DO_NOTHING, null=True, related_name="+",
                             db_constraint=False, db_index=False)  # fmt: skip
    severity = models.PositiveSmallIntegerField()
    close_reason = models.CharField(max_length=40, blank=True)
    closed = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=["day"], name="closecount_day")]

    def __str__(self) -> str:
        return f"{self.day} tier {self.tier_id} sev {self.severity}"


class StaleFigures(models.Model):
    """What changed under some cases without touching them (their `updated_at` did not move): a contract's
    tier, an SLA policy or calendar. Noted by the receivers in dashboards.apps; the next pass rewrites the
    figures of the cases concerned, then again while `tickets` may still be recomputing their deadlines
    (services FOLLOW_UP), and deletes the note."""

    contract_ids = models.JSONField(default=list, blank=True)
    tier_ids = models.JSONField(default=list, blank=True)
    policy_ids = models.JSONField(default=list, blank=True)
    calendar_ids = models.JSONField(default=list, blank=True)
    noted_at = models.DateTimeField(default=timezone.now)
    first_done_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"stale figures noted {self.noted_at}"
