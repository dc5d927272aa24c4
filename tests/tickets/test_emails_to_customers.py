"""The emails a customer gets say what happened: the number and promise of a case just filed, when a case
waiting on them closes by itself, a new severity and its reason, the message that opened or closed a case,
all in the reader's time zone, with a text part that reads as text. Each person chooses which they get."""

import datetime

import pytest
from django.conf import settings
from django.core import mail

from tenants.models import CaseEmail
from tests.tickets.helpers import file_case
from tickets.models import CloseReason, ResponseKind
from tickets.outbox import outbox_deliver
from tickets.services import (
    ticket_close,
    ticket_confirm,
    ticket_escalate,
    ticket_not_fixed,
    ticket_reopen,
    ticket_reply,
    ticket_validate_severity,
)

# Wednesday 25 November 2026, 15:00 in Denver (domain.md §4: a Standard Severity 1 is then due Friday 11:00,
# Thanksgiving being closed).
WEDNESDAY_3PM_DENVER = datetime.datetime(2026, 11, 25, 22, 0, tzinfo=datetime.UTC)
# Monday 30 November 2026, 10:00 in Denver.
MONDAY_10AM_DENVER = datetime.datetime(2026, 11, 30, 17, 0, tzinfo=datetime.UTC)


def sent_to(address):
    """The emails delivered to `address`, sending whatever the outbox holds first."""
    outbox_deliver()
    return [message for message in mail.outbox if message.to == [address]]


def html(message) -> str:
    return message.alternatives[0][0]


@pytest.fixture
def case(demo):
    """Bob's Standard case, Alice copied."""
    return file_case("bob@acme.test", "Acme", cc=[demo["alice"]], received_at=WEDNESDAY_3PM_DENVER)


def test_the_requester_gets_the_case_number_and_when_support_will_answer(demo):
    case = file_case("bob@acme.test", "Acme", severity=1, received_at=WEDNESDAY_3PM_DENVER)

    [message] = sent_to("bob@acme.test")
    assert message.subject == f"[{case.number}] We received your case: Users cannot sign in"
    assert f"Its number is {case.number}" in message.body
    assert "Support will answer by Fri 27 Nov 2026, 11:00 MST." in message.body
    assert f"/portal/cases/{case.number}/" in message.body
    assert "Fri 27 Nov 2026, 11:00 MST" in html(message)


def test_the_confirmation_reads_in_the_requesters_time_zone_and_reaches_only_the_requester(demo):
    bob = demo["bob"]
    bob.time_zone = "Europe/Berlin"
    bob.save(update_fields=["time_zone"])
    file_case("bob@acme.test", "Acme", severity=1, cc=[demo["alice"]], received_at=WEDNESDAY_3PM_DENVER)

    [message] = sent_to("bob@acme.test")
    assert "Support will answer by Fri 27 Nov 2026, 19:00 CET." in message.body
    assert sent_to("alice@acme.test") == []


def test_a_request_for_information_says_when_the_case_closes_by_itself(case, demo):
    ticket_reply(
        case=case,
        author=demo["engineer"],
        body="**Which browser** do your users have?",
        kind=ResponseKind.REQUEST_INFO,
        now=MONDAY_10AM_DENVER,
    )

    message = sent_to("bob@acme.test")[-1]
    assert message.subject == f"[{case.number}] Re: Users cannot sign in"
    assert "Erik Engel from support asked for more information:" in message.body
    # 15 business days after Monday 30 November, at the same time of day.
    assert "Without a reply, the case closes by itself on Mon 21 Dec 2026, 10:00 MST." in message.body
    assert "Status: Waiting on customer" in message.body


def test_the_text_part_of_an_email_reads_as_text_not_markdown(case, demo):
    ticket_reply(
        case=case,
        author=demo["engineer"],
        body="**Restart** the gateway, then see [the article](https://kb.example.test/42).\n\n- one\n- two",
        kind=ResponseKind.ANSWER,
    )

    message = sent_to("bob@acme.test")[-1]
    assert "Restart the gateway, then see the article (https://kb.example.test/42)." in message.body
    assert "- one\n- two" in message.body
    assert "**" not in message.body and "[the article]" not in message.body
    assert "<strong>Restart</strong>" in html(message)


