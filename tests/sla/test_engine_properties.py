"""Properties of the SLA engine on the Standard, Premium and Enterprise calendars (Hypothesis).

Received times are drawn over 2026–2028 to the second, durations from 0 to 100 h to the second.
"""

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sla.engine import Calendar, holiday_dates, parse_weekly

US_HOLIDAYS = holiday_dates(country="US", years=range(2025, 2030))

CALENDARS = {
    "standard": Calendar(
        time_zone="America/Denver", weekly=parse_weekly("Mon-Fri 09:00-17:00"), closed_dates=US_HOLIDAYS
    ),
    "premium": Calendar(time_zone="America/Denver", weekly=parse_weekly("Mon-Sun 00:00-24:00")),
    "enterprise": Calendar(
        time_zone="America/Chicago", weekly=parse_weekly("Sun 19:00-Fri 19:00"), closed_dates=US_HOLIDAYS
    ),
    # Not a product calendar: an interval that crosses the 01:00–03:00 DST changes every year.
    "night_shift": Calendar(time_zone="America/Denver", weekly=parse_weekly("Mon-Sun 01:00-04:00")),
}
NAMES = sorted(CALENDARS)


def utc(value):
    """Compare and subtract in UTC: aware datetimes sharing a tzinfo compare by wall reading,
    which is wrong across a fall-back hour."""
    return value.astimezone(UTC)


START = datetime(2026, 1, 1, tzinfo=UTC)
SECONDS_IN_RANGE = int((datetime(2029, 1, 1, tzinfo=UTC) - START).total_seconds())
EPS = timedelta(microseconds=1)


uniform_instants = st.integers(0, SECONDS_IN_RANGE - 1).map(lambda s: START + timedelta(seconds=s))
# Uniform draws seldom land on the few hours that matter most, so a third of the draws fall
# within a day and a half of a DST change (US, both zones), Thanksgiving or New Year.
FOCUS_DAYS = [
    datetime(2026, 3, 8),
    datetime(2026, 11, 1),
    datetime(2027, 3, 14),
    datetime(2027, 11, 7),
    datetime(2028, 3, 12),
    datetime(2028, 11, 5),
    datetime(2026, 11, 26),
    datetime(2027, 12, 31),
]
FOCUS = [
    datetime(d.year, d.month, d.day, tzinfo=tz)
    for d in FOCUS_DAYS
    for tz in (CALENDARS["standard"].tz, CALENDARS["enterprise"].tz)
]
focus_instants = st.builds(
    lambda midnight, s: utc(midnight) + timedelta(seconds=s),
    st.sampled_from(FOCUS),
    st.integers(-12 * 3600, 36 * 3600),
)
instants = st.one_of(uniform_instants, uniform_instants, focus_instants)
# Half the durations are short (up to 6 h) so that they often end inside a DST change.
durations = st.one_of(st.integers(0, 6 * 3600), st.integers(0, 100 * 3600)).map(
    lambda s: timedelta(seconds=s)
)
positive_durations = st.one_of(st.integers(1, 6 * 3600), st.integers(1, 100 * 3600)).map(
    lambda s: timedelta(seconds=s)
)
calendars = st.sampled_from(NAMES)

# No example database: runs stay independent of earlier runs (Hypothesis still caches
# source constants under .hypothesis/, which .gitignore covers).
PROPERTY = settings(max_examples=250, deadline=None, database=None)


@PROPERTY
@given(name=calendars, s1=instants, s2=instants, d=durations)
def test_deadline_never_moves_earlier_when_the_case_arrives_later(name, s1, s2, d):
    calendar = CALENDARS[name]
    early, late = sorted([s1, s2])
    assert utc(calendar.add_open_time(early, d)) <= utc(calendar.add_open_time(late, d))
    assert utc(calendar.next_business_day_close(early)) <= utc(calendar.next_business_day_close(late))


@PROPERTY
@given(name=calendars, start=instants, d=durations)
def test_open_time_up_to_the_deadline_is_exactly_the_target(name, start, d):
    calendar = CALENDARS[name]
    assert calendar.open_time_between(start, calendar.add_open_time(start, d)) == d


@PROPERTY
@given(name=calendars, start=instants, a=durations, b=positive_durations)
def test_adding_open_time_in_two_steps_equals_one_step(name, start, a, b):
    # b > 0 matters: a deadline may sit exactly on a closing instant, and adding zero from a
    # closing instant means "the next opening", which is later. Any positive b resumes the
    # clock from the same point in open time, so the two sides agree.
    calendar = CALENDARS[name]
    two_steps = calendar.add_open_time(calendar.add_open_time(start, a), b)
    assert utc(two_steps) == utc(calendar.add_open_time(start, a + b))


