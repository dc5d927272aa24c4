"""SLA engine: first-response deadlines and auto-close dates, to the minute (domain.md §4, §6).

Plain pytest, no Django: ``make test`` runs it first with
``python -m pytest -p no:django --confcutdir=tests/sla tests/sla/test_engine.py``.
"""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from sla.engine import (
    NEXT_BUSINESS_DAY,
    BusinessDayCalendar,
    Calendar,
    WeeklyInterval,
    first_response_due,
    holiday_dates,
    parse_weekly,
)

DENVER = ZoneInfo("America/Denver")
CHICAGO = ZoneInfo("America/Chicago")
US_HOLIDAYS = holiday_dates(country="US", years=range(2025, 2030))

H = timedelta(hours=1)
MIN = timedelta(minutes=1)
US = timedelta(microseconds=1)


def utc(value):
    """Compare instants in UTC. Aware datetimes sharing a tzinfo compare by wall reading
    (ignoring fold), and ``==`` across zones is always False for a time in a fold or gap
    (PEP 495), so both sides of every comparison are UTC. Tests that care about the offset
    shown compare ``isoformat()``."""
    return value.astimezone(UTC)


def denver(*args, fold=0):
    """That Denver wall time, as a UTC instant (see ``utc``)."""
    return datetime(*args, tzinfo=DENVER, fold=fold).astimezone(UTC)


def chicago(*args):
    """That Chicago wall time, as a UTC instant (see ``denver``)."""
    return datetime(*args, tzinfo=CHICAGO).astimezone(UTC)


def standard():
    return Calendar(
        time_zone="America/Denver", weekly=parse_weekly("Mon-Fri 09:00-17:00"), closed_dates=US_HOLIDAYS
    )


def premium():
    return Calendar(time_zone="America/Denver", weekly=parse_weekly("Mon-Sun 00:00-24:00"))


def enterprise_business_hours():
    return Calendar(
        time_zone="America/Chicago", weekly=parse_weekly("Sun 19:00-Fri 19:00"), closed_dates=US_HOLIDAYS
    )


def enterprise_24x7():
    return Calendar(time_zone="America/Chicago", weekly=parse_weekly("Mon-Sun 00:00-24:00"))


def due(received_at, target, calendar):
    return first_response_due(received_at=received_at, target=target, calendar=calendar)


# --------------------------------------------------------------------------- Standard


def test_standard_sev1_received_before_thanksgiving_is_due_friday_morning():
    result = due(denver(2026, 11, 25, 15), 4 * H, standard())
    assert utc(result) == denver(2026, 11, 27, 11)
    assert result.isoformat() == "2026-11-27T11:00:00-07:00"


def test_standard_sev3_received_before_thanksgiving_is_due_friday_close():
    result = due(denver(2026, 11, 25, 10), NEXT_BUSINESS_DAY, standard())
    assert result.isoformat() == "2026-11-27T17:00:00-07:00"


def test_standard_sev2_received_before_thanksgiving_uses_eight_open_hours():
    # 2 h Wednesday, Thursday closed, 6 h Friday.
    assert utc(due(denver(2026, 11, 25, 15), 8 * H, standard())) == denver(2026, 11, 27, 15)


def test_standard_deadline_is_returned_in_the_calendar_time_zone():
    received = datetime(2026, 11, 25, 22, tzinfo=UTC)  # 15:00 in Denver
    result = due(received, 4 * H, standard())
    assert result.tzinfo == DENVER
    assert result.isoformat() == "2026-11-27T11:00:00-07:00"


def test_standard_budget_running_out_at_closing_is_due_at_closing_the_same_day():
    assert utc(due(denver(2026, 11, 30, 13), 4 * H, standard())) == denver(2026, 11, 30, 17)


def test_standard_case_received_exactly_at_opening_starts_at_once():
    calendar = standard()
    assert calendar.is_open(denver(2026, 11, 30, 9))
    assert utc(due(denver(2026, 11, 30, 9), 4 * H, calendar)) == denver(2026, 11, 30, 13)


