"""GET /api/v1/sla/preview: the deadlines the case form will promise, and clear 400s on bad input."""

import pytest
from rest_framework.test import APIClient

from sla.services import sla_preset_load

URL = "/api/v1/sla/preview"


@pytest.fixture
def api(demo):
    client = APIClient()
    client.force_authenticate(demo["bob"])
    return client


def preview(api, **params):
    return api.get(URL, params)


@pytest.mark.parametrize(
    "severity, received_at, due",
    [
        (1, "2026-11-25T15:00:00-07:00", "2026-11-27T11:00:00-07:00"),  # 2 h Wednesday, Thanksgiving closed
        (2, "2026-11-25T15:00:00-07:00", "2026-11-27T15:00:00-07:00"),
        (3, "2026-11-25T10:00:00-07:00", "2026-11-27T17:00:00-07:00"),  # next business day after Thanksgiving
        (1, "2026-11-28T10:00:00-07:00", "2026-11-30T13:00:00-07:00"),  # Saturday: clock starts Monday
    ],
)
def test_standard_deadlines_follow_denver_business_hours_and_us_holidays(api, severity, received_at, due):
    response = preview(api, tier="standard", severity=severity, received_at=received_at)
    assert response.status_code == 200, response.json()
    assert response.json()["first_response_due"] == due


def test_premium_runs_around_the_clock(api):
    answer = preview(api, tier="premium", severity=2, received_at="2026-11-26T23:30:00-07:00").json()
    assert answer["first_response_due"] == "2026-11-27T01:30:00-07:00"


def test_auto_close_is_ten_and_fifteen_business_days_later_at_the_same_local_time(api):
    answer = preview(api, tier="standard", severity=3, received_at="2026-11-25T10:00:00-07:00").json()
    assert answer["auto_close_unconfirmed_at"] == "2026-12-10T10:00:00-07:00"
    assert answer["auto_close_no_response_at"] == "2026-12-17T10:00:00-07:00"


def test_a_time_in_another_offset_gives_the_same_instant(api):
    answer = preview(api, tier="standard", severity=1, received_at="2026-11-25T22:00:00+00:00").json()
    assert answer["first_response_due"] == "2026-11-27T11:00:00-07:00"


def test_enterprise_preset_measures_sev2_on_its_sunday_to_friday_week(api):
    answer = preview(api, tier="enterprise", severity=2, received_at="2026-11-20T18:00:00-06:00").json()
    # 1 h left on Friday until 19:00, closed for the weekend, 7 h more from Sunday 19:00.
    assert answer["first_response_due"] == "2026-11-23T02:00:00-06:00"
    assert answer["auto_close_unconfirmed_at"] == "2026-12-07T18:00:00-06:00"


def test_enterprise_sev1_is_thirty_minutes_around_the_clock(api):
    answer = preview(api, tier="enterprise", severity=1, received_at="2026-11-26T12:00:00-06:00").json()
    assert answer["first_response_due"] == "2026-11-26T12:30:00-06:00"


@pytest.mark.parametrize(
    "params, field",
    [
        ({"tier": "platinum", "severity": 1, "received_at": "2026-11-25T10:00:00-07:00"}, "tier"),
        ({"tier": "free", "severity": 1, "received_at": "2026-11-25T10:00:00-07:00"}, "tier"),
        ({"tier": "standard", "severity": 4, "received_at": "2026-11-25T10:00:00-07:00"}, "severity"),
        ({"tier": "standard", "severity": "high", "received_at": "2026-11-25T10:00:00-07:00"}, "severity"),
        ({"tier": "standard", "severity": 1, "received_at": "2026-11-25T10:00:00"}, "received_at"),
        ({"tier": "standard", "severity": 1, "received_at": "next tuesday"}, "received_at"),
        ({"tier": "standard", "severity": 1}, "received_at"),
    ],
)
def test_bad_input_answers_400_naming_the_field(api, params, field):
    response = preview(api, **params)
    assert response.status_code == 400
    assert field in response.json(), response.json()


def test_the_preview_needs_a_sign_in(demo):
    response = APIClient().get(
        URL, {"tier": "standard", "severity": 1, "received_at": "2026-11-25T10:00:00-07:00"}
    )
    assert response.status_code in (401, 403)


def test_an_admin_edit_to_a_policy_shows_in_the_preview(api):
    from sla.models import Policy

    Policy.objects.filter(tier__slug="premium", severity=2).update(target_minutes=180)
    answer = preview(api, tier="premium", severity=2, received_at="2026-11-26T23:30:00-07:00").json()
    assert answer["first_response_due"] == "2026-11-27T02:30:00-07:00"
    sla_preset_load(name="default")  # loading the preset again puts its targets back
    answer = preview(api, tier="premium", severity=2, received_at="2026-11-26T23:30:00-07:00").json()
    assert answer["first_response_due"] == "2026-11-27T01:30:00-07:00"
