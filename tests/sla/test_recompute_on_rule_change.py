"""When an admin changes SLA rules, open cases get new deadlines: in batches, by a real Celery worker."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from allauth.mfa.models import Authenticator

from demo.people import demo_seed
from sla.models import Calendar, Policy
from tenants.models import Contract, Tier, User
from tests.conftest import wait_until
from tests.tickets import helpers
from tickets.deadlines import case_deadlines_recompute
from tickets.models import Case, CaseEvent, EventKind

DENVER = ZoneInfo("America/Denver")
WEDNESDAY_3PM = datetime.datetime(2026, 11, 25, 15, 0, tzinfo=DENVER)


def file_case(email, organization, severity):
    return helpers.file_case(email, organization, severity, received_at=WEDNESDAY_3PM)


def admin_form(calendar, closed_dates):
    data = {
        "slug": calendar.slug,
        "name": calendar.name,
        "time_zone": calendar.time_zone,
        "weekly_hours": calendar.weekly_hours,
        "holiday_country": calendar.holiday_country,
        "holiday_subdivision": calendar.holiday_subdivision,
        "closed_dates-TOTAL_FORMS": str(len(closed_dates)),
        "closed_dates-INITIAL_FORMS": "0",
        "closed_dates-MIN_NUM_FORMS": "0",
        "closed_dates-MAX_NUM_FORMS": "1000",
    }
    for i, (day, name) in enumerate(closed_dates):
        data |= {
            f"closed_dates-{i}-date": day,
            f"closed_dates-{i}-name": name,
            f"closed_dates-{i}-calendar": "",
        }
    return data


@pytest.mark.worker
def test_an_admin_closing_a_day_moves_open_standard_deadlines_through_the_worker(client, celery_worker):
    demo_seed()
    standard = file_case("bob@acme.test", "Acme", 1)
    premium = file_case("mia@northwind-msp.test", "Contoso Dental", 1)
    assert standard.first_response_due == datetime.datetime(2026, 11, 27, 11, 0, tzinfo=DENVER)
    premium_due = premium.first_response_due

    admin = User.objects.get(email="admin@demo.test")
    Authenticator.objects.create(user=admin, type=Authenticator.Type.TOTP, data={"secret": "unused-in-test"})
    client.force_login(admin)  # signing in with the TOTP code is allauth's, tested there
    calendar = Calendar.objects.get(slug="standard-hours")
    response = client.post(
        f"/admin/sla/calendar/{calendar.pk}/change/",
        admin_form(calendar, [("2026-11-27", "Day after Thanksgiving")]),
    )
    assert response.status_code == 302
    assert response["Location"] == "/admin/sla/calendar/"

    # Wednesday 2 h, Thursday and now Friday closed, the weekend: 2 h more on Monday.
    moved = wait_until(
        lambda: Case.objects.get(pk=standard.pk).first_response_due != standard.first_response_due
    )
    assert moved, celery_worker.log_path.read_text()
    assert Case.objects.get(pk=standard.pk).first_response_due == datetime.datetime(
        2026, 11, 30, 11, 0, tzinfo=DENVER
    )
    assert (
        Case.objects.get(pk=premium.pk).first_response_due == premium_due
    )  # 24 × 7 does not use that calendar
    event = CaseEvent.objects.get(case=standard, kind=EventKind.FIRST_RESPONSE_DUE_CHANGED)
    assert event.data["to"] == "2026-11-30T11:00:00-07:00"


def test_recomputing_twice_changes_nothing_more_and_skips_answered_and_closed_cases(demo):
    open_case = file_case("bob@acme.test", "Acme", 2)
    answered = file_case("bob@acme.test", "Acme", 2)
    Case.objects.filter(pk=answered.pk).update(first_responded_at=WEDNESDAY_3PM + datetime.timedelta(hours=1))
    closed = file_case("bob@acme.test", "Acme", 2)
    Case.objects.filter(pk=closed.pk).update(status="closed")
    policy = Policy.objects.get(tier__slug="standard", severity=2)
    Policy.objects.filter(pk=policy.pk).update(target_minutes=60)

    assert case_deadlines_recompute(policy_ids=[policy.pk], batch_size=1) == 1
    assert case_deadlines_recompute(policy_ids=[policy.pk], batch_size=1) == 0
    assert Case.objects.get(pk=open_case.pk).first_response_due == datetime.datetime(
        2026, 11, 25, 16, 0, tzinfo=DENVER
    )
    assert Case.objects.get(pk=answered.pk).first_response_due == answered.first_response_due
    assert Case.objects.get(pk=closed.pk).first_response_due == closed.first_response_due
    assert CaseEvent.objects.filter(kind=EventKind.FIRST_RESPONSE_DUE_CHANGED).count() == 1


def test_a_contract_moving_to_premium_gives_its_open_cases_premium_deadlines(demo):
    case = file_case("bob@acme.test", "Acme", 1)
    contract = Contract.objects.get(account__name="Acme")
    Contract.objects.filter(pk=contract.pk).update(tier=Tier.objects.get(slug="premium"))
    assert case_deadlines_recompute(contract_ids=[contract.pk]) == 1
    assert Case.objects.get(pk=case.pk).first_response_due == WEDNESDAY_3PM + datetime.timedelta(hours=1)
