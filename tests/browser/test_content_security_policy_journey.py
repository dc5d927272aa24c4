"""Headless Chromium under our Content-Security-Policy: pages with scripts work and nothing is refused."""

import re

import pytest
from django.test import Client
from django_celery_beat.models import CrontabSchedule

from demo.people import DEMO_PASSWORD, demo_seed
from tenants.models import User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo_data(transactional_db):
    demo_seed()


@pytest.fixture
def console(page):
    """Every console message and page error; Chromium reports each CSP refusal as a console error."""
    messages: list[str] = []
    page.on("console", lambda message: messages.append(f"{message.type}: {message.text}"))
    page.on("pageerror", lambda error: messages.append(f"pageerror: {error}"))
    return messages


def csp_refusals(messages: list[str]) -> list[str]:
    return [message for message in messages if "Content Security Policy" in message]


def test_the_case_form_runs_its_script_under_the_policy(page, console, screenshot, demo_data):
    page.goto("/")
    page.get_by_label("Email").fill("bob@acme.test")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url("**/portal/")
    response = page.goto("/portal/cases/new/")
    assert "script-src 'self'" in response.headers["content-security-policy"]

    # case_form.js (a static file) asks the SLA preview API (connect-src) and shows the promise.
    page.get_by_label(re.compile("Severity 2")).check()
    page.locator("#promise").get_by_text(re.compile(r"M[SD]T")).wait_for()
    page.get_by_role("combobox", name=re.compile("^Version")).select_option(label="Identity Gateway 3.0")
    assert page.locator("#eos-warning").is_visible()
    screenshot("csp-case-form")
    assert csp_refusals(console) == []


def test_the_api_docs_render_under_the_policy(page, console, screenshot, demo_data):
    response = page.goto("/api/docs/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.locator(".swagger-ui .info .title").get_by_text("SupportDesk API").wait_for()
    page.locator(".opblock-tag").first.wait_for()
    assert page.locator(".opblock").count() > 5
    screenshot("csp-api-docs")
    assert csp_refusals(console) == []
    assert [message for message in console if message.startswith(("error", "pageerror"))] == []


def test_the_admin_periodic_task_form_translates_the_crontab_under_the_policy(
    page, console, screenshot, demo_data, live_server
):
    from allauth.mfa.models import Authenticator

    CrontabSchedule.objects.create(minute="30", hour="4", day_of_week="1", timezone="UTC")
    admin = User.objects.get(email="admin@demo.test")
    Authenticator.objects.create(user=admin, type=Authenticator.Type.TOTP, data={"secret": "unused"})
    client = Client()
    client.force_login(admin)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )

    page.goto("/admin/django_celery_beat/periodictask/add/")
    page.locator("#id_crontab").select_option(index=1)
    help_text = page.locator(".field-crontab .help")
    help_text.get_by_text(re.compile("Translation: At 04:30")).wait_for()
    assert page.locator(".field-crontab_translation").is_hidden()
    screenshot("csp-admin-periodic-task")
    assert csp_refusals(console) == []
