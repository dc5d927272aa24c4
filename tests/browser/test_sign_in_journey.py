"""Real headless Chromium: a contact and an engineer sign in and land where they work."""

import pytest

from demo.people import DEMO_PASSWORD, demo_seed

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo_data(transactional_db):
    demo_seed()


def sign_in(page, email):
    page.goto("/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign In").click()


def test_a_contact_signs_in_and_lands_on_the_portal(page, screenshot, demo_data):
    sign_in(page, "bob@acme.test")
    page.wait_for_url("**/portal/")
    assert page.get_by_role("heading", level=1).inner_text() == "My cases"
    assert "Standard support" in page.locator("main").inner_text()
    assert "Bob Baker · Acme" in page.locator(".who").inner_text()
    screenshot("contact-portal")


def test_an_engineer_signs_in_and_lands_on_the_queue(page, screenshot, demo_data):
    sign_in(page, "engineer@demo.test")
    page.wait_for_url("**/queue/")
    assert page.get_by_role("heading", level=1).inner_text() == "Queue"
    assert page.get_by_role("navigation", name="Main").get_by_role("link", name="Queue").is_visible()
    screenshot("engineer-queue")


def test_a_wrong_password_shows_an_error_on_the_sign_in_page(page, screenshot, demo_data):
    page.goto("/")
    page.get_by_label("Email").fill("bob@acme.test")
    page.get_by_label("Password").fill("wrong-password")
    page.get_by_role("button", name="Sign In").click()
    assert "not correct" in page.locator("main").inner_text()
    assert page.get_by_label("Email").input_value() == "bob@acme.test"
    screenshot("sign-in-error")
