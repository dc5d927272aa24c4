"""factory_boy factories for the data the tests need beyond the demo set."""

import datetime

import factory
from django.utils import timezone

from tenants.models import Account, Contract, Membership, Organization, Tier, User
from tickets.models import Case, Category

PASSWORD = "test-pass-2026"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.test")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"Person {n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @classmethod
    def _after_postgeneration(cls, instance, create, results=None):
        if create:
            instance.save()


class AccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Account

    name = factory.Sequence(lambda n: f"Account {n}")


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    account = factory.SubFactory(AccountFactory)
    name = factory.Sequence(lambda n: f"Organization {n}")


class ContractFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contract

    account = factory.SubFactory(AccountFactory)
    tier = factory.LazyFunction(lambda: Tier.objects.get(slug="standard"))
    start_date = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=30))
    end_date = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=335))


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    account = factory.SubFactory(AccountFactory)
    role = Membership.Role.CONTACT


class CaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Case

    number = factory.Sequence(lambda n: f"T-{n:06d}")
    organization = factory.SubFactory(OrganizationFactory)
    account = factory.SelfAttribute("organization.account")
    requester = factory.SubFactory(UserFactory)
    category = factory.LazyFunction(lambda: Category.objects.get(slug="sign_in"))
    subject = factory.Sequence(lambda n: f"Case subject {n}")
    description = "Something is wrong."
    requested_severity = 3
    severity = 3
    best_time_from = datetime.time(9, 0)
    best_time_to = datetime.time(17, 0)
    contact_time_zone = "America/Denver"
