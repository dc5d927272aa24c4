"""SLA data an admin edits: calendars, first-response policies and auto-close rules (domain.md §4, §6)."""

from django.core.exceptions import ValidationError
from django.db import models

from sla import engine
from tenants.time_zones import time_zone_is_known


class Calendar(models.Model):
    """Business hours: a time zone, weekly open hours in local wall-clock time, and closed dates."""

    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=120)
    time_zone = models.CharField(max_length=64, help_text="An IANA time zone, e.g. America/Denver.")
    weekly_hours = models.CharField(
        max_length=300,
        help_text='Open hours in local time, e.g. "Mon-Fri 09:00-17:00", "Sun 19:00-Fri 19:00", '
        '"Mon-Sun 00:00-24:00"; several clauses separated by ";".',
    )
    holiday_country = models.CharField(
        max_length=8,
        blank=True,
        help_text='Close the public holidays of this country ("US": federal holidays).',
    )
    holiday_subdivision = models.CharField(max_length=8, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        errors = {}
        try:
            engine.parse_weekly(self.weekly_hours)
        except ValueError as exc:
            errors["weekly_hours"] = str(exc)
        if not time_zone_is_known(self.time_zone):
            errors["time_zone"] = f"Unknown time zone {self.time_zone!r}."
        if self.holiday_country:
            try:
                engine.holiday_dates(
                    country=self.holiday_country, subdivision=self.holiday_subdivision or None, years=[2026]
                )
            except Exception:  # the holidays package raises its own NotImplementedError variants
                errors["holiday_country"] = f"No holiday list for {self.holiday_country!r}."
        if errors:
            raise ValidationError(errors)


class ClosedDate(models.Model):
    """A custom closed day on top of the holiday list (a company shutdown, a local holiday)."""

    calendar = models.ForeignKey(Calendar, on_delete=models.CASCADE, related_name="closed_dates")
    date = models.DateField()
    name = models.CharField(max_length=120, blank=True)

    class Meta:
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["calendar", "date"], name="closed_date_once")]

    def __str__(self) -> str:
        return f"{self.date} {self.name}"


class Policy(models.Model):
    """The first-response target for one tier and severity, measured in the open time of a calendar."""

    tier = models.ForeignKey("tenants.Tier", on_delete=models.CASCADE, related_name="policies")
    severity = models.PositiveSmallIntegerField(
        choices=[(1, "Severity 1"), (2, "Severity 2"), (3, "Severity 3")]
    )
    target_minutes = models.PositiveIntegerField(
        null=True, blank=True, help_text="Minutes of open time. Leave empty for next business day."
    )
    next_business_day = models.BooleanField(
        default=False, help_text="Due at the close of the first business day after the day it was received."
    )
    calendar = models.ForeignKey(Calendar, on_delete=models.PROTECT, related_name="policies")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["tier__rank", "severity"]
        verbose_name_plural = "policies"
        constraints = [
            models.UniqueConstraint(fields=["tier", "severity"], name="one_policy_per_tier_severity"),
            models.CheckConstraint(
                condition=models.Q(next_business_day=True, target_minutes__isnull=True)
                | models.Q(next_business_day=False, target_minutes__gt=0),
                name="policy_has_exactly_one_target",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.tier} Sev {self.severity}: {self.target_label}"

    @property
    def target_label(self) -> str:
        if self.next_business_day:
            return "next business day"
        hours, minutes = divmod(self.target_minutes or 0, 60)
        return " ".join(
            part for part in [f"{hours} h" if hours else "", f"{minutes} min" if minutes else ""] if part
        )

    def clean(self):
        if self.next_business_day == (self.target_minutes is not None):
            raise ValidationError({"target_minutes": "Give either a number of minutes or next business day."})


class AutoCloseRule(models.Model):
    """How long a case may wait on the customer before it closes by itself, in business days (domain.md §6).

    A business day is Monday to Friday, not a closed date of `business_days` (its time zone, holiday list
    and custom closed dates; its weekly hours are not used).
    """

    tier = models.OneToOneField("tenants.Tier", on_delete=models.CASCADE, related_name="auto_close_rule")
    business_days = models.ForeignKey(Calendar, on_delete=models.PROTECT, related_name="auto_close_rules")
    unconfirmed_after_days = models.PositiveSmallIntegerField(
        default=10, help_text="A proposed solution with no reply closes as unconfirmed after this many."
    )
    no_response_after_days = models.PositiveSmallIntegerField(
        default=15, help_text="A request for information with no reply closes as no response after this many."
    )
    reminder_days_before = models.PositiveSmallIntegerField(default=2)

    def __str__(self) -> str:
        return f"{self.tier}: {self.unconfirmed_after_days} / {self.no_response_after_days} business days"
