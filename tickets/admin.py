from django.contrib import admin

from lib.outbox import OutboxRetryAdmin
from tickets.models import Case, CaseEvent, Category, Macro, OutboundEmail
from tickets.outbox import CASE_EMAILS


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    """The categories offered when filing. Retire one by unticking "offered": deleting one that cases use is
    refused, and its cases keep showing its label."""

    list_display = ["label", "slug", "is_active", "position"]
    list_editable = ["is_active", "position"]
    list_filter = ["is_active"]
    search_fields = ["label", "slug"]
    prepopulated_fields = {"slug": ["label"]}

    def get_readonly_fields(self, request, obj=None):
        # The form and API clients post the slug: once saved it stays, while the label may be reworded.
        return ["slug"] if obj is not None else []

    def get_prepopulated_fields(self, request, obj=None):
        return {} if obj is not None else self.prepopulated_fields


class CaseEventInline(admin.TabularInline):
    model = CaseEvent
    extra = 0
    can_delete = False
    readonly_fields = ["created_at", "actor", "kind", "data"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    list_display = [
        "number",
        "subject",
        "account",
        "organization",
        "severity",
        "status",
        "first_response_due",
    ]
    list_filter = ["status", "severity", "channel", "category"]
    search_fields = ["number", "subject"]
    list_select_related = ["account", "organization"]
    raw_id_fields = ["account", "organization", "contract", "requester", "assignee", "cc"]
    # Links between cases are written by the split, merge and link actions with their events (the case page
    # finds merged and split cases by those events); shown here, not edited. Editable, each was also a select
    # of every case in the database.
    readonly_fields = [
        "first_response_due",
        "first_response_at_risk_at",
        "created_at",
        "updated_at",
        "continues",
        "split_from",
        "merged_into",
    ]
    inlines = [CaseEventInline]


@admin.register(OutboundEmail)
class OutboundEmailAdmin(OutboxRetryAdmin):
    """The outbox, read-only: what was sent, what waits, what failed. Staff retry from the list."""

    outbox = CASE_EMAILS

    list_display = [
        "created_at",
        "case_number",
        "template",
        "address",
        "status",
        "attempts",
        "next_attempt_at",
        "sent_at",
        "last_error",
    ]
    list_filter = ["status", "template"]
    search_fields = ["address", "event__case__number"]
    list_select_related = ["event__case"]
    date_hierarchy = "created_at"
    fields = readonly_fields = [
        "event",
        "recipient",
        "address",
        "template",
        "status",
        "attempts",
        "next_attempt_at",
        "claimed_at",
        "sent_at",
        "last_error",
        "created_at",
    ]

    @admin.display(description="Case", ordering="event__case__number")
    def case_number(self, email):
        return email.event.case.number

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Macro)
class MacroAdmin(admin.ModelAdmin):
    """Canned replies staff start a public reply from, per response kind. Untick "offered" to retire one."""

    list_display = ["name", "kind", "is_active"]
    list_editable = ["is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "body"]
