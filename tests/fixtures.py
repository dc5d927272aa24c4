"""Two tenants and every role, built with factories: the small world ownership tests stand on.

Acme Dental is a direct customer on Standard; Harbor MSP manages three client organizations on Premium. One
must never see the other's cases, and Harbor's limited MSP admin must never see Tailspin Toys'. Around them:
vendor staff of every role, and two accounts that may not file at all (Free tier, expired contract).

Use it as the `two_tenants` fixture (import it into a conftest, as tests/ownership/conftest.py does), or call
`two_tenants_build()` inside a fixture of a wider scope. Nothing here depends on the demo data or its counts.
"""

import datetime
from dataclasses import dataclass

import pytest
from allauth.mfa.models import Authenticator
from django.utils import timezone

from tenants.models import Account, Membership, Organization, StaffRole, Tier, User
from tenants.services import contact_deactivate
from tests.factories import (
    AccountFactory,
    ContractFactory,
    MembershipFactory,
    OrganizationFactory,
    UserFactory,
)


@dataclass(frozen=True)
class TwoTenants:
    """People by role name (`people["b_msp_admin_limited"]`), organizations by short name (`"b_3"`).

    Acme Dental (direct, Standard), organization "a":
      a_admin           portal admin
      a_contact         contact
      a_contact_2       second contact
    Harbor MSP (MSP, Premium): "b_1" Contoso Clinic, "b_2" Fabrikam Freight, "b_3" Tailspin Toys:
      b_msp_admin          portal admin acting for every organization
      b_msp_admin_limited  portal admin limited to b_1 and b_2: never sees b_3
      b_contact            contact of b_3
      b_contact_2          second contact of b_3 (someone to copy on b_contact's cases)
      b_contact_all        contact acting for every organization: sees b_3, but only its own and CC'd cases
      b_contact_deactivated  contact of b_3 whose access b_msp_admin took away (can still sign in)
    Vendor staff: engineer, supervisor, staff_admin (with TOTP set up, so the pages let them in).
    Free Co ("free", Free tier): free_admin.  Lapsed Ltd ("expired", contract ended): expired_admin.
    """

    people: dict[str, User]
    organizations: dict[str, Organization]
    accounts: dict[str, Account]

    def __getitem__(self, role: str) -> User:
        return self.people[role]


def _person(name: str, account: Account, **membership) -> User:
    user = UserFactory(email=f"{name.replace('_', '.')}@{_domain(account)}", first_name=name, last_name="")
    organizations = membership.pop("organizations", None)
    made = MembershipFactory(
        user=user, account=account, all_organizations=organizations is None, **membership
    )
    if organizations is not None:
        made.organizations.set(organizations)
    return user


def _domain(account: Account) -> str:
    return account.name.lower().replace(" ", "-") + ".test"


def two_tenants_build() -> TwoTenants:
    today = timezone.localdate()
    tier = {tier.slug: tier for tier in Tier.objects.all()}
    admin, contact = Membership.Role.ADMIN, Membership.Role.CONTACT

    acme = AccountFactory(name="Acme Dental", kind=Account.Kind.DIRECT)
    ContractFactory(account=acme, tier=tier["standard"])
    a = OrganizationFactory(account=acme, name="Acme Dental")

    harbor = AccountFactory(name="Harbor MSP", kind=Account.Kind.MSP)
    ContractFactory(account=harbor, tier=tier["premium"])
    b_1 = OrganizationFactory(account=harbor, name="Contoso Clinic")
    b_2 = OrganizationFactory(account=harbor, name="Fabrikam Freight")
    b_3 = OrganizationFactory(account=harbor, name="Tailspin Toys")

    free = AccountFactory(name="Free Co")
    ContractFactory(account=free, tier=tier["free"])
    free_organization = OrganizationFactory(account=free, name="Free Co")

    lapsed = AccountFactory(name="Lapsed Ltd")
    ContractFactory(
        account=lapsed,
        tier=tier["standard"],
        start_date=today - datetime.timedelta(days=400),
        end_date=today - datetime.timedelta(days=35),
    )
    lapsed_organization = OrganizationFactory(account=lapsed, name="Lapsed Ltd")

    people = {
        "a_admin": _person("a_admin", acme, role=admin),
        "a_contact": _person("a_contact", acme, role=contact),
        "a_contact_2": _person("a_contact_2", acme, role=contact),
        "b_msp_admin": _person("b_msp_admin", harbor, role=admin),
        "b_msp_admin_limited": _person("b_msp_admin_limited", harbor, role=admin, organizations=[b_1, b_2]),
        "b_contact": _person("b_contact", harbor, role=contact, organizations=[b_3]),
        "b_contact_2": _person("b_contact_2", harbor, role=contact, organizations=[b_3]),
        "b_contact_all": _person("b_contact_all", harbor, role=contact),
        "b_contact_deactivated": _person("b_contact_deactivated", harbor, role=contact, organizations=[b_3]),
        "free_admin": _person("free_admin", free, role=admin),
        "expired_admin": _person("expired_admin", lapsed, role=admin),
        "engineer": UserFactory(email="engineer@vendor.test", staff_role=StaffRole.ENGINEER),
        "supervisor": UserFactory(email="supervisor@vendor.test", staff_role=StaffRole.SUPERVISOR),
        "staff_admin": UserFactory(email="staff.admin@vendor.test", staff_role=StaffRole.ADMIN),
    }
    contact_deactivate(
        actor=people["b_msp_admin"],
        membership=people["b_contact_deactivated"].membership,
        now=timezone.now(),
    )
    # Admins must set up two-factor before any page; signing in with the code is allauth's, tested there.
    Authenticator.objects.create(
        user=people["staff_admin"], type=Authenticator.Type.TOTP, data={"secret": "unused"}
    )
    return TwoTenants(
        people=people,
        organizations={
            "a": a,
            "b_1": b_1,
            "b_2": b_2,
            "b_3": b_3,
            "free": free_organization,
            "expired": lapsed_organization,
        },
        accounts={"a": acme, "b": harbor, "free": free, "expired": lapsed},
    )


@pytest.fixture
def two_tenants(db) -> TwoTenants:
    """Acme Dental and Harbor MSP, every role in each, vendor staff, a Free and an expired account."""
    return two_tenants_build()
