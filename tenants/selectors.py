"""Reads about accounts and contracts."""

import datetime
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone

from tenants.models import CASE_HOLDER_ROLES, Contract, Membership, Organization, User
from tenants.scope import Scope, scope_for


def case_holders() -> QuerySet[User]:
    """Who a case may be assigned to: active engineers and supervisors, by name."""
    return User.objects.filter(is_active=True, staff_role__in=CASE_HOLDER_ROLES).order_by(
        "first_name", "last_name", "email"
    )


@dataclass(frozen=True)
class FilingEligibility:
    can_file: bool
    reason: str = ""
    advice: str = ""
    contract: Contract | None = None


def contract_in_force(*, account_id: int, day: datetime.date | None = None) -> Contract | None:
    """The account's contract valid on `day` (today by default), the highest tier if several overlap."""
    day = day or timezone.localdate()
    return (
        Contract.objects.filter(account_id=account_id, start_date__lte=day, end_date__gte=day)
        .select_related("tier")
        .order_by("-tier__rank", "-end_date")
        .first()
    )


def filing_eligibility(*, user: User) -> FilingEligibility:
    """May this person file cases? If not, say why and where to go instead (domain.md §1)."""
    scope = scope_for(user)
    if scope.is_vendor_staff:
        return FilingEligibility(can_file=False, reason="Vendor staff log cases on a customer's behalf.")
    membership = Membership.objects.filter(user=user).select_related("account").first()
    if membership is None:
        return FilingEligibility(
            can_file=False,
            reason="Your sign-in is not linked to a customer account.",
            advice="Ask your company's portal admin to invite you.",
        )
    if not membership.is_active:
        return FilingEligibility(
            can_file=False,
            reason="Your access to this account has been deactivated.",
            advice="Ask a portal admin of your company to reactivate you.",
        )
    contract = contract_in_force(account_id=membership.account_id)
    if contract is None:
        last = Contract.objects.filter(account_id=membership.account_id).order_by("-end_date").first()
        ended = f" ended on {last.end_date:%B %-d, %Y}" if last else " is not in force"
        return FilingEligibility(
            can_file=False,
            reason=f"Your company's support contract{ended}.",
            advice="Contact sales to renew. The knowledge base and status page stay open to you.",
        )
    if not contract.tier.can_file_cases:
        return FilingEligibility(
            can_file=False,
            reason=f"Your company is on the {contract.tier.name} tier, which does not include support cases.",
            advice="Search the knowledge base or check the status page, or contact sales to upgrade.",
            contract=contract,
        )
    return FilingEligibility(can_file=True, contract=contract)


def _active_contacts_acting_for(*, account_id: int, organizations) -> QuerySet[User]:
    """Active contacts of the account acting for all its organizations or for one of `organizations`."""
    return (
        User.objects.filter(is_active=True, membership__is_active=True, membership__account_id=account_id)
        .filter(Q(membership__all_organizations=True) | Q(membership__organizations__in=organizations))
        .distinct()
        .order_by("first_name", "email")
    )


def contacts_acting_for(*, organization: Organization) -> QuerySet[User]:
    """The active contacts who act for `organization`: the only people who may be copied on its cases,
    because the only ones who could read them."""
    return _active_contacts_acting_for(account_id=organization.account_id, organizations=[organization])


def colleagues_for(*, scope: Scope) -> QuerySet[User]:
    """The colleagues a contact may copy on its cases (itself included): active contacts of its account who
    act for at least one of the organizations it acts for. Nobody beyond its own reach is offered or named."""
    if scope.membership is None:
        return User.objects.none()
    return _active_contacts_acting_for(
        account_id=scope.membership.account_id, organizations=scope.organizations().values("pk")
    )


def organizations_acted_for(*, users) -> dict[int, set[int] | None]:
    """For each user id, the ids of the organizations it acts for (None: all of its account's)."""
    acting: dict[int, set[int] | None] = {}
    memberships = Membership.objects.filter(user__in=users).prefetch_related("organizations")
    for membership in memberships:
        acting[membership.user_id] = (
            None if membership.all_organizations else {org.pk for org in membership.organizations.all()}
        )
    return acting
