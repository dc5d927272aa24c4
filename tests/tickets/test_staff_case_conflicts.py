"""No lost updates: two engineers on one case at once. The second, acting on a page (or a client) that no
longer shows the case as it is, gets a clear conflict and nothing of theirs is applied on top; a reply typed
against the stale page is kept and shown with the new state."""

import re

import pytest
from rest_framework.test import APIClient

from tests.tickets.helpers import file_case
from tickets.models import EventKind, Reply


def api_for(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


def last_event_on(page: str) -> str:
    return re.search(r'name="last_event" value="(\d+)"', page).group(1)


@pytest.fixture
def case(demo):
    return file_case("bob@acme.test", "Acme", 2)


def test_a_reply_typed_against_a_stale_page_is_kept_and_shown_with_the_new_state(demo, case, client):
    client.force_login(demo["engineer"])
    seen = last_event_on(client.get(f"/portal/cases/{case.number}/").content.decode())

    # Meanwhile Priya validates the severity down.
    other = api_for(demo["engineer2"])
    other.post(
        f"/api/v1/tickets/{case.number}/severity/", {"severity": 3, "reason": "One user."}, format="json"
    )

    response = client.post(
        f"/portal/cases/{case.number}/reply/",
        {"body": "We are on it: restarting the gateway.", "kind": "answer", "last_event": seen},
    )
    assert response.status_code == 409
    page = response.content.decode()
    assert "changed while you were looking at it" in page and "Priya Nair" in page
    assert "We are on it: restarting the gateway." in page  # kept in the form
    assert "Severity 3" in page  # the new state
    assert not Reply.objects.filter(case=case).exists()

    # Sent again from that page (stamped anew), it goes through.
    again = client.post(
        f"/portal/cases/{case.number}/reply/",
        {
            "body": "We are on it: restarting the gateway.",
            "kind": "answer",
            "last_event": last_event_on(page),
        },
    )
    assert again.status_code == 302
    assert Reply.objects.filter(case=case).count() == 1


def test_a_stale_small_form_is_refused_and_changes_nothing(demo, case, client):
    # A supervisor may take a case a colleague holds, but not from a page that has not seen the colleague.
    client.force_login(demo["supervisor"])
    seen = last_event_on(client.get(f"/portal/cases/{case.number}/").content.decode())
    api_for(demo["engineer2"]).post(f"/api/v1/tickets/{case.number}/assign/", {"take": True}, format="json")
    response = client.post(f"/portal/cases/{case.number}/assign/", {"take": "1", "last_event": seen})
    assert response.status_code == 409
    case.refresh_from_db()
    assert case.assignee == demo["engineer2"]
    assert case.events.filter(kind=EventKind.ASSIGNED).count() == 1


def test_my_own_changes_do_not_make_my_page_stale(demo, case, client):
    client.force_login(demo["engineer"])
    seen = last_event_on(client.get(f"/portal/cases/{case.number}/").content.decode())
    client.post(f"/portal/cases/{case.number}/assign/", {"take": "1", "last_event": seen})
    response = client.post(
        f"/portal/cases/{case.number}/severity/",
        {"severity": "1", "reason": "Payroll down.", "last_event": seen},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.severity == 1


def test_the_api_answers_409_to_a_client_that_saw_an_older_case(demo, case):
    mine = api_for(demo["engineer"])
    seen = mine.get(f"/api/v1/tickets/{case.number}/").json()["last_event"]
    api_for(demo["engineer2"]).post(
        f"/api/v1/tickets/{case.number}/replies/", {"body": "Checking.", "public": False}, format="json"
    )
    answer = mine.post(
        f"/api/v1/tickets/{case.number}/replies/",
        {"body": "Restart it.", "response_type": "answer", "last_event": seen},
        format="json",
    )
    assert answer.status_code == 409
    assert "changed while you were looking at it" in answer.json()["detail"]
    current = answer.json()["last_event"]
    assert current > seen
    assert Reply.objects.filter(case=case).count() == 1
    again = mine.post(
        f"/api/v1/tickets/{case.number}/replies/",
        {"body": "Restart it.", "response_type": "answer", "last_event": current},
        format="json",
    )
    assert again.status_code == 201
    # Without last_event the client says it does not care: the action goes through.
    assert (
        mine.post(f"/api/v1/tickets/{case.number}/assign/", {"take": True}, format="json").status_code == 200
    )