def test_a_severity_change_tells_the_contacts_the_new_severity_and_why(case, demo):
    ticket_validate_severity(
        case=case, actor=demo["engineer"], severity=1, reason="Nobody in the company can sign in."
    )

    for address in ["bob@acme.test", "alice@acme.test"]:
        message = sent_to(address)[-1]
        assert message.subject == f"[{case.number}] Severity 1: Users cannot sign in"
        assert "changed the severity of case" in message.body
        assert "from 3 to 1" in message.body
        assert "Why: Nobody in the company can sign in." in message.body
        # Severity 1 (4 business hours) from Wednesday 15:00: Friday 11:00, Thanksgiving closed.
        assert "Support will now answer by Fri 27 Nov 2026, 11:00 MST." in message.body


def test_a_case_opened_again_by_the_customers_answer_carries_that_answer(case, demo):
    ticket_reply(case=case, author=demo["engineer"], body="Which browser?", kind=ResponseKind.REQUEST_INFO)
    ticket_reply(case=case, author=demo["bob"], body="Firefox 140, **all** users.")

    message = sent_to("alice@acme.test")[-1]
    assert message.subject == f"[{case.number}] Users cannot sign in is now open"
    assert "Bob Baker answered the request for information, so the case is open again:" in message.body
    assert "Firefox 140, all users." in message.body
    assert "<strong>all</strong>" in html(message)


def test_not_fixed_carries_what_the_customer_said(case, demo):
    ticket_reply(
        case=case,
        author=demo["engineer"],
        body="Clear the cache.",
        kind=ResponseKind.ANSWER,
        propose_solution=True,
    )
    ticket_not_fixed(case=case, actor=demo["bob"], body="Still failing after clearing it.")

    message = sent_to("alice@acme.test")[-1]
    assert message.subject == f"[{case.number}] Users cannot sign in is now open"
    assert "Bob Baker said the proposed solution did not fix it" in message.body
    assert "Still failing after clearing it." in message.body


def test_a_closed_case_says_who_closed_it_and_why(case, demo):
    ticket_reply(
        case=case,
        author=demo["engineer"],
        body="Clear the cache.",
        kind=ResponseKind.ANSWER,
        propose_solution=True,
    )
    ticket_confirm(case=case, actor=demo["bob"])

    message = sent_to("alice@acme.test")[-1]
    assert message.subject == f"[{case.number}] Users cannot sign in is now closed"
    assert "Bob Baker confirmed that the proposed solution fixed it, so the case is closed." in message.body


def test_support_closing_and_reopening_a_case_say_why(case, demo):
    ticket_close(case=case, actor=demo["engineer"], reason=CloseReason.DUPLICATE)
    closed = sent_to("bob@acme.test")[-1]
    assert closed.subject == f"[{case.number}] Users cannot sign in is now closed"
    assert "Erik Engel from support closed the case as a duplicate." in closed.body

    ticket_reopen(case=case, actor=demo["engineer"], reason="Not a duplicate after all: another cause.")
    reopened = sent_to("bob@acme.test")[-1]
    assert reopened.subject == f"[{case.number}] Users cannot sign in is now open"
    assert "Erik Engel from support reopened the case:" in reopened.body
    assert "Not a duplicate after all: another cause." in reopened.body


def test_the_escalation_email_links_to_the_case(case, demo):
    ticket_escalate(case=case, actor=demo["bob"], reason="Our sales team cannot work.")

    [message] = sent_to("supervisor@demo.test")
    assert message.subject == f"[{case.number}] Escalation requested by Acme"
    assert f"{settings.SITE_URL}/portal/cases/{case.number}/" in message.body
    assert f'href="{settings.SITE_URL}/portal/cases/{case.number}/"' in html(message)


def test_a_person_who_turned_replies_off_gets_none_but_still_gets_the_confirmation(demo):
    bob = demo["bob"]
    bob.case_emails_off = [CaseEmail.REPLIES, CaseEmail.SEVERITY]
    bob.save(update_fields=["case_emails_off"])
    case = file_case("bob@acme.test", "Acme", cc=[demo["alice"]])
    ticket_reply(case=case, author=demo["engineer"], body="Which browser?", kind=ResponseKind.REQUEST_INFO)
    ticket_validate_severity(case=case, actor=demo["engineer"], severity=2, reason="Half the users.")

    assert [message.subject.split("] ")[1] for message in sent_to("bob@acme.test")] == [
        "We received your case: Users cannot sign in"
    ]
    # Alice kept them.
    assert len(sent_to("alice@acme.test")) == 2


def test_case_emails_say_a_reply_by_email_joins_the_case(demo):
    # The email channel (mailin/) threads a reply by its Reply-To and references: the emails may say so.
    file_case("bob@acme.test", "Acme")
    [filed] = sent_to("bob@acme.test")
    assert "reply to this email" in filed.body.lower()
    assert filed.extra_headers["Reply-To"] == settings.SUPPORT_EMAIL_ADDRESS
