"""Real headless Chromium on a phone: the header folds behind a Menu button; a corrected field loses its
error."""

import pytest

from demo.people import demo_seed

from .test_every_page import _sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def bob_on_a_phone(page, live_server, transactional_db):
    from tenants.models import User

    demo_seed()
    page.set_viewport_size({"width": 390, "height": 844})
    _sign_in(page.context, live_server, User.objects.get(email="bob@acme.test"))
    return page


def test_the_header_is_one_line_and_its_menu_unfolds(bob_on_a_phone, screenshot):
    page = bob_on_a_phone
    page.goto("/portal/")
    menu = page.get_by_role("button", name="Menu")
    assert page.locator(".topbar").bounding_box()["height"] < 70
    assert not page.get_by_role("link", name="Knowledge base").is_visible()
    menu.click()
    assert menu.get_attribute("aria-expanded") == "true"
    page.get_by_role("link", name="Knowledge base").wait_for()
    screenshot("bob-phone-menu-open")
    page.keyboard.press("Escape")
    assert menu.get_attribute("aria-expanded") == "false"


def test_a_corrected_field_loses_its_error_and_the_others_keep_theirs(bob_on_a_phone, screenshot):
    page = bob_on_a_phone
    page.goto("/portal/cases/new/")
    page.get_by_role("button", name="File the case").click()
    page.wait_for_url("**/portal/cases/new/")
    subject = page.locator(".field", has=page.get_by_label("Subject"))
    description = page.locator(".field", has=page.get_by_label("Description"))
    assert subject.locator(".errorlist").count() == 1 and description.locator(".errorlist").count() == 1
    page.get_by_label("Subject").fill("Printer jams")
    assert subject.locator(".errorlist").count() == 0
    assert "has-error" not in subject.get_attribute("class")
    assert description.locator(".errorlist").count() == 1
    screenshot("bob-phone-case-form-corrected")
