from django.contrib import admin

from tickets.models import Case, CaseEvent


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
    list_filter = ["status", "severity", "channel"]
    search_fields = ["number", "subject"]
    list_select_related = ["account", "organization"]
    raw_id_fields = ["account", "organization", "contract", "requester", "assignee", "cc"]
    readonly_fields = ["first_response_due", "first_response_at_risk_at", "created_at", "updated_at"]
    inlines = [CaseEventInline]