def test_standard_case_received_exactly_at_closing_starts_next_morning():
    calendar = standard()
    assert not calendar.is_open(denver(2026, 11, 30, 17))
    assert calendar.is_open(denver(2026, 11, 30, 17) - US)
    assert utc(due(denver(2026, 11, 30, 17), 4 * H, calendar)) == denver(2026, 12, 1, 13)


def test_standard_case_received_on_saturday_starts_monday_morning():
    calendar = standard()
    assert utc(calendar.next_opening(denver(2026, 11, 28, 10))) == denver(2026, 11, 30, 9)
    assert utc(due(denver(2026, 11, 28, 10), 4 * H, calendar)) == denver(2026, 11, 30, 13)


def test_standard_case_received_before_opening_starts_at_opening():
    assert utc(due(denver(2026, 11, 30, 7, 30), 8 * H, standard())) == denver(2026, 11, 30, 17)


def test_zero_target_is_due_at_the_next_opening():
    calendar = standard()
    assert utc(calendar.add_open_time(denver(2026, 11, 28, 10), timedelta(0))) == denver(2026, 11, 30, 9)
    assert utc(calendar.add_open_time(denver(2026, 11, 30, 10), timedelta(0))) == denver(2026, 11, 30, 10)
    # At a closing instant the calendar is closed, so the next opening is the next morning.
    assert utc(calendar.add_open_time(denver(2026, 11, 30, 17), timedelta(0))) == denver(2026, 12, 1, 9)


def test_standard_sev1_skips_observed_independence_day_friday():
    # 2026-07-04 is a Saturday; the US holiday set closes Friday 2026-07-03 (observed).
    assert date(2026, 7, 3) in US_HOLIDAYS
    calendar = standard()
    assert not calendar.is_business_day(date(2026, 7, 3))
    assert utc(due(denver(2026, 7, 2, 15), 4 * H, calendar)) == denver(2026, 7, 6, 11)
    assert utc(due(denver(2026, 7, 2, 10), NEXT_BUSINESS_DAY, calendar)) == denver(2026, 7, 6, 17)


def test_standard_sev2_skips_observed_christmas_friday_2027():
    # 2027-12-25 is a Saturday; Friday 2027-12-24 is the observed Christmas Day.
    assert date(2027, 12, 24) in US_HOLIDAYS
    # 1 h Thursday, Friday closed, weekend, 7 h Monday.
    assert utc(due(denver(2027, 12, 23, 16), 8 * H, standard())) == denver(2027, 12, 27, 16)


def test_standard_sev3_over_new_year_observed_on_friday_2027_12_31():
    # New Year's Day 2028 is a Saturday, observed Fri 2027-12-31; the next business day after
    # Thu 2027-12-30 is therefore Mon 2028-01-03.
    assert utc(due(denver(2027, 12, 30, 11), NEXT_BUSINESS_DAY, standard())) == denver(2028, 1, 3, 17)


def test_standard_sev3_received_friday_evening_is_due_monday_close():
    assert utc(due(denver(2026, 11, 20, 18), NEXT_BUSINESS_DAY, standard())) == denver(2026, 11, 23, 17)


def test_standard_sev3_received_before_opening_is_due_the_next_day_not_the_same_day():
    # "Strictly after the local date on which the case was received."
    assert utc(due(denver(2026, 11, 30, 7), NEXT_BUSINESS_DAY, standard())) == denver(2026, 12, 1, 17)


def test_standard_sev3_uses_the_local_date_not_the_utc_date():
    # Mon 2026-11-30 20:00 Denver is already Tuesday in UTC; the local date (Monday) counts.
    received = datetime(2026, 12, 1, 3, tzinfo=UTC)
    assert utc(due(received, NEXT_BUSINESS_DAY, standard())) == denver(2026, 12, 1, 17)


