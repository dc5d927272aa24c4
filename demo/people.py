"""Demo data for `manage.py seed_demo`: the accounts and people named in the README. Safe to run again."""

import datetime

from django.db import transaction
from django.utils import timezone

from sla.services import sla_preset_load
from tenants.catalogue import tiers_install_defaults
from tenants.models import (
    Account,
    Contract,
    Membership,
    Organization,
    Product,
    StaffRole,
    Tier,
    User,
    Version,
)
from tickets.categories import categories_install_defaults
from tickets.models import Category

DEMO_PASSWORD = "demo-pass-2026"  # noqa: S105 (documented demo password, demo data only)

STAFF = [
    ("engineer@demo.test", "Erik", "Engel", StaffRole.ENGINEER, "America/Denver"),
    ("engineer2@demo.test", "Priya", "Nair", StaffRole.ENGINEER, "America/Chicago"),
    ("supervisor@demo.test", "Sam", "Sutter", StaffRole.SUPERVISOR, "America/Chicago"),
    ("admin@demo.test", "Ada", "Admin", StaffRole.ADMIN, "UTC"),
]

PRODUCTS = {
    "Identity Gateway": [
        ("3.0", datetime.date(2022, 3, 1)),
        ("4.0", datetime.date(2024, 6, 3)),
        ("5.0", datetime.date(2026, 2, 2)),
    ],
    "Endpoint Agent": [("6.2", datetime.date(2023, 9, 12)), ("7.0", datetime.date(2025, 10, 6))],
}

# account name, kind, tier slug, contract still valid?, organizations, people
ACCOUNTS = [
    (
        "Acme",
        Account.Kind.DIRECT,
        "standard",
        True,
        ["Acme"],
        [
            ("alice@acme.test", "Alice", "Archer", Membership.Role.ADMIN, None, "America/Denver"),
            ("bob@acme.test", "Bob", "Baker", Membership.Role.CONTACT, None, "America/Denver"),
        ],
    ),
    (
        "Northwind MSP",
        Account.Kind.MSP,
        "premium",
        True,
        ["Contoso Dental", "Fabrikam Logistics", "Tailspin Clinics"],
        [
            ("mia@northwind-msp.test", "Mia", "Moreno", Membership.Role.ADMIN, None, "America/Chicago"),
            (
                "max@northwind-msp.test",
                "Max",
                "Mueller",
                Membership.Role.ADMIN,
                ["Contoso Dental", "Fabrikam Logistics"],
                "Europe/Berlin",
            ),
        ],
    ),
    (
        "FreeCo",
        Account.Kind.DIRECT,
        "free",
        True,
        ["FreeCo"],
        [
            ("fred@freeco.test", "Fred", "Fischer", Membership.Role.ADMIN, None, "America/New_York"),
        ],
    ),
    (
        "OldCo",
        Account.Kind.DIRECT,
        "standard",
        False,
        ["OldCo"],
        [
            ("olga@oldco.test", "Olga", "Olsen", Membership.Role.ADMIN, None, "America/Denver"),
        ],
    ),
    (
        "Enterprise Corp",
        Account.Kind.DIRECT,
        "enterprise",
        True,
        ["Enterprise Corp"],
        [
            ("erin@enterprise.test", "Erin", "Evans", Membership.Role.ADMIN, None, "America/Chicago"),
        ],
    ),
]


def _person(email, first, last, time_zone, **extra) -> User:
    user, created = User.objects.get_or_create(
        email=email, defaults={"first_name": first, "last_name": last, "time_zone": time_zone, **extra}
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    return user


@transaction.atomic
def demo_seed(*, today: datetime.date | None = None) -> list[User]:
    """Create (or complete) the demo accounts, people and products, and the default tiers, SLA presets and
    case categories a test database may have lost. Returns the demo users."""
    today = today or timezone.localdate()
    tiers_install_defaults(Tier=Tier)
    categories_install_defaults(Category=Category)
    for preset in ["default", "enterprise"]:
        sla_preset_load(name=preset)
    people = []
    for email, first, last, role, time_zone in STAFF:
        is_admin = role == StaffRole.ADMIN
        people.append(
            _person(email, first, last, time_zone, staff_role=role, is_staff=is_admin, is_superuser=is_admin)
        )

    products = []
    for name, versions in PRODUCTS.items():
        product, _ = Product.objects.get_or_create(name=name)
        products.append(product)
        for version, ga_date in versions:
            Version.objects.get_or_create(product=product, name=version, defaults={"ga_date": ga_date})

    Tier.objects.get_or_create(
        slug="enterprise",
        defaults={"name": "Enterprise", "channels": ["portal", "email", "phone"], "rank": 30},
    )

    for name, kind, tier_slug, valid, organization_names, contacts in ACCOUNTS:
        account, _ = Account.objects.get_or_create(name=name, defaults={"kind": kind})
        organizations = {
            org_name: Organization.objects.get_or_create(account=account, name=org_name)[0]
            for org_name in organization_names
        }
        if not account.contracts.exists():
            tier = Tier.objects.get(slug=tier_slug)
            if valid:
                start, end = today - datetime.timedelta(days=200), today + datetime.timedelta(days=165)
            else:
                start, end = today - datetime.timedelta(days=430), today - datetime.timedelta(days=65)
            contract = Contract.objects.create(account=account, tier=tier, start_date=start, end_date=end)
            contract.products.set(products)
        for email, first, last, role, limited_to, time_zone in contacts:
            user = _person(email, first, last, time_zone)
            people.append(user)
            membership, created = Membership.objects.get_or_create(
                user=user,
                defaults={"account": account, "role": role, "all_organizations": limited_to is None},
            )
            if created and limited_to:
                membership.organizations.set([organizations[org_name] for org_name in limited_to])
    return people
