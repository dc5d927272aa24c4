"""Bob files a Severity 2 case with a log file, follows it in his list, replies, and sees support's answer."""

import re

import pytest

from demo.people import DEMO_PASSWORD, demo_seed
from tenants.models import User
from tickets.models import Case, ResponseKind
from tickets.services import ticket_reply

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo_data(transactional_db):
    demo_seed()


def test_bob_files_a_case_with_an_attachment_and_follows_it(page, screenshot, demo_data):
    page.goto("/")
    page.get_by_label("Email").fill("bob@acme.test")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url("**/portal/")

    page.get_by_role("link", name="File a case").first.click()
    page.wait_for_url("**/portal/cases/new/")
    page.get_by_label("Category").select_option(label="Sign-in and single sign-on")
    page.get_by_label("Subject").fill("SSO sign-in fails for the finance team")
    page.get_by_label("Description").fill(
        "Since 08:00 every finance user gets **error 403** after the SAML redirect."
    )
    page.get_by_label(re.compile("Severity 2")).check()
    # The promise follows the severity, in Bob's own time zone (Denver).
    promise = page.locator("#promise")
    promise.get_by_text(re.compile(r"M[SD]T")).wait_for()
    assert promise.inner_text().startswith("We will respond by")
    page.get_by_label("Best time from").fill("09:00")
    page.get_by_label("Best time to").fill("12:00")
    page.get_by_role("combobox", name=re.compile("^Product")).select_option(label="Identity Gateway")
    page.get_by_role("combobox", name=re.compile("^Version")).select_option(label="Identity Gateway 3.0")
    assert page.locator("#eos-warning").is_visible()  # told before submitting
    page.get_by_label("Attachments").set_input_files(
        {
            "name": "saml-trace.log",
            "mimeType": "text/plain",
            "buffer": b"SAMLResponse status=Responder\n" * 50,
        }
    )
    screenshot("file-case-form")
    page.get_by_role("button", name="File the case").click()

    page.wait_for_url(re.compile(r"/portal/cases/SD-\d{4}-\d{5}/$"))
    case = Case.objects.get(subject="SSO sign-in fails for the finance team")
    assert case.severity == 2 and case.version_past_end_of_support
    assert page.get_by_role("heading", level=1).inner_text() == "SSO sign-in fails for the finance team"
    assert f"Case {case.number} is filed" in page.locator(".messages").inner_text()
    assert page.get_by_role("link", name="saml-trace.log").is_visible()
    assert "Past end of support" in page.locator(".case-side").inner_text()

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Cases").click()
    row = page.get_by_role("row").filter(has_text=case.number)
    assert "Sev 2" in row.inner_text() and "due" in row.inner_text()
    screenshot("file-case-list")

    row.get_by_role("link", name=case.number).click()
    page.get_by_label("Your reply").fill("It also happens on the VPN portal.")
    page.get_by_role("button", name="Send reply").click()
    page.get_by_text("Your reply is on the case.").wait_for()
    assert page.locator("article.message").filter(has_text="It also happens on the VPN portal.").is_visible()

    engineer = User.objects.get(email="engineer@demo.test")
    ticket_reply(
        case=case,
        author=engineer,
        body="Thanks Bob. The IdP certificate rolled over; please upload the new metadata.",
        kind=ResponseKind.ANSWER,
    )
    page.reload()
    answer = page.locator("article.message-staff")
    assert "The IdP certificate rolled over" in answer.inner_text()
    assert "Open" in page.locator(".badges").inner_text()
    assert "Met" in page.locator(".case-sla").inner_text()
    screenshot("file-case-answered")
    # The same page on a phone: one column, nothing cut off.
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot("file-case-phone")