def test_open_time_over_a_weekend_counts_only_business_hours():
    calendar = standard()
    assert calendar.open_time_between(denver(2026, 11, 20, 16), denver(2026, 11, 23, 10)) == 2 * H


def test_open_time_over_thanksgiving_skips_the_holiday():
    calendar = standard()
    assert calendar.open_time_between(denver(2026, 11, 25, 15), denver(2026, 11, 27, 11)) == 4 * H
    assert calendar.open_time_between(denver(2026, 11, 26, 0), denver(2026, 11, 27, 0)) == timedelta(0)


def test_open_time_is_zero_when_the_end_is_not_after_the_start():
    calendar = standard()
    assert calendar.open_time_between(denver(2026, 11, 30, 12), denver(2026, 11, 30, 12)) == timedelta(0)
    assert calendar.open_time_between(denver(2026, 11, 30, 12), denver(2026, 11, 30, 10)) == timedelta(0)


def test_open_time_across_a_year_boundary():
    calendar = standard()
    # Thu 2026-12-31 and Mon 2027-01-04 are open; Fri 2027-01-01 is New Year's Day.
    assert calendar.open_time_between(denver(2026, 12, 31, 16), denver(2027, 1, 4, 10)) == 2 * H
    assert utc(due(denver(2026, 12, 31, 16), 2 * H, calendar)) == denver(2027, 1, 4, 10)


def test_standard_business_days():
    calendar = standard()
    assert calendar.is_business_day(date(2026, 11, 25))
    assert not calendar.is_business_day(date(2026, 11, 26))  # Thanksgiving
    assert not calendar.is_business_day(date(2026, 11, 28))  # Saturday


def test_seconds_and_microseconds_are_kept():
    start = denver(2026, 11, 30, 10, 15, 30, 123456)
    result = standard().add_open_time(start, 8 * H)
    assert utc(result) == denver(2026, 12, 1, 10, 15, 30, 123456)  # 6 h 44 m Monday, rest Tuesday


# --------------------------------------------------------------------------- Premium


@pytest.mark.parametrize(
    ("hours", "expected"), [(1, (2026, 11, 26, 11)), (2, (2026, 11, 26, 12)), (4, (2026, 11, 26, 14))]
)
def test_premium_targets_run_through_holidays(hours, expected):
    # 24 × 7 × 365: Thanksgiving is an ordinary day.
    assert utc(due(denver(2026, 11, 26, 10), hours * H, premium())) == denver(*expected)


def test_premium_sev1_received_saturday_night_is_due_an_hour_later():
    assert utc(due(denver(2026, 11, 28, 23, 30), 1 * H, premium())) == denver(2026, 11, 29, 0, 30)


def test_premium_next_business_day_is_the_end_of_tomorrow():
    # Every day is a business day; the last interval of tomorrow ends at 24:00.
    assert utc(due(denver(2026, 11, 25, 10), NEXT_BUSINESS_DAY, premium())) == denver(2026, 11, 27, 0)


# --------------------------------------------------------------------------- Enterprise


def test_enterprise_sev1_is_thirty_minutes_around_the_clock():
    assert utc(due(chicago(2026, 11, 20, 20), 30 * MIN, enterprise_24x7())) == chicago(2026, 11, 20, 20, 30)
    thanksgiving_night = due(chicago(2026, 11, 26, 23, 45), 30 * MIN, enterprise_24x7())
    assert utc(thanksgiving_night) == chicago(2026, 11, 27, 0, 15)


def test_enterprise_sev2_received_friday_after_seven_pm_starts_sunday_evening():
    calendar = enterprise_business_hours()
    received = chicago(2026, 11, 20, 20)  # Friday, after the 19:00 close
    assert not calendar.is_open(received)
    assert utc(calendar.next_opening(received)) == chicago(2026, 11, 22, 19)
    assert utc(due(received, 8 * H, calendar)) == chicago(2026, 11, 23, 3)


