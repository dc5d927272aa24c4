"""The shared two-tenant fixture is what it says: each role reaches exactly what its name promises."""

from tenants.selectors import filing_eligibility
from tickets.scope import scope_for


def test_each_person_acts_for_the_organizations_of_its_role(two_tenants):
    organizations = {organization.pk: name for name, organization in two_tenants.organizations.items()}

    def reach(role):
        return sorted(
            organizations[pk]
            for pk in scope_for(two_tenants[role]).organizations().values_list("pk", flat=True)
        )

    assert reach("a_admin") == reach("a_contact") == reach("a_contact_2") == ["a"]
    assert reach("b_msp_admin") == reach("b_contact_all") == ["b_1", "b_2", "b_3"]
    assert reach("b_msp_admin_limited") == ["b_1", "b_2"]
    assert reach("b_contact") == reach("b_contact_2") == ["b_3"]
    assert reach("b_contact_deactivated") == []
    assert reach("free_admin") == ["free"] and reach("expired_admin") == ["expired"]
    assert reach("engineer") == reach("supervisor") == reach("staff_admin") == sorted(organizations.values())


def test_portal_admins_and_contacts_are_told_apart(two_tenants):
    admins = {role for role in two_tenants.people if scope_for(two_tenants[role]).is_portal_admin}
    assert admins == {"a_admin", "b_msp_admin", "b_msp_admin_limited", "free_admin", "expired_admin"}
    staff = {role for role in two_tenants.people if scope_for(two_tenants[role]).is_vendor_staff}
    assert staff == {"engineer", "supervisor", "staff_admin"}


def test_only_the_paying_tenants_active_people_may_file(two_tenants):
    filers = {role for role in two_tenants.people if filing_eligibility(user=two_tenants[role]).can_file}
    assert filers == {
        "a_admin",
        "a_contact",
        "a_contact_2",
        "b_msp_admin",
        "b_msp_admin_limited",
        "b_contact",
        "b_contact_2",
        "b_contact_all",
    }
    assert "Free tier" in filing_eligibility(user=two_tenants["free_admin"]).reason
    assert "ended on" in filing_eligibility(user=two_tenants["expired_admin"]).reason
    assert "deactivated" in filing_eligibility(user=two_tenants["b_contact_deactivated"]).reason
