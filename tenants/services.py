"""Writes about accounts and their people."""

from allauth.account.forms import default_token_generator
from allauth.account.utils import user_pk_to_url_str
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse

from supportdesk.emails import send_email
from tenants.models import Account, Membership, Organization, User
from tenants.scope import scope_for


def contact_invite(
    *,
    invited_by: User,
    account: Account,
    email: str,
    first_name: str = "",
    last_name: str = "",
    role: str = Membership.Role.CONTACT,
    organizations: list[Organization] | None = None,
) -> User:
    """Create a contact of `account` with no password yet and email them a link to choose one.

    Preconditions: `invited_by` is vendor staff or an active portal admin of `account`; `organizations`
    (None = all of the account's) belong to `account`. The email is sent once the transaction commits.
    """
    scope = scope_for(invited_by)
    if not (scope.is_vendor_staff or (scope.is_portal_admin and scope.membership.account_id == account.pk)):
        raise ValidationError("Only a portal admin of this account can invite its contacts.")
    email = User.objects.normalize_email(email).lower()
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": "Someone with this email address already has a sign-in."})
    if organizations is not None and any(org.account_id != account.pk for org in organizations):
        raise ValidationError({"organizations": "Choose organizations of this account only."})

    with transaction.atomic():
        user = User.objects.create_user(
            email=email, password=None, first_name=first_name, last_name=last_name
        )
        membership = Membership.objects.create(
            user=user,
            account=account,
            role=role,
            all_organizations=organizations is None,
            invited_by=invited_by,
        )
        if organizations is not None:
            membership.organizations.set(organizations)
        transaction.on_commit(lambda: _send_invitation(user=user, invited_by=invited_by, account=account))
    return user


def _send_invitation(*, user: User, invited_by: User, account: Account) -> None:
    path = reverse(
        "account_reset_password_from_key",
        kwargs={"uidb36": user_pk_to_url_str(user), "key": default_token_generator.make_token(user)},
    )
    send_email(
        template="invitation",
        to=[user.email],
        context={
            "user": user,
            "invited_by": invited_by,
            "account": account,
            "link": settings.SITE_URL + path,
        },
    )


def contact_deactivate(*, actor: User, membership: Membership) -> None:
    """Take away a contact's access to the account; the person and their cases stay."""
    scope = scope_for(actor)
    if not (
        scope.is_vendor_staff
        or (scope.is_portal_admin and scope.membership.account_id == membership.account_id)
    ):
        raise ValidationError("Only a portal admin of this account can deactivate its contacts.")
    if membership.user_id == actor.pk:
        raise ValidationError("You cannot deactivate yourself.")
    Membership.objects.filter(pk=membership.pk).update(is_active=False)
