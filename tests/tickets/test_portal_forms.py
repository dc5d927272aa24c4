"""The case page's forms as people trip over them (issue 14): closing asks first, a note cannot be the
solution, the kind of response says when it is needed, line breaks stay, staff get no customer prompts."""

import pytest

from tests.tickets.helpers import file_case
from tickets.actions import CaseAction
from tickets.models import Reply, ResponseKind, Status
from tickets.services import case_action, ticket_close


@pytest.fixture
def case(demo):
    return file_case("bob@acme.test", "Acme", description="Tray 2\nkeeps jamming\n\nSince Monday.")


def test_closing_asks_first_and_says_a_closed_case_is_final(client, demo, case):
    client.force_login(demo["bob"])
    page = client.get(f"/portal/cases/{case.number}/").content.decode()
    assert '<summary class="button button-secondary">Close this case…</summary>' in page
    assert "A closed case is final: it cannot be reopened." in page
    assert "Yes, close the case</button>" in page
    client.post(f"/portal/cases/{case.number}/close/")
    case.refresh_from_db()
    assert case.status == Status.CLOSED


def test_an_internal_note_proposed_as_the_solution_is_refused_keeping_the_text(client, demo, case):
    client.force_login(demo["engineer"])
    response = client.post(
        f"/portal/cases/{case.number}/reply/",
        {"body": "Swap the roller.", "kind": ResponseKind.ANSWER, "internal": "on", "propose_solution": "on"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "An internal note cannot propose a solution: untick one of the two." in page
    assert "Swap the roller.</textarea>" in page
    assert not Reply.objects.filter(case=case).exists()
    case.refresh_from_db()
    assert case.status == Status.NEW


def test_kind_of_response_says_it_is_required_for_a_public_reply(client, demo, case):
    client.force_login(demo["engineer"])
    page = client.get(f"/portal/cases/{case.number}/").content.decode()
    label = page[page.index('<label for="id_kind">') :]
    label = label[: label.index("</label>")]
    assert "(required for a public reply)" in label and "(optional)" not in label
    assert "Needed for a reply the customer sees; an internal note has none." in page


def test_single_line_breaks_of_a_description_are_kept(client, demo, case):
    client.force_login(demo["bob"])
    page = client.get(f"/portal/cases/{case.number}/").content.decode()
    assert "<p>Tray 2<br>\nkeeps jamming</p>" in page


def test_only_the_customer_is_offered_a_follow_up_on_a_closed_case(client, demo, case):
    with case_action(actor=demo["bob"], case=case, action=CaseAction.CLOSE) as locked:
        ticket_close(case=locked, actor=demo["bob"])
    client.force_login(demo["bob"])
    assert "Still a problem?" in client.get(f"/portal/cases/{case.number}/").content.decode()
    client.force_login(demo["engineer"])
    assert "Still a problem?" not in client.get(f"/portal/cases/{case.number}/").content.decode()


def test_the_promise_comes_before_the_conversation_in_the_page(client, demo, case):
    # On a phone the columns stack in page order: what matters first comes first.
    client.force_login(demo["bob"])
    page = client.get(f"/portal/cases/{case.number}/").content.decode()
    assert page.index('aria-label="First response"') < page.index('<h2 id="reply-head">Reply</h2>')