def test_enterprise_sev3_received_friday_after_seven_pm_is_due_monday_evening():
    # 5 h on Sunday evening, then 19 h of Monday.
    result = due(chicago(2026, 11, 20, 20), 24 * H, enterprise_business_hours())
    assert utc(result) == chicago(2026, 11, 23, 19)


def test_enterprise_clock_runs_across_midnight_as_one_stretch():
    calendar = enterprise_business_hours()
    # Sunday 23:00 + 2 h: Sun 19:00-24:00 and Mon 00:00-24:00 are contiguous.
    assert utc(due(chicago(2026, 11, 22, 23), 2 * H, calendar)) == chicago(2026, 11, 23, 1)
    assert calendar.is_open(chicago(2026, 11, 23, 0))


def test_enterprise_sev2_received_on_thanksgiving_starts_friday_midnight():
    calendar = enterprise_business_hours()
    received = chicago(2026, 11, 26, 10)  # Thanksgiving: the whole local day is closed
    assert not calendar.is_open(received)
    assert utc(due(received, 8 * H, calendar)) == chicago(2026, 11, 27, 8)


def test_enterprise_sev3_received_on_thanksgiving_is_due_at_sunday_midnight():
    # Friday 00:00-19:00 gives 19 h, Sunday 19:00-24:00 the last 5 h: due at Sunday 24:00.
    result = due(chicago(2026, 11, 26, 10), 24 * H, enterprise_business_hours())
    assert utc(result) == chicago(2026, 11, 30, 0)


def test_enterprise_sev2_received_the_evening_before_thanksgiving():
    # 4 h to Wednesday 24:00, Thursday closed, 4 h from Friday 00:00.
    assert utc(due(chicago(2026, 11, 25, 20), 8 * H, enterprise_business_hours())) == chicago(2026, 11, 27, 4)


def test_enterprise_case_received_exactly_at_the_friday_close_waits_for_sunday():
    calendar = enterprise_business_hours()
    assert utc(due(chicago(2026, 11, 20, 19), 30 * MIN, calendar)) == chicago(2026, 11, 22, 19, 30)


def test_enterprise_open_time_of_a_whole_week():
    calendar = enterprise_business_hours()
    week = calendar.open_time_between(chicago(2026, 11, 15, 0), chicago(2026, 11, 22, 0))
    assert week == 5 * 24 * H  # Sun 19:00 to Fri 19:00
    thanksgiving_week = calendar.open_time_between(chicago(2026, 11, 22, 0), chicago(2026, 11, 29, 0))
    assert thanksgiving_week == 4 * 24 * H


# --------------------------------------------------------------------------- DST


def test_24x7_spring_forward_day_has_23_hours():
    calendar = premium()
    assert calendar.open_time_between(denver(2026, 3, 8), denver(2026, 3, 9)) == 23 * H
    # 01:30 MST + 1 h of real time is 03:30 MDT.
    result = calendar.add_open_time(denver(2026, 3, 8, 1, 30), 1 * H)
    assert result.isoformat() == "2026-03-08T03:30:00-06:00"


def test_24x7_fall_back_day_has_25_hours():
    calendar = premium()
    assert calendar.open_time_between(denver(2026, 11, 1), denver(2026, 11, 2)) == 25 * H
    # 00:30 MDT + 2 h is the second 01:30, in MST.
    result = calendar.add_open_time(denver(2026, 11, 1, 0, 30), 2 * H)
    assert result.isoformat() == "2026-11-01T01:30:00-07:00"
    assert result.fold == 1


