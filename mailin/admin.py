from django.contrib import admin

from mailin.models import InboundMessage


@admin.register(InboundMessage)
class InboundMessageAdmin(admin.ModelAdmin):
    """Read-only: what came in and what became of it. Staff release or discard held mail on their page."""

    list_display = ["received_at", "from_address", "subject", "outcome", "case", "source"]
    list_filter = ["outcome", "source"]
    search_fields = ["from_address", "subject", "message_id"]
    exclude = ["raw"]
    readonly_fields = [field.name for field in InboundMessage._meta.fields if field.name != "raw"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
