"""Who hears about a case nobody works (issues 9 and 10): the at-risk warning of the sweep and the staff
notices go to the same people, the engineers on duty, or every active engineer when nobody is on duty."""

import datetime

import pytest
from django.core import mail

from tests.tickets.helpers import file_case
from tickets.models import Case, OutboundEmail
from tickets.outbox import outbox_deliver
from tickets.services import ticket_reply
from tickets.sweeps import sla_sweep

# Seen from the demo engineers' desks (Erik in Denver, Priya in Chicago).
ONLY_DENVER = datetime.datetime(2026, 11, 24, 0, 30, tzinfo=datetime.UTC)  # Mon 17:30 Denver, 18:30 Chicago
BOTH_WORKING = datetime.datetime(2026, 11, 23, 16, 0, tzinfo=datetime.UTC)  # Mon 09:00 Denver, 10:00 Chicago
NIGHT = datetime.datetime(2026, 11, 23, 8, 0, tzinfo=datetime.UTC)  # Mon 01:00 Denver, 02:00 Chicago
SATURDAY = datetime.datetime(2026, 11, 28, 18, 0, tzinfo=datetime.UTC)  # Sat 11:00 Denver, 12:00 Chicago
BOTH = ["engineer2@demo.test", "engineer@demo.test"]


def addresses(case, template):
    return sorted(
        OutboundEmail.objects.filter(event__case=case, template=template).values_list("address", flat=True)
    )


def at_risk_at(when):
    """A Severity 3 case (no new-case notice) whose first response becomes at risk at `when`, due an hour
    later."""
    case = file_case("bob@acme.test", "Acme", subject="Waiting for support", received_at=when)
    Case.objects.filter(pk=case.pk).update(
        first_response_at_risk_at=when, first_response_due=when + datetime.timedelta(hours=1)
    )
    return case


@pytest.mark.parametrize(
    ("when", "engineers"),
    [
        (ONLY_DENVER, ["engineer@demo.test"]),  # Priya's day is over: only Erik is on duty
        (BOTH_WORKING, BOTH),
        (NIGHT, BOTH),  # nobody on duty: every active engineer, so the warning is not lost
        (SATURDAY, BOTH),
    ],
    ids=["only-denver", "both-working", "night", "saturday"],
)
def test_an_unassigned_case_at_risk_warns_whoever_a_new_case_notice_reaches(demo, when, engineers):
    waiting = at_risk_at(when)
    new = file_case("bob@acme.test", "Acme", severity=1, subject="Everything is down", received_at=when)

    sla_sweep(now=when)

    assert addresses(waiting, "at_risk") == addresses(new, "staff_new_case") == engineers


def test_a_case_whose_assignee_left_is_warned_like_a_customer_reply_to_the_engineers_on_duty(demo):
    case = at_risk_at(ONLY_DENVER)
    Case.objects.filter(pk=case.pk).update(assignee=demo["engineer2"])
    demo["engineer2"].is_active = False
    demo["engineer2"].save(update_fields=["is_active"])

    sla_sweep(now=ONLY_DENVER)
    ticket_reply(case=case, author=demo["bob"], body="Any news?", now=ONLY_DENVER)

    assert addresses(case, "at_risk") == addresses(case, "staff_customer_reply") == ["engineer@demo.test"]


def test_the_warning_says_why_an_engineer_on_duty_is_told(demo):
    case = at_risk_at(ONLY_DENVER)
    sla_sweep(now=ONLY_DENVER)

    outbox_deliver()
    [message] = [message for message in mail.outbox if message.subject.startswith(f"[{case.number}] First")]
    assert message.to == ["engineer@demo.test"]
    assert "Nobody has it yet: you are told because you are on duty." in message.body
