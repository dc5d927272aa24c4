from allauth.account.adapter import DefaultAccountAdapter


class InviteOnlyAccountAdapter(DefaultAccountAdapter):
    """Nobody signs up on their own: admins create staff; portal admins invite contacts."""

    def is_open_for_signup(self, request):
        return False
