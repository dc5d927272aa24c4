"""Components and groups are data an admin edits here; incidents and maintenance are written from the staff
pages under /status/manage/ (through the services, so subscribers are emailed); the admin shows them."""

from django.contrib import admin

from lib.outbox import OutboxRetryAdmin
from statuspage.models import (
    Component,
    ComponentGroup,
    Incident,
    IncidentUpdate,
    Maintenance,
    StatusEmail,
    Subscriber,
)
from statuspage.outbox import STATUS_EMAILS
from statuspage.services import status_changed


class StatusDataAdmin(admin.ModelAdmin):
    """A change here shows on the status page at once, like a change through the services."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        status_changed()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        status_changed()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        status_changed()


@admin.register(ComponentGroup)
class ComponentGroupAdmin(StatusDataAdmin):
    list_display = ["name", "position"]


@admin.register(Component)
class ComponentAdmin(StatusDataAdmin):
    list_display = ["name", "group", "position", "is_visible"]
    list_filter = ["group", "is_visible"]
    list_select_related = ["group"]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Written through the services only (staff pages, outbox): the admin reads."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class IncidentUpdateInline(admin.TabularInline):
    model = IncidentUpdate
    fields = readonly_fields = ["created_at", "status", "body", "author"]
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Incident)
class IncidentAdmin(ReadOnlyAdmin):
    list_display = ["title", "status", "started_at", "resolved_at"]
    list_filter = ["status"]
    inlines = [IncidentUpdateInline]


@admin.register(Maintenance)
class MaintenanceAdmin(ReadOnlyAdmin):
    list_display = ["title", "starts_at", "ends_at"]


@admin.register(Subscriber)
class SubscriberAdmin(admin.ModelAdmin):
    list_display = ["email", "created_at", "confirmed_at"]
    search_fields = ["email"]
    fields = readonly_fields = ["email", "created_at", "confirmed_at", "confirmation_sent_at"]

    def has_add_permission(self, request):
        return False


@admin.register(StatusEmail)
class StatusEmailAdmin(OutboxRetryAdmin):
    """The status outbox, read-only; staff retry failed and interrupted emails from the list."""

    outbox = STATUS_EMAILS

    list_display = ["created_at", "template", "address", "status", "attempts", "sent_at", "last_error"]
    list_filter = ["status", "template"]
    search_fields = ["address"]
