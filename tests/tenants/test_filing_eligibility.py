"""Who may file cases, and what everyone else is told (domain.md §1)."""

import pytest

from demo.people import DEMO_PASSWORD
from tenants.models import Membership
from tenants.selectors import filing_eligibility
from tests.tickets.helpers import file_case


@pytest.mark.parametrize("who", ["alice", "bob", "mia", "max", "erin"])
def test_active_contacts_of_paying_accounts_may_file(demo, who):
    assert filing_eligibility(user=demo[who]).can_file


def test_free_tier_contact_is_sent_to_the_knowledge_base(client, demo):
    client.post("/accounts/login/", {"login": "fred@freeco.test", "password": DEMO_PASSWORD})
    page = client.get("/portal/").content.decode()
    assert "You cannot file new cases right now" in page
    assert "Free tier, which does not include support cases" in page
    assert "knowledge base" in page


def test_contact_of_an_expired_contract_is_told_when_it_ended_and_to_renew(client, demo):
    client.post("/accounts/login/", {"login": "olga@oldco.test", "password": DEMO_PASSWORD})
    page = client.get("/portal/").content.decode()
    contract = demo["olga"].membership.account.contracts.get()
    assert f"support contract ended on {contract.end_date:%B %-d, %Y}" in page
    assert "to renew your support contract" in page


def test_a_deactivated_contact_is_told_to_ask_a_portal_admin(client, demo):
    Membership.objects.filter(user=demo["bob"]).update(is_active=False)
    client.post("/accounts/login/", {"login": "bob@acme.test", "password": DEMO_PASSWORD})
    page = client.get("/portal/").content.decode()
    assert "Your access to Acme is deactivated" in page


def test_limited_msp_admin_is_offered_only_his_two_organizations(client, demo):
    file_case("max@northwind-msp.test", "Contoso Dental")  # the list's filters show once there are cases
    client.post("/accounts/login/", {"login": "max@northwind-msp.test", "password": DEMO_PASSWORD})
    for path in ["/portal/", "/portal/cases/new/"]:
        page = client.get(path).content.decode()
        assert "Contoso Dental" in page and "Fabrikam Logistics" in page
        assert "Tailspin" not in page
