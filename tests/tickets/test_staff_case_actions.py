"""Everything an engineer does to a case from its page and the staff API: assign and take, close with a
reason and reopen, product and version, the continued case, clearing an escalation; and customers never
learn these routes exist."""

import pytest
from rest_framework.test import APIClient

from tenants.models import Product, Version
from tests.tickets.helpers import file_case
from tickets.models import CaseEvent, EventKind, ResponseKind, Status
from tickets.services import ticket_close, ticket_escalate, ticket_reply


def api_for(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


@pytest.fixture
def case(demo):
    return file_case("bob@acme.test", "Acme", 2)


STAFF_API_ROUTES = [
    "assign",
    "severity",
    "request-info",
    "propose-solution",
    "reopen",
    "split",
    "merge",
    "link",
    "product",
    "clear-escalation",
    "events",
]
STAFF_PAGE_ROUTES = ["assign", "reopen", "product", "link", "merge", "split", "clear-escalation"]


@pytest.mark.parametrize("route", STAFF_API_ROUTES)
def test_customers_who_see_the_case_get_404_on_staff_api_routes(demo, case, route):
    for who in ["bob", "alice"]:
        api = api_for(demo[who])
        assert api.get(f"/api/v1/tickets/{case.number}/").status_code == 200
        answer = api.post(f"/api/v1/tickets/{case.number}/{route}/", {"take": True}, format="json")
        assert answer.status_code == 404, (who, route)
        assert answer.json() == api.post(f"/api/v1/tickets/SD-2099-99999/{route}/", {}, format="json").json()
    assert api_for(demo["engineer"]).get(f"/api/v1/tickets/{case.number}/events/").status_code == 200


@pytest.mark.parametrize("route", STAFF_PAGE_ROUTES)
def test_customers_get_404_on_staff_pages(demo, case, client, route):
    client.force_login(demo["bob"])
    assert client.post(f"/portal/cases/{case.number}/{route}/", {}).status_code == 404
    page = client.get(f"/portal/cases/{case.number}/").content.decode()
    assert "Take" not in page and "Audit trail" not in page


def test_take_assign_and_unassign_on_the_page_with_the_trail(demo, case, client):
    client.force_login(demo["engineer"])
    page = client.get(f"/portal/cases/{case.number}/").content.decode()
    assert ">Take<" in page and "Unassigned" in page
    client.post(f"/portal/cases/{case.number}/assign/", {"take": "1"})
    case.refresh_from_db()
    assert case.assignee == demo["engineer"]
    client.post(f"/portal/cases/{case.number}/assign/", {"assignee": demo["engineer2"].pk})
    case.refresh_from_db()
    assert case.assignee == demo["engineer2"]
    # Now a colleague holds it: only a supervisor may take it from them or leave it unassigned.
    page = client.get(f"/portal/cases/{case.number}/").content.decode()
    assert 'id="assign-head"' not in page
    refused = client.post(f"/portal/cases/{case.number}/assign/", {"assignee": ""}, follow=True)
    assert "only a supervisor can reassign it" in refused.content.decode()
    case.refresh_from_db()
    assert case.assignee == demo["engineer2"]
    client.force_login(demo["supervisor"])
    client.post(f"/portal/cases/{case.number}/assign/", {"assignee": ""})
    case.refresh_from_db()
    assert case.assignee is None
    events = [
        {"from": event.data["from"], "to": event.data["to"]}
        for event in case.events.filter(kind=EventKind.ASSIGNED)
    ]
    assert events == [
        {"from": None, "to": "engineer@demo.test"},
        {"from": "engineer@demo.test", "to": "engineer2@demo.test"},
        {"from": "engineer2@demo.test", "to": None},
    ]
    page = client.get(f"/portal/cases/{case.number}/").content.decode()
    assert "Audit trail" in page and "engineer@demo.test → engineer2@demo.test" in page


def test_assign_through_the_api_takes_an_engineer_and_refuses_a_customer(demo, case):
    api = api_for(demo["engineer"])
    taken = api.post(f"/api/v1/tickets/{case.number}/assign/", {"take": True}, format="json")
    assert taken.status_code == 200 and taken.json()["assignee"] == "engineer@demo.test"
    customer = api.post(
        f"/api/v1/tickets/{case.number}/assign/", {"assignee": "bob@acme.test"}, format="json"
    )
    assert customer.status_code == 400 and list(customer.json()) == ["assignee"]
    cleared = api.post(f"/api/v1/tickets/{case.number}/assign/", {"assignee": None}, format="json")
    assert cleared.json()["assignee"] is None


def test_staff_replies_with_public_and_response_type(demo, case):
    api = api_for(demo["engineer"])
    note = api.post(
        f"/api/v1/tickets/{case.number}/replies/", {"body": "Looks like SSO.", "public": False}, format="json"
    )
    assert note.status_code == 201 and note.json()["internal"] is True
    untyped = api.post(
        f"/api/v1/tickets/{case.number}/replies/", {"body": "Renew the cert.", "public": True}, format="json"
    )
    assert untyped.status_code == 400 and list(untyped.json()) == ["response_type"]  # the field it speaks of
    reply = api.post(
        f"/api/v1/tickets/{case.number}/replies/",
        {"body": "Renew the cert.", "public": True, "response_type": "known_issue"},
        format="json",
    )
    assert reply.status_code == 201 and reply.json()["kind"] == "known_issue" and not reply.json()["internal"]
    asked = api.post(f"/api/v1/tickets/{case.number}/request-info/", {"body": "Which IdP?"}, format="json")
    assert asked.status_code == 201 and asked.json()["kind"] == ResponseKind.REQUEST_INFO
    case.refresh_from_db()
    assert case.status == Status.WAITING_ON_CUSTOMER and case.first_responded_at is not None
    proposed = api.post(
        f"/api/v1/tickets/{case.number}/propose-solution/", {"body": "Renew it."}, format="json"
    )
    assert proposed.status_code == 201
    case.refresh_from_db()
    assert case.status == Status.SOLUTION_PROPOSED


def test_staff_close_with_a_reason_and_reopen_keeps_the_answer(demo, case, client):
    ticket_reply(case=case, author=demo["engineer"], body="Fixed upstream.", kind=ResponseKind.PATCH)
    case.refresh_from_db()
    answered = case.first_responded_at
    client.force_login(demo["engineer"])
    client.post(f"/portal/cases/{case.number}/close/", {"close_reason": "withdrawn"})
    case.refresh_from_db()
    assert (case.status, case.close_reason) == (Status.CLOSED, "withdrawn")
    page = client.get(f"/portal/cases/{case.number}/").content.decode()
    assert ">Reopen<" in page
    refused = client.post(f"/portal/cases/{case.number}/reopen/", {"reopen_reason": ""})
    assert refused.status_code == 400
    client.post(f"/portal/cases/{case.number}/reopen/", {"reopen_reason": "Customer still affected."})
    case.refresh_from_db()
    assert case.status == Status.OPEN and case.closed_at is None and case.close_reason == ""
    assert case.first_responded_at == answered
    reopened = case.events.get(kind=EventKind.REOPENED)
    assert reopened.actor == demo["engineer"]
    assert (
        reopened.data["reason"] == "Customer still affected." and reopened.data["close_reason"] == "withdrawn"
    )
    # Nothing was deleted: the close is still in the trail, and the customer hears about the reopening.
    assert case.events.filter(kind=EventKind.STATUS_CHANGED, data__to="closed").exists()
    assert reopened.emails.filter(address="bob@acme.test").exists()


def test_staff_close_through_the_api_takes_only_staff_reasons(demo, case):
    api = api_for(demo["engineer"])
    wrong = api.post(f"/api/v1/tickets/{case.number}/close/", {"reason": "confirmed"}, format="json")
    assert wrong.status_code == 400
    closed = api.post(f"/api/v1/tickets/{case.number}/close/", {"reason": "duplicate"}, format="json")
    assert closed.status_code == 200 and closed.json()["close_reason"] == "duplicate"
    again = api.post(f"/api/v1/tickets/{case.number}/reopen/", {"reason": "Not a duplicate."}, format="json")
    assert again.status_code == 200 and again.json()["status"] == "open"


def test_a_customer_close_still_needs_no_reason(demo, case):
    closed = api_for(demo["bob"]).post(f"/api/v1/tickets/{case.number}/close/", {}, format="json")
    assert closed.status_code == 200 and closed.json()["close_reason"] == "customer_closed"


def test_product_and_version_with_end_of_support_recomputed(demo, case):
    gateway = Product.objects.get(name="Identity Gateway")
    old = Version.objects.get(product=gateway, name="3.0")
    agent = Version.objects.get(product__name="Endpoint Agent", name="7.0")
    api = api_for(demo["engineer"])
    mismatch = api.post(
        f"/api/v1/tickets/{case.number}/product/", {"product": gateway.pk, "version": agent.pk}, format="json"
    )
    assert mismatch.status_code == 400 and list(mismatch.json()) == ["version"]
    response = api.post(
        f"/api/v1/tickets/{case.number}/product/", {"product": gateway.pk, "version": old.pk}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["version_past_end_of_support"] is True
    event = case.events.get(kind=EventKind.PRODUCT_CHANGED)
    assert event.data["to"] == {"product": "Identity Gateway", "version": "3.0"}


def test_link_a_continuation_only_to_a_closed_case_of_the_same_account(demo, case):
    earlier = file_case("alice@acme.test", "Acme")
    other_account = file_case("mia@northwind-msp.test", "Tailspin Clinics")
    ticket_close(case=other_account, actor=demo["mia"])
    api = api_for(demo["engineer"])
    still_open = api.post(
        f"/api/v1/tickets/{case.number}/link/", {"continues": earlier.number}, format="json"
    )
    assert still_open.status_code == 400
    elsewhere = api.post(
        f"/api/v1/tickets/{case.number}/link/", {"continues": other_account.number}, format="json"
    )
    assert elsewhere.status_code == 400
    ticket_close(case=earlier, actor=demo["alice"])
    linked = api.post(f"/api/v1/tickets/{case.number}/link/", {"continues": earlier.number}, format="json")
    assert linked.status_code == 200 and linked.json()["continues"] == earlier.number
    assert case.events.get(kind=EventKind.LINKED).data == {"from": None, "to": earlier.number}


def test_only_supervisors_clear_escalations_and_the_customer_sees_the_note(demo, case, client):
    ticket_escalate(case=case, actor=demo["bob"], reason="Payroll runs tonight.")
    engineer = api_for(demo["engineer"]).post(
        f"/api/v1/tickets/{case.number}/clear-escalation/", {"note": "Done."}, format="json"
    )
    assert engineer.status_code == 403
    client.force_login(demo["engineer"])
    assert client.get("/queue/escalations/").status_code == 404
    client.force_login(demo["bob"])
    assert client.get("/queue/escalations/").status_code == 404

    client.force_login(demo["supervisor"])
    queue = client.get("/queue/escalations/").content.decode()
    assert case.number in queue and "Payroll runs tonight." in queue
    response = client.post(
        f"/portal/cases/{case.number}/clear-escalation/",
        {"note": "An engineer is on it tonight.", "back": "escalations"},
    )
    assert response.status_code == 302 and response["Location"] == "/queue/escalations/"
    case.refresh_from_db()
    assert case.escalated_at is None
    assert "No open escalations." in client.get("/queue/escalations/").content.decode()
    client.force_login(demo["bob"])
    page = client.get(f"/portal/cases/{case.number}/").content.decode()
    assert "An engineer is on it tonight." in page


def test_the_escalation_queue_lists_the_oldest_escalation_first(demo, client):
    first = file_case("bob@acme.test", "Acme", subject="First escalated")
    second = file_case("mia@northwind-msp.test", "Tailspin Clinics", subject="Second escalated")
    ticket_escalate(case=first, actor=demo["bob"], reason="One")
    ticket_escalate(case=second, actor=demo["mia"], reason="Two")
    client.force_login(demo["supervisor"])
    page = client.get("/queue/escalations/").content.decode()
    assert page.index("First escalated") < page.index("Second escalated")


def test_the_customer_sees_why_the_severity_changed(demo, case, client):
    client.force_login(demo["engineer"])
    client.post(
        f"/portal/cases/{case.number}/severity/", {"severity": "3", "reason": "One user, with a workaround."}
    )
    client.force_login(demo["bob"])
    page = client.get(f"/portal/cases/{case.number}/").content.decode()
    assert "One user, with a workaround." in page and "Severity 2 → Severity 3" in page


def test_the_staff_page_shows_the_customer_context(demo, case, client):
    other = file_case("alice@acme.test", "Acme", subject="Billing export is empty")
    client.force_login(demo["engineer"])
    page = client.get(f"/portal/cases/{case.number}/").content.decode()
    assert "Standard" in page  # the tier
    assert other.number in page and "Billing export is empty" in page
    # Bob's 09:00-17:00 America/Denver; the engineer works in America/Denver too.
    assert "09:00–17:00" in page and "your time" in page
    assert CaseEvent.objects.filter(case=case).exists()


def test_a_reopened_case_does_not_come_back_as_customer_replied(demo, case):
    ticket_reply(case=case, author=demo["engineer"], body="Try a restart.", kind=ResponseKind.ANSWER)
    ticket_reply(case=case, author=demo["bob"], body="Restarted; no change.")
    case.refresh_from_db()
    assert case.customer_replied_at is not None  # waiting on support: top of its assignee's view
    api = api_for(demo["engineer"])
    api.post(f"/api/v1/tickets/{case.number}/close/", {"reason": "resolved"}, format="json")
    reopened = api.post(
        f"/api/v1/tickets/{case.number}/reopen/", {"reason": "Closed by mistake."}, format="json"
    )
    assert reopened.status_code == 200, reopened.json()
    case.refresh_from_db()
    assert case.status == Status.OPEN and case.customer_replied_at is None