def test_sunday_only_calendar_gets_23_and_25_hours_on_dst_sundays():
    calendar = Calendar(time_zone="America/Denver", weekly=[WeeklyInterval(6, 0, 1440)])
    assert calendar.open_time_between(denver(2026, 3, 8), denver(2026, 3, 9)) == 23 * H
    assert calendar.open_time_between(denver(2026, 11, 1), denver(2026, 11, 2)) == 25 * H
    # The whole 23 h are used up at Sunday 24:00; one more hour is the next Sunday 01:00.
    assert utc(calendar.add_open_time(denver(2026, 3, 8), 23 * H)) == denver(2026, 3, 9)
    assert utc(calendar.add_open_time(denver(2026, 3, 8), 24 * H)) == denver(2026, 3, 15, 1)
    assert utc(calendar.add_open_time(denver(2026, 11, 1), 25 * H)) == denver(2026, 11, 2)
    assert utc(calendar.add_open_time(denver(2026, 11, 1), 26 * H)) == denver(2026, 11, 8, 1)


def test_interval_crossing_spring_forward_loses_an_hour():
    calendar = Calendar(time_zone="America/Denver", weekly=parse_weekly("Mon-Sun 01:00-04:00"))
    # 01:00 MST to 04:00 MDT is 2 h of real time.
    assert calendar.open_time_between(denver(2026, 3, 8), denver(2026, 3, 9)) == 2 * H
    assert calendar.add_open_time(denver(2026, 3, 8, 1), 2 * H).isoformat() == "2026-03-08T04:00:00-06:00"
    assert utc(calendar.add_open_time(denver(2026, 3, 8, 1), 150 * MIN)) == denver(2026, 3, 9, 1, 30)
    assert calendar.is_open(denver(2026, 3, 8, 3))  # 03:00 MDT
    assert not calendar.is_open(denver(2026, 3, 8, 4))


def test_interval_crossing_fall_back_gains_an_hour():
    calendar = Calendar(time_zone="America/Denver", weekly=parse_weekly("Mon-Sun 01:00-04:00"))
    # 01:00 MDT (first occurrence) to 04:00 MST is 4 h of real time.
    assert calendar.open_time_between(denver(2026, 11, 1), denver(2026, 11, 2)) == 4 * H
    assert calendar.add_open_time(denver(2026, 11, 1, 1), 4 * H).isoformat() == "2026-11-01T04:00:00-07:00"
    assert utc(calendar.add_open_time(denver(2026, 11, 1, 1), 90 * MIN)) == denver(2026, 11, 1, 1, 30, fold=1)
    assert calendar.is_open(denver(2026, 11, 1, 1, 30, fold=1))


def test_standard_hours_are_unaffected_by_a_weekend_dst_change():
    # Friday 2026-03-06 16:00 MST + 4 h: Monday 12:00 MDT, the same wall time as any week.
    assert due(denver(2026, 3, 6, 16), 4 * H, standard()).isoformat() == "2026-03-09T12:00:00-06:00"


def test_closed_date_closes_the_whole_local_day_of_the_calendar():
    calendar = enterprise_business_hours()
    # Thanksgiving 00:00 Chicago is 06:00 UTC; the day closes from its local midnight.
    assert calendar.is_open(chicago(2026, 11, 25, 23, 59))
    assert not calendar.is_open(datetime(2026, 11, 26, 6, tzinfo=UTC))
    assert not calendar.is_open(chicago(2026, 11, 26, 23, 59))
    assert calendar.is_open(chicago(2026, 11, 27, 0))


# --------------------------------------------------------------------------- auto-close


def test_solution_proposed_before_thanksgiving_auto_closes_after_ten_business_days():
    calendar = BusinessDayCalendar(time_zone="America/Denver", closed_dates=US_HOLIDAYS)
    result = calendar.add_business_days(denver(2026, 11, 25, 10), 10)
    assert result.isoformat() == "2026-12-10T10:00:00-07:00"


def test_waiting_on_customer_auto_closes_after_fifteen_business_days():
    calendar = BusinessDayCalendar(time_zone="America/Denver", closed_dates=US_HOLIDAYS)
    assert utc(calendar.add_business_days(denver(2026, 11, 25, 10), 15)) == denver(2026, 12, 17, 10)


