"""Real headless Chromium: a limited MSP admin stays inside its organizations, in the pages people use."""

import pytest

from demo.people import DEMO_PASSWORD, demo_seed
from tenants.models import Membership

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo_data(transactional_db):
    demo_seed()


def sign_in(page, email):
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url("**/portal/")


def test_max_invites_a_colleague_for_his_own_organizations_only(page, screenshot, demo_data):
    sign_in(page, "max@northwind-msp.test")
    page.get_by_role("link", name="Account").click()

    contacts = page.locator("table.cases").inner_text()
    assert "max@northwind-msp.test" in contacts and "mia@northwind-msp.test" not in contacts
    invite = page.locator("form[aria-labelledby=invite-head]")
    assert invite.get_by_label("Contoso Dental").is_visible()
    assert invite.get_by_label("Tailspin Clinics").count() == 0
    assert invite.get_by_label("All organizations of the account, including ones added later").count() == 0

    invite.get_by_label("Email").fill("nina@northwind-msp.test")
    invite.get_by_label("First name").fill("Nina")
    invite.get_by_label("Contoso Dental").check()
    invite.get_by_role("button", name="Send invitation").click()

    assert "Invitation sent to nina@northwind-msp.test." in page.locator(".messages").inner_text()
    assert "Nina" in page.locator("table.cases").inner_text()
    screenshot("max-account-after-invite")
    nina = Membership.objects.get(user__email="nina@northwind-msp.test")
    assert list(nina.organizations.values_list("name", flat=True)) == ["Contoso Dental"]


def test_the_case_form_offers_as_cc_only_people_who_could_read_the_case(page, screenshot, demo_data):
    sign_in(page, "mia@northwind-msp.test")
    page.goto("/portal/cases/new/")
    max_box = page.get_by_label("Max Mueller (max@northwind-msp.test)")

    page.get_by_label("Organization").select_option(label="Tailspin Clinics")
    assert not max_box.is_visible()
    page.get_by_label("Organization").select_option(label="Contoso Dental")
    assert max_box.is_visible()
    max_box.check()
    page.get_by_label("Organization").select_option(label="Tailspin Clinics")
    assert not max_box.is_checked()  # hidden and unticked, so never sent
    screenshot("mia-case-form-tailspin-cc")


def test_alice_confirms_before_deactivating_bob_and_can_undo_it(page, screenshot, demo_data):
    sign_in(page, "alice@acme.test")
    page.goto("/portal/account/")
    page.get_by_role("link", name="Deactivate bob@acme.test").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Deactivate Bob Baker?"
    screenshot("alice-confirms-deactivation")
    page.get_by_role("button", name="Deactivate Bob").click()

    assert "Deactivated" in page.locator("table.cases").inner_text()
    page.get_by_role("button", name="Reactivate bob@acme.test").click()
    assert "bob@acme.test can file and see cases again." in page.locator(".messages").inner_text()
    screenshot("alice-reactivated-bob")
