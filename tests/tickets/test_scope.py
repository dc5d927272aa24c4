"""Who sees what: the one scoping function, checked for every role on the demo data."""

import pytest

from tenants.models import Account, Membership, Organization
from tests.factories import CaseFactory, UserFactory
from tickets.scope import scope_for


@pytest.fixture
def cases(demo):
    """Two cases in every demo organization: one filed by the account's first person, one by someone else."""
    made = {}
    for organization in Organization.objects.select_related("account"):
        member = Membership.objects.filter(account=organization.account).order_by("pk").first()
        made[organization.name] = [
            CaseFactory(
                organization=organization, requester=member.user, subject=f"{organization.name} mine"
            ),
            CaseFactory(
                organization=organization, requester=UserFactory(), subject=f"{organization.name} other"
            ),
        ]
    return made


def names(queryset):
    return sorted(str(item) for item in queryset)


@pytest.mark.parametrize("who", ["engineer", "engineer2", "supervisor", "admin"])
def test_vendor_staff_see_every_account_and_case(demo, cases, who):
    scope = scope_for(demo[who])
    assert scope.is_vendor_staff
    assert scope.accounts().count() == Account.objects.count() == 5
    assert scope.cases().count() == 2 * Organization.objects.count()


def test_portal_admin_sees_every_case_of_her_account_and_nothing_else(demo, cases):
    scope = scope_for(demo["alice"])
    assert names(scope.accounts()) == ["Acme"]
    assert names(scope.organizations()) == ["Acme"]
    assert sorted(case.subject for case in scope.cases()) == ["Acme mine", "Acme other"]


def test_contact_sees_only_his_own_cases_and_those_he_is_cc_d_on(demo, cases):
    bob = demo["bob"]
    alices_case, strangers_case = cases["Acme"]
    assert list(scope_for(bob).cases()) == []
    strangers_case.cc.add(bob)
    mine = CaseFactory(organization=alices_case.organization, requester=bob, subject="Bob's own")
    assert sorted(case.subject for case in scope_for(bob).cases()) == ["Acme other", "Bob's own"]
    assert mine in scope_for(bob).cases()


def test_msp_admin_with_all_organizations_sees_all_client_cases(demo, cases):
    scope = scope_for(demo["mia"])
    assert names(scope.organizations()) == ["Contoso Dental", "Fabrikam Logistics", "Tailspin Clinics"]
    assert scope.cases().count() == 6


def test_limited_msp_admin_never_sees_his_third_organization(demo, cases):
    scope = scope_for(demo["max"])
    assert names(scope.organizations()) == ["Contoso Dental", "Fabrikam Logistics"]
    subjects = {case.subject for case in scope.cases()}
    assert subjects == {
        "Contoso Dental mine",
        "Contoso Dental other",
        "Fabrikam Logistics mine",
        "Fabrikam Logistics other",
    }
    assert not scope.cases().filter(organization__name="Tailspin Clinics").exists()


def test_a_cc_on_a_case_outside_his_organizations_shows_nothing_to_a_limited_contact(demo, cases):
    max_ = demo["max"]
    Membership.objects.filter(user=max_).update(role=Membership.Role.CONTACT)
    tailspin_case = cases["Tailspin Clinics"][1]
    tailspin_case.cc.add(max_)
    assert tailspin_case not in scope_for(max_).cases()


@pytest.mark.parametrize("who", ["fred", "olga", "erin"])
def test_customers_of_other_accounts_see_only_their_own_account(demo, cases, who):
    scope = scope_for(demo[who])
    account = demo[who].membership.account
    assert list(scope.accounts()) == [account]
    assert all(case.account_id == account.pk for case in scope.cases())
    assert not scope.cases().filter(account__name__in=["Acme", "Northwind MSP"]).exists()


def test_a_deactivated_contact_sees_nothing(demo, cases):
    Membership.objects.filter(user=demo["alice"]).update(is_active=False)
    scope = scope_for(demo["alice"])
    assert not scope.accounts().exists()
    assert not scope.organizations().exists()
    assert not scope.cases().exists()


def test_a_person_with_no_membership_sees_nothing(demo, cases):
    scope = scope_for(UserFactory())
    assert not scope.accounts().exists()
    assert not scope.cases().exists()
