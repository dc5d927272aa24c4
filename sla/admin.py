"""Admins edit calendars, policies and auto-close rules here; each change is announced (sla.signals), and the
apps that own cases recompute them in the background."""

from django.contrib import admin

from sla.models import AutoCloseRule, Calendar, ClosedDate, Policy
from sla.signals import rules_changed_announce


class ClosedDateInline(admin.TabularInline):
    model = ClosedDate
    extra = 1


@admin.register(Calendar)
class CalendarAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "time_zone", "weekly_hours", "holiday_country"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [ClosedDateInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # The calendar row is saved on every submit, so its timestamp moves even when only closed dates did.
        form.instance.save(update_fields=["updated_at"])
        rules_changed_announce(calendar_ids=[form.instance.pk])


@admin.register(Policy)
class PolicyAdmin(admin.ModelAdmin):
    list_display = ["tier", "severity", "target_label", "calendar"]
    list_filter = ["tier", "calendar"]
    list_select_related = ["tier", "calendar"]

    def save_model(self, request, obj, form, change):
        previous_tier_ids = [form.initial["tier"]] if change and "tier" in form.initial else []
        super().save_model(request, obj, form, change)
        rules_changed_announce(policy_ids=[obj.pk], tier_ids=previous_tier_ids)


@admin.register(AutoCloseRule)
class AutoCloseRuleAdmin(admin.ModelAdmin):
    list_display = ["tier", "business_days", "unconfirmed_after_days", "no_response_after_days"]
