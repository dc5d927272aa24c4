"""A case's first-response deadline: set when received, moved by severity validation, judged by its state."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from tests.tickets import helpers
from tickets.actions import CaseAction, CaseActionRefused
from tickets.models import CaseEvent, Channel, EventKind, SlaState
from tickets.services import case_action, ticket_validate_severity

DENVER = ZoneInfo("America/Denver")
CHICAGO = ZoneInfo("America/Chicago")


def file_case(user, organization, severity, received_at, channel=Channel.PORTAL):
    return helpers.file_case(user.email, organization, severity, received_at=received_at, channel=channel)


def test_a_standard_case_received_before_thanksgiving_is_due_friday_morning(demo):
    case = file_case(demo["bob"], "Acme", 1, datetime.datetime(2026, 11, 25, 15, 0, tzinfo=DENVER))
    assert case.first_response_due == datetime.datetime(2026, 11, 27, 11, 0, tzinfo=DENVER)
    # Three quarters of the 4 h target: 2 h on Wednesday, 1 h on Friday.
    assert case.first_response_at_risk_at == datetime.datetime(2026, 11, 27, 10, 0, tzinfo=DENVER)
    assert case.number.startswith("SD-2026-")
    assert CaseEvent.objects.get(case=case, kind=EventKind.CREATED).data["first_response_due"] == (
        "2026-11-27T11:00:00-07:00"
    )


def test_a_premium_msp_case_is_due_within_the_hour_around_the_clock(demo):
    received = datetime.datetime(2026, 11, 26, 3, 0, tzinfo=CHICAGO)  # Thanksgiving, 3 in the morning
    case = file_case(demo["mia"], "Tailspin Clinics", 1, received)
    assert case.first_response_due == received + datetime.timedelta(hours=1)


def test_a_case_received_by_email_is_severity_3_whatever_it_asks_for(demo):
    case = file_case(
        demo["bob"], "Acme", 1, datetime.datetime(2026, 11, 25, 10, 0, tzinfo=DENVER), Channel.EMAIL
    )
    assert (case.requested_severity, case.severity) == (1, 3)
    assert case.first_response_due == datetime.datetime(2026, 11, 27, 17, 0, tzinfo=DENVER)


def test_validating_the_severity_moves_the_deadline_measured_from_when_it_was_received(demo):
    case = file_case(demo["bob"], "Acme", 3, datetime.datetime(2026, 11, 25, 15, 0, tzinfo=DENVER))
    assert case.first_response_due == datetime.datetime(2026, 11, 27, 17, 0, tzinfo=DENVER)
    case = ticket_validate_severity(
        case=case, actor=demo["engineer"], severity=1, reason="All users are down"
    )
    assert case.first_response_due == datetime.datetime(2026, 11, 27, 11, 0, tzinfo=DENVER)
    event = CaseEvent.objects.get(case=case, kind=EventKind.SEVERITY_VALIDATED)
    assert event.actor == demo["engineer"]
    assert event.data == {
        "from": 3,
        "to": 1,
        "reason": "All users are down",
        "first_response_due": "2026-11-27T11:00:00-07:00",
    }


def test_only_staff_validate_severity_and_always_with_a_reason(demo):
    case = file_case(demo["bob"], "Acme", 3, datetime.datetime(2026, 11, 25, 15, 0, tzinfo=DENVER))
    with pytest.raises(CaseActionRefused, match="Only support staff"):
        with case_action(actor=demo["alice"], case=case, action=CaseAction.VALIDATE_SEVERITY) as locked:
            ticket_validate_severity(case=locked, actor=demo["alice"], severity=1, reason="Please")
    with pytest.raises(ValidationError) as error:
        ticket_validate_severity(case=case, actor=demo["engineer"], severity=1, reason="  ")
    assert "reason" in error.value.message_dict


def test_the_sla_state_goes_on_track_at_risk_breached(demo):
    case = file_case(demo["bob"], "Acme", 1, datetime.datetime(2026, 11, 25, 15, 0, tzinfo=DENVER))
    at = lambda *args: datetime.datetime(*args, tzinfo=DENVER)  # noqa: E731
    assert case.sla_state_at(now=at(2026, 11, 25, 16, 0)) == SlaState.ON_TRACK
    assert case.sla_state_at(now=at(2026, 11, 27, 10, 30)) == SlaState.AT_RISK
    assert case.sla_state_at(now=at(2026, 11, 27, 11, 0)) == SlaState.BREACHED
    case.first_responded_at = at(2026, 11, 27, 10, 59)
    assert case.sla_state_at(now=at(2026, 12, 1, 9, 0)) == SlaState.MET
    case.first_responded_at = at(2026, 11, 27, 11, 1)
    assert case.sla_state_at(now=at(2026, 12, 1, 9, 0)) == SlaState.MISSED


@pytest.mark.parametrize("who", ["fred", "olga"])
def test_customers_who_may_not_file_get_the_reason_and_no_case(demo, who):
    organization = demo[who].membership.account.organizations.get().name
    with pytest.raises(ValidationError):
        file_case(demo[who], organization, 2, datetime.datetime(2026, 11, 25, 15, 0, tzinfo=DENVER))
    assert not CaseEvent.objects.exists()


def test_max_cannot_file_for_his_third_organization(demo):
    with pytest.raises(ValidationError) as error:
        file_case(demo["max"], "Tailspin Clinics", 2, datetime.datetime(2026, 11, 25, 15, 0, tzinfo=DENVER))
    assert "organization" in error.value.message_dict


def test_case_numbers_count_up_within_the_year(demo):
    first = file_case(demo["bob"], "Acme", 3, datetime.datetime(2026, 3, 2, 10, 0, tzinfo=DENVER))
    second = file_case(demo["alice"], "Acme", 3, datetime.datetime(2026, 3, 2, 11, 0, tzinfo=DENVER))
    assert (first.number, second.number) == ("SD-2026-00001", "SD-2026-00002")