def test_auto_close_keeps_the_wall_clock_time_across_a_dst_change():
    calendar = BusinessDayCalendar(time_zone="America/Denver", closed_dates=US_HOLIDAYS)
    result = calendar.add_business_days(denver(2026, 3, 5, 10), 2)  # Thu MST → Mon MDT
    assert result.isoformat() == "2026-03-09T10:00:00-06:00"


def test_auto_close_counts_business_days_in_the_calendar_time_zone():
    calendar = BusinessDayCalendar(time_zone="America/Chicago", closed_dates=US_HOLIDAYS)
    # Fri 2026-11-27 03:00 UTC is still Thursday (Thanksgiving) 21:00 in Chicago.
    result = calendar.add_business_days(datetime(2026, 11, 27, 3, tzinfo=UTC), 1)
    assert utc(result) == chicago(2026, 11, 27, 21)
    assert not calendar.is_business_day(date(2026, 11, 26))
    assert not calendar.is_business_day(date(2026, 11, 28))
    assert calendar.is_business_day(date(2026, 11, 27))


def test_auto_close_on_a_missing_wall_time_uses_fold_zero():
    # Egypt springs forward at Friday 00:00 → 01:00 (2026-04-24), so 00:30 does not exist.
    cairo = ZoneInfo("Africa/Cairo")
    calendar = BusinessDayCalendar(time_zone="Africa/Cairo")
    result = calendar.add_business_days(datetime(2026, 4, 23, 0, 30, tzinfo=cairo), 1)
    assert result.isoformat() == "2026-04-24T01:30:00+03:00"


def test_auto_close_on_an_ambiguous_wall_time_uses_the_first_occurrence():
    cairo = ZoneInfo("Africa/Cairo")
    # Egypt falls back at Thursday 2026-10-29 24:00 → 23:00, so Thursday 23:30 happens twice.
    calendar = BusinessDayCalendar(time_zone="Africa/Cairo")
    result = calendar.add_business_days(datetime(2026, 10, 28, 23, 30, tzinfo=cairo), 1)
    assert result.isoformat() == "2026-10-29T23:30:00+03:00"


def test_zero_business_days_is_the_start_itself():
    calendar = BusinessDayCalendar(time_zone="America/Denver")
    assert utc(calendar.add_business_days(denver(2026, 11, 28, 10), 0)) == denver(2026, 11, 28, 10)


# --------------------------------------------------------------------------- input checks


@pytest.mark.parametrize(
    "call",
    [
        lambda c: c.is_open(datetime(2026, 11, 25, 10)),
        lambda c: c.next_opening(datetime(2026, 11, 25, 10)),
        lambda c: c.add_open_time(datetime(2026, 11, 25, 10), H),
        lambda c: c.open_time_between(datetime(2026, 11, 25, 10), denver(2026, 11, 26)),
        lambda c: c.open_time_between(denver(2026, 11, 25), datetime(2026, 11, 26, 10)),
        lambda c: c.next_business_day_close(datetime(2026, 11, 25, 10)),
        lambda c: first_response_due(received_at=datetime(2026, 11, 25, 10), target=H, calendar=c),
        lambda c: BusinessDayCalendar(time_zone="America/Denver").add_business_days(
            datetime(2026, 11, 25), 1
        ),
    ],
)
def test_naive_datetimes_are_refused(call):
    with pytest.raises(ValueError, match="aware"):
        call(standard())


def test_negative_duration_is_refused():
    with pytest.raises(ValueError):
        standard().add_open_time(denver(2026, 11, 25, 10), -H)


def test_unknown_string_target_is_refused():
    with pytest.raises(ValueError):
        due(denver(2026, 11, 25, 10), "tomorrow", standard())


def test_calendar_without_open_time_raises_instead_of_looping():
    calendar = Calendar(time_zone="America/Denver", weekly=[])
    assert not calendar.is_open(denver(2026, 11, 25, 10))
    with pytest.raises(ValueError):
        calendar.add_open_time(denver(2026, 11, 25, 10), H)
    with pytest.raises(ValueError):
        calendar.next_opening(denver(2026, 11, 25, 10))
    with pytest.raises(ValueError):
        calendar.next_business_day_close(denver(2026, 11, 25, 10))


