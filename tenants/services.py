"""Writes about accounts and their people."""

import datetime
import time

from allauth.account.forms import default_token_generator
from allauth.account.utils import user_pk_to_url_str
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse

from lib.emails import send_email
from tenants.models import Account, CaseEmail, Membership, Organization, User
from tenants.scope import scope_for
from tenants.time_zones import time_zone_validate


class TooManyInvitations(Exception):
    """An admin sent more invitations in the last hour than INVITATIONS_PER_HOUR allows."""


def _invitation_count(*, inviter: User) -> int:
    """Count one more invitation by `inviter` in the current hour (a fixed window in the shared cache)."""
    key = f"invitations:{inviter.pk}:{int(time.time() // 3600)}"
    cache.add(key, 0, timeout=3600)
    return cache.incr(key)


def contact_invite(
    *,
    invited_by: User,
    account: Account,
    email: str,
    first_name: str = "",
    last_name: str = "",
    role: str = Membership.Role.CONTACT,
    organizations: list[Organization] | None = None,
) -> None:
    """Invite someone to act for `organizations` of `account` (None: all of them, now and later).

    One can only hand out what one has: the organizations must be among the inviter's own, and only an
    inviter acting for all organizations (or staff) can invite someone who does. Whatever the address, the
    answer is the same, so the form cannot tell who already has a sign-in: a new address gets a contact and
    an email to choose a password; an address that already signs in gets an email saying so, and nothing
    else changes. Emails leave once the transaction commits. Raises ValidationError naming the field, or
    TooManyInvitations past INVITATIONS_PER_HOUR.
    """
    scope = scope_for(invited_by)
    if not (scope.is_vendor_staff or (scope.is_portal_admin and scope.membership.account_id == account.pk)):
        raise ValidationError("Only a portal admin of this account can invite its contacts.")
    if organizations is None:
        if not scope.acts_for_all_organizations:
            raise ValidationError(
                {"organizations": "You act for some organizations only: choose which of them."}
            )
    else:
        if not organizations:
            raise ValidationError({"organizations": "Choose at least one organization."})
        own = set(scope.organizations().filter(account_id=account.pk).values_list("pk", flat=True))
        if any(org.pk not in own for org in organizations):
            raise ValidationError({"organizations": "Choose among the organizations you act for."})
    if role not in Membership.Role.values:
        raise ValidationError({"role": "Choose contact or portal admin."})
    if not scope.is_vendor_staff and _invitation_count(inviter=invited_by) > settings.INVITATIONS_PER_HOUR:
        raise TooManyInvitations(
            f"You have sent {settings.INVITATIONS_PER_HOUR} invitations in the last hour. "
            "Try again later, or ask support to add many people at once."
        )

    email = User.objects.normalize_email(email).lower()
    existing = User.objects.filter(email__iexact=email).first()
    if existing is not None:
        transaction.on_commit(
            lambda: send_email(
                template="invitation_existing",
                to=[existing.email],
                context={"invited_by": invited_by, "account": account, "link": settings.SITE_URL + "/"},
            )
        )
        return
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


def _manageable(*, actor: User, membership: Membership) -> None:
    """The actor may manage this contact: staff, or a portal admin whose reach covers the contact's
    (scope.contacts()); nobody manages someone with a wider reach."""
    if not scope_for(actor).contacts().filter(pk=membership.pk).exists():
        raise ValidationError("Only a portal admin who acts for all of this contact's organizations can.")


def contact_deactivate(*, actor: User, membership: Membership, now: datetime.datetime) -> None:
    """Take away a contact's access to the account; the person and their cases stay, and an admin who may
    see the contact can reactivate them. Refuses the actor's own membership."""
    _manageable(actor=actor, membership=membership)
    if membership.user_id == actor.pk:
        raise ValidationError("You cannot deactivate yourself.")
    Membership.objects.filter(pk=membership.pk).update(
        is_active=False, deactivated_at=now, deactivated_by=actor
    )


def contact_reactivate(*, actor: User, membership: Membership) -> None:
    """Give a deactivated contact its access back, with the organizations it had."""
    _manageable(actor=actor, membership=membership)
    Membership.objects.filter(pk=membership.pk).update(
        is_active=True, deactivated_at=None, deactivated_by=None
    )


@transaction.atomic
def user_settings_set(
    *,
    user: User,
    first_name: str,
    last_name: str,
    phone: str,
    time_zone: str,
    case_emails_off: list[str] | None = None,
) -> User:
    """A person's own settings: name, phone, the time zone every time is shown in, and (customers only, None
    leaves them as they are) the case emails they turned off (CaseEmail values)."""
    if not first_name.strip():
        raise ValidationError({"first_name": "Tell us your first name."})
    _time_zone_check(time_zone)
    user.first_name, user.last_name, user.phone, user.time_zone = (
        first_name.strip(),
        last_name.strip(),
        phone.strip(),
        time_zone,
    )
    fields = ["first_name", "last_name", "phone", "time_zone"]
    if case_emails_off is not None:
        unknown = set(case_emails_off) - set(CaseEmail.values)
        if unknown:
            raise ValidationError({"case_emails_off": f"Unknown email kinds: {', '.join(sorted(unknown))}."})
        user.case_emails_off = sorted(case_emails_off)
        fields.append("case_emails_off")
    user.save(update_fields=fields)
    return user


def _time_zone_check(time_zone: str) -> None:
    try:
        time_zone_validate(time_zone)
    except ValidationError as error:
        raise ValidationError({"time_zone": error.messages}) from error
