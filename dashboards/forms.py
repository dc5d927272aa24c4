"""The period and filters of the dashboards and the report, read from GET parameters."""

import datetime

from django import forms
from django.utils import timezone

from dashboards.selectors import DashboardFilters, Period, period_last, staff_people
from lib.keys import KEY_MAX
from tenants.models import Tier

PERIODS = [("7", "Last 7 days"), ("30", "Last 30 days"), ("90", "Last 90 days"), ("dates", "Dates")]
LONGEST = 366


class PeriodForm(forms.Form):
    period = forms.ChoiceField(choices=PERIODS, required=False, initial="30")
    start = forms.DateField(label="From", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label="To", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        if data.get("period") == "dates":
            start, end = data.get("start"), data.get("end")
            if not start or not end:
                raise forms.ValidationError("Give both dates, or choose one of the last 7, 30 or 90 days.")
            if end < start:
                raise forms.ValidationError("The period ends before it starts.")
            if (end - start).days + 1 > LONGEST:
                raise forms.ValidationError(f"Choose at most {LONGEST} days.")
        return data

    def period_value(self, *, now: datetime.datetime | None = None) -> Period:
        """The chosen period; the last 30 days when none or an unreadable one was asked for."""
        data = self.cleaned_data if self.is_valid() else {}
        if data.get("period") == "dates":
            return Period(start=data["start"], end=data["end"])
        return period_last(int(data.get("period") or 30), now=now or timezone.now())


class DashboardForm(PeriodForm):
    tier = forms.ModelChoiceField(
        queryset=Tier.objects.filter(can_file_cases=True),
        to_field_name="slug",
        required=False,
        empty_label="All",
    )
    severity = forms.TypedChoiceField(
        choices=[("", "All"), (1, "Severity 1"), (2, "Severity 2"), (3, "Severity 3")],
        coerce=int,
        required=False,
        empty_value=None,
    )
    account = forms.IntegerField(
        label="Account id", required=False, min_value=1, max_value=KEY_MAX, help_text="Or pick one below."
    )
    organization = forms.IntegerField(label="Organization id", required=False, min_value=1, max_value=KEY_MAX)
    assignee = forms.ModelChoiceField(
        label="Engineer", queryset=staff_people(), required=False, empty_label="All"
    )

    def filters(self) -> DashboardFilters:
        """The filters that read; an unreadable one is left out (the page says which)."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        tier, assignee = data.get("tier"), data.get("assignee")
        return DashboardFilters(
            tier_id=tier.pk if tier else None,
            severity=data.get("severity"),
            account_id=data.get("account"),
            organization_id=data.get("organization"),
            assignee_id=assignee.pk if assignee else None,
        )