def test_calendar_closed_for_two_years_raises():
    closed = {date(2026, 1, 1) + timedelta(days=n) for n in range(800)}
    calendar = Calendar(time_zone="UTC", weekly=parse_weekly("Mon-Sun 00:00-24:00"), closed_dates=closed)
    with pytest.raises(ValueError):
        calendar.add_open_time(datetime(2026, 1, 1, tzinfo=UTC), H)


def test_bad_intervals_and_time_zones_are_refused():
    with pytest.raises(ValueError):
        WeeklyInterval(0, 600, 600)
    with pytest.raises(ValueError):
        WeeklyInterval(7, 0, 60)
    with pytest.raises(ValueError):
        WeeklyInterval(0, 0, 1441)
    with pytest.raises(ValueError):
        Calendar(time_zone="Mars/Olympus_Mons", weekly=[])


def test_far_dates_build_their_own_year():
    calendar = standard()
    assert utc(calendar.add_open_time(denver(1999, 12, 31, 16), 2 * H)) == denver(2000, 1, 3, 10)
    assert utc(calendar.add_open_time(denver(2026, 11, 25, 15), 4 * H)) == denver(2026, 11, 27, 11)


# --------------------------------------------------------------------------- parse_weekly


def test_parse_weekly_business_hours():
    assert parse_weekly("Mon-Fri 09:00-17:00") == [WeeklyInterval(d, 540, 1020) for d in range(5)]


def test_parse_weekly_span_across_days():
    assert parse_weekly("Sun 19:00-Fri 19:00") == [
        WeeklyInterval(6, 1140, 1440),
        *[WeeklyInterval(d, 0, 1440) for d in range(4)],
        WeeklyInterval(4, 0, 1140),
    ]


def test_parse_weekly_full_week_and_several_clauses():
    assert parse_weekly("Mon-Sun 00:00-24:00") == [WeeklyInterval(d, 0, 1440) for d in range(7)]
    assert parse_weekly("monday 08:00-12:00; Monday 13:00-17:00") == [
        WeeklyInterval(0, 480, 720),
        WeeklyInterval(0, 780, 1020),
    ]
    assert parse_weekly("Sat-Sun 10:00-14:00") == [WeeklyInterval(5, 600, 840), WeeklyInterval(6, 600, 840)]


def test_parse_weekly_overnight_span_ending_at_midnight():
    assert parse_weekly("Fri 22:00-Sat 00:00") == [WeeklyInterval(4, 1320, 1440)]
    assert parse_weekly("Mon 22:00-Tue 06:00") == [WeeklyInterval(0, 1320, 1440), WeeklyInterval(1, 0, 360)]


@pytest.mark.parametrize(
    "spec",
    [
        "",
        "Mon-Fri 17:00-09:00",
        "Funday 09:00-17:00",
        "Mon 09:00-Mon 09:00",
        "Mon-Fri 09:00-24:30",
        "Mon-Fri 9-17",
    ],
)
def test_parse_weekly_refuses_unclear_schedules(spec):
    with pytest.raises(ValueError):
        parse_weekly(spec)


def test_weekly_intervals_that_touch_on_one_day_merge():
    calendar = Calendar(time_zone="America/Denver", weekly=parse_weekly("Mon 09:00-12:00; Mon 12:00-17:00"))
    assert calendar.weekly == (WeeklyInterval(0, 540, 1020),)
    assert utc(calendar.add_open_time(denver(2026, 11, 30, 11), 2 * H)) == denver(2026, 11, 30, 13)


def test_holiday_dates_lists_us_federal_holidays_with_observed_days():
    dates = holiday_dates(country="US", years=[2026, 2027])
    assert {date(2026, 11, 26), date(2026, 7, 3), date(2027, 12, 24), date(2027, 12, 31)} <= dates
    assert date(2026, 11, 27) not in dates
