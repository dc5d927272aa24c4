from allauth.mfa.models import Authenticator
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

from tenants.models import StaffRole
from tenants.time_zones import time_zone_or_utc


class AdminMFARequiredMiddleware:
    """Staff with the admin role must set up TOTP before anything else (domain: admins configure everything).

    Until they have, every page except the sign-in/MFA pages and static files sends them to the TOTP setup.
    """

    allowed_prefixes = ("/accounts/", "/static/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            user.is_authenticated
            and user.staff_role == StaffRole.ADMIN
            and not request.path.startswith(self.allowed_prefixes)
            and not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
        ):
            return redirect(f"{reverse('mfa_activate_totp')}?next={request.path}")
        return self.get_response(request)


class ReaderTimeZoneMiddleware:
    """Show every time in the reader's own time zone."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        time_zone = getattr(request.user, "time_zone", "") if request.user.is_authenticated else ""
        timezone.activate(time_zone_or_utc(time_zone))
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
