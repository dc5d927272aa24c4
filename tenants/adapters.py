import time

from allauth.account import app_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.authentication import get_authentication_records


class InviteOnlyAccountAdapter(DefaultAccountAdapter):
    """Nobody signs up on their own: admins create staff; portal admins invite contacts."""

    def is_open_for_signup(self, request):
        return False

    def is_reauthentication_required(self, *, app: str, **kwargs) -> bool:
        """A password typed at sign-in a moment ago proves as much as one typed again: allauth asks again
        only when the person last proved who they are (signing in or confirming) more than
        ACCOUNT_REAUTHENTICATION_TIMEOUT ago. An admin sent to set up two-factor sign-in right after
        signing in is not asked for the password twice."""
        request = self.request
        records = get_authentication_records(request, request.user) if request is not None else []
        if records and time.time() - records[-1]["at"] < app_settings.REAUTHENTICATION_TIMEOUT:
            return False
        return super().is_reauthentication_required(app=app, **kwargs)
