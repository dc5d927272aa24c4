"""Who is who (domain.md §1–§2, §9): people, accounts, organizations, contracts and products."""

import datetime

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.utils import timezone

from tenants.time_zones import time_zone_validate


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email, password=None, **extra):
        if not email:
            raise ValueError("A user needs an email address.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        extra.setdefault("staff_role", StaffRole.ADMIN)
        return self.create_user(email, password, **extra)


class StaffRole(models.TextChoices):
    ENGINEER = "engineer", "Support engineer"
    SUPERVISOR = "supervisor", "Supervisor"
    ADMIN = "admin", "Administrator"


# Who may hold cases (be their assignee): engineers and supervisors. An admin configures the product and may
# act on a case, but works none.
CASE_HOLDER_ROLES = (StaffRole.ENGINEER, StaffRole.SUPERVISOR)


class CaseEmail(models.TextChoices):
    """The case emails a customer may turn off (tickets.notifications says which email is which). The others
    always go: the confirmation of a case they filed or support logged for them (its number and the promised
    response), and the warning that a case will close by itself and its closing (docs/decisions.md)."""

    REPLIES = "replies", "Replies from support, including requests for information"
    STATUS = "status", "A case opens again, closes or is reopened"
    SEVERITY = "severity", "Support changes a case's severity"
    ESCALATION = "escalation", "A supervisor answers an escalation"


class User(AbstractUser):
    """A person who signs in with an email address: vendor staff (with a staff role) or a customer contact."""

    username = None
    email = models.EmailField("email address", unique=True)
    staff_role = models.CharField(max_length=20, choices=StaffRole.choices, blank=True)
    time_zone = models.CharField(
        max_length=64,
        default="UTC",
        validators=[time_zone_validate],
        help_text="Times are shown to this person in this time zone.",
    )
    phone = models.CharField(max_length=40, blank=True)
    case_emails_off = models.JSONField(
        default=list, blank=True, help_text="The CaseEmail kinds this person turned off."
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        ordering = ["email"]

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    @property
    def is_vendor_staff(self) -> bool:
        return bool(self.staff_role)

    @property
    def may_hold_cases(self) -> bool:
        return self.is_active and self.staff_role in CASE_HOLDER_ROLES

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.email


class Tier(models.Model):
    """A support tier (Free / Standard / Premium / Enterprise): data an admin edits, not code."""

    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=80)
    can_file_cases = models.BooleanField(
        default=True, help_text="Free tiers get the knowledge base and status page only."
    )
    channels = models.JSONField(
        default=list, blank=True, help_text='e.g. ["portal", "email", "chat", "phone"]'
    )
    has_early_access = models.BooleanField(default=False)
    rank = models.PositiveSmallIntegerField(default=0, help_text="Higher ranks are served first.")

    class Meta:
        ordering = ["rank", "name"]

    def __str__(self) -> str:
        return self.name


class Account(models.Model):
    """A customer company holding a support contract."""

    class Kind(models.TextChoices):
        DIRECT = "direct", "Direct customer"
        MSP = "msp", "Managed service provider"

    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.DIRECT)
    technical_account_manager = models.ForeignKey(
        "tenants.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="managed_accounts",
        limit_choices_to=~models.Q(staff_role=""),
        help_text="Premium accounts may have a named TAM who gets their cases first.",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Organization(models.Model):
    """A tenant: where the impacted users and devices live. A direct account has one; an MSP many."""

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="organizations")
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["account", "name"], name="organization_name_per_account")
        ]

    def __str__(self) -> str:
        return self.name


class Product(models.Model):
    name = models.CharField(max_length=120, unique=True)
    support_years = models.PositiveSmallIntegerField(
        default=2, help_text="A major version is supported for this many years after its GA date."
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Version(models.Model):
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="versions")
    name = models.CharField(max_length=40)
    ga_date = models.DateField("GA date")

    class Meta:
        ordering = ["product__name", "-ga_date"]
        constraints = [models.UniqueConstraint(fields=["product", "name"], name="version_name_per_product")]

    def __str__(self) -> str:
        return f"{self.product.name} {self.name}"

    @property
    def end_of_support(self) -> datetime.date:
        years = self.product.support_years
        try:
            return self.ga_date.replace(year=self.ga_date.year + years)
        except ValueError:  # 29 February
            return self.ga_date.replace(year=self.ga_date.year + years, day=28)

    def is_supported_on(self, day: datetime.date) -> bool:
        return self.ga_date <= day < self.end_of_support


class Contract(models.Model):
    """A support contract: valid while today is within [start, end]."""

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="contracts")
    tier = models.ForeignKey(Tier, on_delete=models.PROTECT, related_name="contracts")
    start_date = models.DateField()
    end_date = models.DateField()
    products = models.ManyToManyField(Product, blank=True, related_name="contracts")

    class Meta:
        ordering = ["-end_date"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")), name="contract_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.account} · {self.tier} · {self.start_date} – {self.end_date}"

    def is_valid_on(self, day: datetime.date) -> bool:
        return self.start_date <= day <= self.end_date


class Membership(models.Model):
    """A contact's place in one account: plain contact or portal admin, and the organizations it acts for.

    A portal admin sees every case of the account within its organizations; an MSP admin is a portal admin of
    an MSP account, limited to some or all of its client organizations. A deactivated membership keeps the
    person able to sign in (to be told why) but gives access to nothing.
    """

    class Role(models.TextChoices):
        CONTACT = "contact", "Contact"
        ADMIN = "admin", "Portal admin"

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="membership")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.CONTACT)
    all_organizations = models.BooleanField(
        default=True, help_text="Acts for every organization of the account, including ones added later."
    )
    organizations = models.ManyToManyField(
        Organization, blank=True, related_name="memberships", help_text="Used when not all organizations."
    )
    is_active = models.BooleanField(default=True)
    deactivated_at = models.DateTimeField(null=True, blank=True)
    deactivated_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    invited_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["account__name", "user__email"]

    def __str__(self) -> str:
        return f"{self.user.email} @ {self.account}"
