"""Who may do what to a case is one function: the page shows only those actions, the API lists them on the
case, and the door refuses the rest with one exception, a 403 on the API and a message on the page."""

import pytest
from django.core.exceptions import ValidationError
from rest_framework.test import APIClient

from tests.tickets.helpers import file_case
from tickets.actions import CaseAction, CaseActionRefused
from tickets.models import ResponseKind, Status
from tickets.services import (
    case_action,
    ticket_close,
    ticket_confirm,
    ticket_escalate,
    ticket_reply,
    ticket_validate_severity,
)


def api_for(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


@pytest.fixture
def case(demo):
    """Bob's case, Alice (portal admin) sees it; Carol-like colleague: Alice is not copied."""
    return file_case("bob@acme.test", "Acme")


def actions_of(user, case) -> list[str]:
    return api_for(user).get(f"/api/v1/tickets/{case.number}/").json()["actions"]


def test_each_role_is_offered_its_own_actions(demo, case):
    assert actions_of(demo["bob"], case) == ["reply", "set_cc", "attach", "close", "escalate"]
    assert actions_of(demo["alice"], case) == ["reply", "set_cc", "attach", "close", "escalate"]
    staff_actions = [
        "reply",
        "note",
        "validate_severity",
        "set_cc",
        "attach",
        "close",
        "assign",
        "split",
        "merge",
        "link",
        "set_product",
        "set_status",
    ]
    assert actions_of(demo["engineer"], case) == staff_actions
    assert actions_of(demo["supervisor"], case) == staff_actions
    ticket_escalate(case=case, actor=demo["bob"], reason="Payroll tonight.")
    # Clearing an escalation is a supervisor's.
    assert actions_of(demo["engineer"], case) == staff_actions
    assert actions_of(demo["supervisor"], case) == [*staff_actions, "clear_escalation"]


def test_a_proposed_solution_adds_the_customers_decision_and_closing_ends_everything(demo, case):
    ticket_reply(
        case=case, author=demo["engineer"], body="Try 4.2.", kind=ResponseKind.PATCH, propose_solution=True
    )
    assert actions_of(demo["bob"], case) == [
        "reply",
        "set_cc",
        "attach",
        "confirm",
        "not_fixed",
        "close",
        "escalate",
    ]
    ticket_close(case=case, actor=demo["bob"])
    assert actions_of(demo["bob"], case) == []
    assert actions_of(demo["engineer"], case) == ["reopen"]  # staff may only reopen a closed case


def test_a_colleague_only_copied_replies_but_does_not_decide(demo):
    case = file_case("alice@acme.test", "Acme", cc=[demo["bob"]])
    assert actions_of(demo["bob"], case) == ["reply", "set_cc", "attach"]
    response = api_for(demo["bob"]).post(f"/api/v1/tickets/{case.number}/close/")
    assert response.status_code == 403
    assert response.json() == {
        "detail": "Only the person who filed this case or a portal admin of the account can do this.",
        "action": "close",
    }
    case.refresh_from_db()
    assert case.status == Status.NEW
    page = _page_as(demo["bob"], case)
    assert "Close this case" not in page and "Ask to escalate" not in page and "Send reply" in page


def _page_as(user, case) -> str:
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client.get(f"/portal/cases/{case.number}/").content.decode()


def test_a_customers_internal_note_gets_the_same_refusal_on_both_surfaces(demo, case, client):
    response = api_for(demo["bob"]).post(
        f"/api/v1/tickets/{case.number}/replies/", {"body": "psst", "internal": True}, format="json"
    )
    assert response.status_code == 403
    assert response.json() == {"detail": "Only support staff can do this.", "action": "note"}

    client.force_login(demo["bob"])
    page = client.post(f"/portal/cases/{case.number}/reply/", {"body": "psst", "internal": "on"})
    assert page.status_code == 403
    assert "Only support staff can do this." in page.content.decode()
    assert "psst" in page.content.decode()  # what was typed is kept
    assert case.replies.count() == 0


def test_engineers_validate_the_severity_through_the_api_too(demo, case):
    before = case.first_response_due
    response = api_for(demo["engineer"]).post(
        f"/api/v1/tickets/{case.number}/severity/",
        {"severity": 1, "reason": "Payroll is down."},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["severity"] == 1
    case.refresh_from_db()
    assert case.severity == 1 and case.first_response_due < before

    # A staff route: to a customer it does not exist (issue 9), like a case outside their scope.
    refused = api_for(demo["bob"]).post(
        f"/api/v1/tickets/{case.number}/severity/", {"severity": 1, "reason": "Please"}, format="json"
    )
    assert refused.status_code == 404
    missing = api_for(demo["engineer"]).post(
        f"/api/v1/tickets/{case.number}/severity/", {"severity": 1}, format="json"
    )
    assert missing.status_code == 400
    assert list(missing.json()) == ["reason"]


def test_the_door_refuses_with_the_one_exception_and_changes_nothing(demo, case):
    with case_action(actor=demo["bob"], case=case, action=CaseAction.ESCALATE) as locked:
        ticket_escalate(case=locked, actor=demo["bob"], reason="Payroll tonight.")
    with pytest.raises(CaseActionRefused) as again:
        with case_action(actor=demo["bob"], case=case, action=CaseAction.ESCALATE) as locked:
            ticket_escalate(case=locked, actor=demo["bob"], reason="Still urgent.")
    assert again.value.action == "escalate" and again.value.message == "This case is already escalated."
    with pytest.raises(CaseActionRefused):
        with case_action(actor=demo["bob"], case=case, action=CaseAction.VALIDATE_SEVERITY) as locked:
            ticket_validate_severity(case=locked, actor=demo["bob"], severity=1, reason="Please")
    with pytest.raises(CaseActionRefused):
        with case_action(actor=demo["engineer"], case=case, action=CaseAction.CONFIRM) as locked:
            ticket_confirm(case=locked, actor=demo["engineer"])
    case.refresh_from_db()
    assert (
        case.escalation_reason == "Payroll tonight." and case.status != Status.CLOSED and case.severity == 3
    )


def test_a_write_that_fails_after_the_door_rolls_back_everything(demo, case):
    events_before = case.events.count()
    with pytest.raises(ValidationError):
        with case_action(actor=demo["engineer"], case=case, action=CaseAction.REPLY) as locked:
            ticket_reply(case=locked, author=demo["engineer"], body="Looking into it.", kind="")
    assert case.events.count() == events_before and not case.replies.exists()


def test_a_colleague_who_takes_themselves_off_the_cc_list_is_told_not_shown_a_404(demo, client):
    case = file_case("alice@acme.test", "Acme", cc=[demo["bob"]])
    response = api_for(demo["bob"]).put(f"/api/v1/tickets/{case.number}/cc/", {"cc": []}, format="json")
    assert response.status_code == 204
    assert list(case.cc.all()) == []

    case.cc.set([demo["bob"]])
    client.force_login(demo["bob"])
    page = client.post(f"/portal/cases/{case.number}/cc/", {}, follow=True)
    assert page.redirect_chain[-1] == ("/portal/", 302)
    assert f"You are no longer copied on {case.number}." in page.content.decode()
