"""Macros: canned text per response kind, placeholders filled for the case and the engineer; the reply form
starts from one (with JavaScript as you choose, without it through "Use macro")."""

import pytest

from tests.tickets.helpers import file_case
from tickets.macros import macro_render
from tickets.models import Macro, Reply


@pytest.fixture
def case(demo):
    return file_case("bob@acme.test", "Acme", 2)


def test_placeholders_are_filled_and_unknown_ones_left_as_typed(demo, case):
    macro = Macro(
        name="Ask for logs",
        kind="request_info",
        body="Hi {contact_name}, about {case_number} for {organization}: send {logs}. "
        "{case.requester.password} {contact_name!r} {0} — {engineer_name}",
    )
    text = macro_render(macro=macro, case=case, engineer=demo["engineer"])
    assert text == (
        f"Hi Bob, about {case.number} for Acme: send {{logs}}. {{case.requester.password}} "
        "{contact_name!r} {0} — Erik Engel"
    )


def test_a_lone_brace_leaves_the_text_as_typed(demo, case):
    macro = Macro(name="Braces", kind="answer", body="Use a { in the config for {contact_name}")
    assert macro_render(macro=macro, case=case, engineer=demo["engineer"]) == macro.body


def test_use_macro_fills_the_reply_without_javascript_and_sending_replies(demo, case, client):
    macro = Macro.objects.create(
        name="Ask for logs",
        kind="request_info",
        body="Hi {contact_name}, please attach the logs of {case_number}.",
    )
    Macro.objects.create(name="Retired", kind="answer", body="Old", is_active=False)
    client.force_login(demo["engineer"])
    page = client.get(f"/portal/cases/{case.number}/").content.decode()
    assert "Use macro" in page and "Ask for logs" in page and "Retired" not in page
    filled = client.post(
        f"/portal/cases/{case.number}/reply/", {"macro": macro.pk, "use_macro": "1", "body": ""}
    )
    assert filled.status_code == 200
    text = f"Hi Bob, please attach the logs of {case.number}."
    assert text in filled.content.decode()
    assert '<option value="request_info" selected>' in filled.content.decode()
    assert not Reply.objects.exists()
    client.post(f"/portal/cases/{case.number}/reply/", {"body": text, "kind": "request_info"})
    assert Reply.objects.get().body == text


def test_customers_are_never_offered_macros(demo, case, client):
    Macro.objects.create(name="Ask for logs", kind="request_info", body="Hi")
    client.force_login(demo["bob"])
    page = client.get(f"/portal/cases/{case.number}/").content.decode()
    assert "Ask for logs" not in page and "Use macro" not in page
