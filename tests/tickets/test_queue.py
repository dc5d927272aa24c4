"""The engineers' queue: open cases by SLA urgency, answered ones after."""

import datetime
from zoneinfo import ZoneInfo

from tests.tickets.helpers import file_case
from tickets.models import ResponseKind
from tickets.services import ticket_close, ticket_reply

DENVER = ZoneInfo("America/Denver")


def received(day, hour):
    return datetime.datetime(2026, 11, day, hour, 0, tzinfo=DENVER)


def test_the_queue_puts_the_nearest_unanswered_deadline_first_and_answered_cases_last(client, demo):
    answered = file_case("bob@acme.test", "Acme", 1, subject="Answered", received_at=received(23, 9))
    ticket_reply(case=answered, author=demo["engineer"], body="On it", kind=ResponseKind.ANSWER)
    later = file_case("bob@acme.test", "Acme", 3, subject="Due Wednesday", received_at=received(24, 9))
    sooner = file_case(
        "mia@northwind-msp.test", "Contoso Dental", 1, subject="Due in an hour", received_at=received(24, 10)
    )
    closed = file_case("bob@acme.test", "Acme", 1, subject="Closed", received_at=received(24, 8))
    ticket_close(case=closed, actor=demo["bob"])

    client.force_login(demo["engineer"])
    page = client.get("/queue/").content.decode()
    order = [page.index(subject) for subject in ["Due in an hour", "Due Wednesday", "Answered"]]
    assert order == sorted(order)
    assert "Closed" not in page
    assert later.first_response_due > sooner.first_response_due