@PROPERTY
@given(name=calendars, start=instants, d=durations)
def test_no_deadline_falls_in_closed_time(name, start, d):
    calendar = CALENDARS[name]
    deadline = utc(calendar.add_open_time(start, d))
    assert deadline >= start
    if d:
        # Deadlines lie in (opening, closing]: the instant just before is open.
        assert deadline > start
        assert calendar.is_open(deadline - EPS)
    else:
        assert deadline == utc(calendar.next_opening(start))
        assert calendar.is_open(deadline)


@PROPERTY
@given(name=calendars, received=instants)
def test_next_business_day_is_due_at_the_close_of_a_later_business_day(name, received):
    calendar = CALENDARS[name]
    due = utc(calendar.next_business_day_close(received))
    received_day = received.astimezone(calendar.tz).date()
    # The close of a day's last interval may be that day's 24:00 (the next local midnight), so
    # the business day is the local date of the instant just before the close.
    due_day = (due - EPS).astimezone(calendar.tz).date()
    assert due_day > received_day
    assert calendar.is_business_day(due_day)
    assert calendar.is_open(due - EPS)
    # No business day is skipped between the two dates.
    day = received_day + timedelta(days=1)
    while day < due_day:
        assert not calendar.is_business_day(day)
        day += timedelta(days=1)
    # It is the last close of that day: no open time is left on that local date after it.
    next_midnight = datetime.combine(due_day + timedelta(days=1), datetime.min.time(), tzinfo=calendar.tz)
    assert calendar.open_time_between(due, next_midnight) == timedelta(0)
    if name == "standard":
        assert not calendar.is_open(due)  # a real closing: 17:00


# --------------------------------------------------------------------------- reference model

WEEKLY_SPECS = {
    "standard": ("America/Denver", "Mon-Fri 09:00-17:00", US_HOLIDAYS),
    "premium": ("America/Denver", "Mon-Sun 00:00-24:00", frozenset()),
    "enterprise": ("America/Chicago", "Sun 19:00-Fri 19:00", US_HOLIDAYS),
    "night_shift": ("America/Denver", "Mon-Sun 01:00-04:00", frozenset()),
}


def reference_intervals(name, day):
    """Open intervals of one local date, straight from the rules, as UTC datetimes (so that
    subtraction and comparison are in real time)."""
    _, spec, closed = WEEKLY_SPECS[name]
    tz = CALENDARS[name].tz
    if day in closed:
        return []
    out = []
    for interval in parse_weekly(spec):
        if interval.weekday != day.weekday():
            continue
        start = datetime(day.year, day.month, day.day, interval.start // 60, interval.start % 60, tzinfo=tz)
        if interval.end == 1440:
            nxt = day + timedelta(days=1)
            end = datetime(nxt.year, nxt.month, nxt.day, tzinfo=tz)
        else:
            end = datetime(day.year, day.month, day.day, interval.end // 60, interval.end % 60, tzinfo=tz)
        out.append((utc(start), utc(end)))
    return sorted(out)


def reference_add(name, start, d):
    """Walk day by day through the intervals, spending the budget: slow but obviously right."""
    tz = CALENDARS[name].tz
    day = start.astimezone(tz).date()
    remaining = d
    for _ in range(400):
        for open_at, close_at in reference_intervals(name, day):
            if close_at <= start:
                continue
            begin = max(open_at, start)
            if remaining == timedelta(0):
                return begin
            available = close_at - begin
            if available >= remaining:
                return begin + remaining
            remaining -= available
        day += timedelta(days=1)
    raise AssertionError("no deadline within 400 days")


@PROPERTY
@given(name=calendars, start=instants, d=durations)
def test_deadline_matches_a_day_by_day_reference(name, start, d):
    assert utc(CALENDARS[name].add_open_time(start, d)) == reference_add(name, start, d)


@PROPERTY
@given(name=calendars, instant=instants)
def test_is_open_matches_the_rules_of_the_local_day(name, instant):
    tz = CALENDARS[name].tz
    day = instant.astimezone(tz).date()
    expected = any(a <= instant < b for a, b in reference_intervals(name, day))
    assert CALENDARS[name].is_open(instant) is expected


@pytest.mark.parametrize("name", NAMES)
def test_year_boundaries_join_up(name):
    # The index is built per local year; crossing New Year must behave like any midnight.
    calendar = CALENDARS[name]
    for year in (2026, 2027, 2028):
        start = utc(datetime(year, 12, 28, 12, tzinfo=calendar.tz))
        for hours in (1, 7, 24, 50, 100):
            d = timedelta(hours=hours)
            assert utc(calendar.add_open_time(start, d)) == reference_add(name, start, d)
            assert calendar.open_time_between(start, calendar.add_open_time(start, d)) == d
    assert calendar.is_business_day(date(2027, 1, 4))
