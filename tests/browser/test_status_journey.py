"""Real headless Chromium: an anonymous visitor reads the status page on a laptop and a phone; an engineer
posts an incident update from the product and the visitor sees it, with the banner, on the next load."""

import datetime

import pytest

from demo.people import DEMO_PASSWORD, demo_seed
from statuspage.demo import status_demo_seed
from statuspage.models import Component
from tenants.models import User
from tests.statuspage.helpers import open_incident

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo_data(transactional_db):
    demo_seed()
    status_demo_seed(actor=User.objects.get(email="engineer@demo.test"))


def sign_in(page, email):
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign In").click()


def test_an_anonymous_visitor_reads_the_status_page_on_a_laptop_and_a_phone(page, screenshot, demo_data):
    engineer = User.objects.get(email="engineer@demo.test")
    components = {component.name: component for component in Component.objects.all()}
    open_incident(engineer, components, title="Slow sign-ins", states={"Portal": "degraded_performance"})

    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto("/status/")
    assert page.get_by_role("heading", level=1).inner_text() == "SupportDesk status"
    assert "Slow sign-ins" in page.get_by_role("region", name="Service status").inner_text()
    assert page.locator(".days").count() == 6
    # The history is keyboard usable: today's day takes the focus and shows its detail; arrows move back.
    today = page.locator(".days").nth(2).locator(".day").last
    today.focus()
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    focused = page.locator(".days .day:focus .day-tip")
    assert focused.is_visible()
    three_days_ago = (datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=2)).strftime("%b %-d")
    assert focused.inner_text().startswith(three_days_ago)
    screenshot("status-laptop")

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/status/")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways on a phone ({width} px)"
    screenshot("status-phone")


def test_an_engineer_posts_an_incident_update(page, screenshot, demo_data):
    engineer = User.objects.get(email="engineer@demo.test")
    components = {component.name: component for component in Component.objects.all()}
    incident = open_incident(engineer, components, title="API errors", states={"API": "partial_outage"})

    sign_in(page, "engineer@demo.test")
    page.wait_for_url("**/queue/")
    page.goto(f"/status/manage/incidents/{incident.pk}/")
    page.get_by_role("combobox", name="Status").select_option("monitoring")
    page.get_by_role("textbox", name="Update").fill("A fix is out; we are watching the error rate.")
    page.get_by_role("combobox", name="Customer portal · API").select_option("degraded_performance")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot("status-engineer-update-form-phone")
    page.get_by_role("button", name="Post the update").click()
    assert "Update posted" in page.locator(".messages").inner_text()
    page.set_viewport_size({"width": 1366, "height": 900})
    screenshot("status-engineer-update-posted")

    page.goto("/status/")
    main = page.locator("main").inner_text()
    assert "A fix is out; we are watching the error rate." in main
    assert "Degraded performance" in main
