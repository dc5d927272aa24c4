"""Real headless Chromium: a supervisor reads the SLA dashboards and Max reads Northwind's SLA report
(issue 11), on a laptop and a phone."""

import pytest

from dashboards.services import figures_refresh
from demo.cases import demo_cases_seed
from demo.people import DEMO_PASSWORD, demo_seed

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LAPTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
WIDER_THAN_SCREEN = """[...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
  .slice(0, 5).map(e => e.tagName + '.' + e.className + '#' + e.id)"""


@pytest.fixture
def demo_data(transactional_db):
    demo_seed()
    demo_cases_seed()
    figures_refresh()


def sign_in(page, email):
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_load_state()


def fits_the_phone(page) -> None:
    page.set_viewport_size(PHONE)
    wide = page.evaluate(WIDER_THAN_SCREEN)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], wide
    page.set_viewport_size(LAPTOP)


def test_a_supervisor_reads_the_dashboards(page, screenshot, demo_data):
    refusals = []
    page.on(
        "console",
        lambda message: refusals.append(message.text) if "Content Security Policy" in message.text else None,
    )
    page.set_viewport_size(LAPTOP)
    sign_in(page, "supervisor@demo.test")
    page.goto("/dashboards/")
    page.get_by_role("combobox", name="Period").select_option(label="Last 90 days")
    page.get_by_role("button", name="Show").click()
    assert page.get_by_role("heading", name="First-response SLA attainment").is_visible()
    assert page.locator("svg.dash-svg rect").count() > 0
    screenshot("dashboards-laptop")
    page.set_viewport_size(PHONE)
    screenshot("dashboards-phone")
    fits_the_phone(page)

    page.get_by_role("combobox", name="Severity").select_option(label="Severity 1")
    page.get_by_role("button", name="Show").click()
    assert "severity=1" in page.url
    with page.expect_download() as download:
        page.locator("#h-summary").locator("..").get_by_role("link", name="Download as CSV").click()
    assert download.value.suggested_filename.startswith("sla-attainment-")
    assert refusals == []


def test_max_reads_and_prints_northwinds_report(page, screenshot, demo_data):
    page.set_viewport_size(LAPTOP)
    sign_in(page, "max@northwind-msp.test")
    page.goto("/portal/reports/sla/?period=90")
    text = page.locator("main").inner_text()
    assert "Contoso Dental" in text and "Tailspin" not in text
    screenshot("sla-report-laptop")
    page.set_viewport_size(PHONE)
    screenshot("sla-report-phone")
    fits_the_phone(page)
    page.get_by_role("link", name="Printable page").click()
    assert page.locator(".topbar").is_hidden()
    screenshot("sla-report-printable")
