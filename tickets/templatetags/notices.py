"""The unread-notice count on the staff navigation (one indexed count per page)."""

from django import template

from tickets.models import StaffNotice

register = template.Library()


@register.simple_tag
def unread_notice_count(user) -> int:
    if not getattr(user, "is_authenticated", False) or not user.is_vendor_staff:
        return 0
    return StaffNotice.objects.filter(recipient=user, read_at=None).count()
