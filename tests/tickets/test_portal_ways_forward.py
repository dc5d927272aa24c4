"""No dead ends in the portal (issue 14): who cannot file is given real links and nothing they cannot use;
a deactivated person is told why they see no cases."""

import re

import pytest
from django.utils import timezone

from tenants.models import Membership
from tenants.services import contact_deactivate
from tests.tickets.helpers import file_case


@pytest.mark.parametrize("who", ["fred", "olga"])
def test_free_and_expired_customers_get_links_and_no_file_a_case(client, demo, settings, who):
    settings.SALES_CONTACT_EMAIL = "sales@vendor.test"
    client.force_login(demo[who])
    for path in ["/portal/", "/portal/cases/new/"]:
        page = client.get(path).content.decode()
        assert '<a href="/kb/">Search the knowledge base</a>' in page
        assert '<a href="/status/">Check the status page</a>' in page
        assert '<a href="mailto:sales@vendor.test">Contact sales</a>' in page
        assert 'href="/portal/cases/new/"' not in page  # neither in the menu nor as a button
    portal = client.get("/portal/").content.decode()
    assert 'role="search"' not in portal  # nothing to filter
    assert "No cases yet" not in portal


def test_the_sales_link_says_upgrade_to_free_and_renew_to_expired(client, demo):
    client.force_login(demo["fred"])
    assert "to upgrade to a tier with support cases" in client.get("/portal/").content.decode()
    client.force_login(demo["olga"])
    assert "to renew your support contract" in client.get("/portal/").content.decode()


def test_the_sales_address_defaults_to_the_support_domain(settings):
    domain = settings.SUPPORT_EMAIL_ADDRESS.rpartition("@")[2]
    assert settings.SALES_CONTACT_EMAIL == f"sales@{domain}"


def test_a_deactivated_contact_with_cases_is_told_why_they_see_none(client, demo):
    case = file_case("bob@acme.test", "Acme")
    contact_deactivate(
        actor=demo["alice"], membership=Membership.objects.get(user=demo["bob"]), now=timezone.now()
    )
    client.force_login(demo["bob"])
    page = client.get("/portal/").content.decode()
    assert "Your access to Acme is deactivated" in page
    assert "the cases you filed or were copied on are hidden from you" in page
    assert "ask a portal admin of your company to reactivate you" in page
    assert "No cases yet" not in page and case.number not in page
    assert 'href="/portal/cases/new/"' not in page


def test_a_paying_customer_without_cases_is_shown_how_to_file_one(client, demo):
    client.force_login(demo["erin"])
    page = client.get("/portal/").content.decode()
    assert re.search(
        r'No cases yet\. When something goes wrong, <a href="/portal/cases/new/">file a case</a>', page
    )
    assert re.search(r'<li><a href="/portal/cases/new/"\s*>File a case</a></li>', page)  # the menu
