"""API sign-in by token, except for the admin role.

Administrators must sign in with two-factor (tenants.middleware.AdminMFARequiredMiddleware); a token is a
password that skips it. So the admin role has no API tokens at all: none is minted, and one minted before
the person became an admin is refused.
"""

from rest_framework import authentication, exceptions

from tenants.models import StaffRole

NO_TOKENS_FOR_ADMINS = (
    "The admin role has no API tokens: administrators sign in with two-factor authentication. "
    "Use the API with the session of a signed-in browser, or a token of a non-admin account."
)


class TokenAuthentication(authentication.TokenAuthentication):
    def authenticate_credentials(self, key):
        if "\x00" in key:  # PostgreSQL cannot even look such a key up
            raise exceptions.AuthenticationFailed("Invalid token.")
        user, token = super().authenticate_credentials(key)
        if user.staff_role == StaffRole.ADMIN:
            raise exceptions.AuthenticationFailed(NO_TOKENS_FOR_ADMINS)
        return user, token
