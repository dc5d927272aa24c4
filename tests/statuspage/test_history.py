"""Component states over time: the worst state wins, each day of the last 90 shows the worst state it saw."""

import datetime

from statuspage.history import Span, current_states, days_of_history, incident_spans, worst
from tests.statuspage.helpers import DEGRADED, MAINTENANCE, MAJOR, OK, PARTIAL

NOW = datetime.datetime(2026, 11, 22, 15, 0, tzinfo=datetime.UTC)


def at(day: int, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(2026, 11, day, hour, minute, tzinfo=datetime.UTC)


def test_the_worst_state_wins_in_the_order_of_gravity():
    assert worst([]) == OK
    assert worst([MAINTENANCE, OK]) == MAINTENANCE
    assert worst([DEGRADED, MAINTENANCE]) == DEGRADED
    assert worst([PARTIAL, DEGRADED, MAJOR, OK]) == MAJOR


def test_a_state_holds_from_one_update_to_the_next_and_ends_at_the_resolution():
    spans = incident_spans(
        [
            (at(20, 9), {1: DEGRADED}),
            (at(20, 10), {1: MAJOR, 2: PARTIAL}),
            (at(20, 11), {2: PARTIAL}),
            (at(20, 12), {}),
        ],
        resolved_at=at(20, 12),
        label="Outage",
    )
    assert [(s.component_id, s.state, s.start, s.end) for s in spans] == [
        (1, DEGRADED, at(20, 9), at(20, 10)),
        (1, MAJOR, at(20, 10), at(20, 11)),
        (2, PARTIAL, at(20, 10), at(20, 11)),
        (2, PARTIAL, at(20, 11), at(20, 12)),
    ]
    assert current_states(spans, now=at(20, 10, 30)) == {1: MAJOR, 2: PARTIAL}
    assert current_states(spans, now=at(20, 11, 30)) == {2: PARTIAL}
    assert current_states(spans, now=at(20, 12)) == {}  # resolved: back to operational


def test_an_open_incident_lasts_until_now():
    spans = incident_spans([(at(22, 9), {1: PARTIAL})], resolved_at=None, label="Open")
    assert current_states(spans, now=NOW) == {1: PARTIAL}


def test_ninety_days_oldest_first_ending_today():
    history = days_of_history([], component_ids=[1], now=NOW)[1]
    assert len(history) == 90
    assert history[-1].date == datetime.date(2026, 11, 22)
    assert history[0].date == datetime.date(2026, 8, 25)
    assert {day.state for day in history} == {OK}


def test_a_day_with_two_incidents_shows_the_worst_and_names_both():
    spans = [
        Span(1, MAJOR, at(20, 9), at(20, 10), "Database failover"),
        Span(1, DEGRADED, at(20, 14), at(20, 18), "Slow search"),
        Span(1, DEGRADED, at(21, 8), at(21, 9), "Slow search again"),
    ]
    history = {day.date.day: day for day in days_of_history(spans, component_ids=[1], now=NOW)[1][-5:]}
    assert history[20].state == MAJOR
    assert history[20].labels == ["Database failover", "Slow search"]
    assert history[21].state == DEGRADED
    assert (history[19].state, history[22].state) == (OK, OK)


def test_a_span_over_midnight_colours_both_days_and_one_ending_at_midnight_only_the_first():
    spans = [
        Span(1, PARTIAL, at(18, 22), at(19, 2), "Night outage"),
        Span(2, PARTIAL, at(18, 22), at(19, 0), "Ends at midnight"),
    ]
    history = days_of_history(spans, component_ids=[1, 2], now=NOW)
    by_day = {c: {day.date.day: day.state for day in days[-6:]} for c, days in history.items()}
    assert by_day[1][18] == by_day[1][19] == PARTIAL
    assert (by_day[2][18], by_day[2][19]) == (PARTIAL, OK)


def test_maintenance_later_today_does_not_colour_today_yet_and_old_spans_fall_out_of_the_window():
    spans = [
        Span(1, MAINTENANCE, at(22, 20), at(22, 22), "Later today"),
        Span(1, MAJOR, NOW - datetime.timedelta(days=120), NOW - datetime.timedelta(days=100), "Long ago"),
        Span(
            1, DEGRADED, NOW - datetime.timedelta(days=95), NOW - datetime.timedelta(days=89, hours=1), "Edge"
        ),
    ]
    history = days_of_history(spans, component_ids=[1], now=NOW)[1]
    assert history[-1].state == OK
    assert [day.state for day in history[:2]] == [DEGRADED, OK]
    assert {day.state for day in history[2:]} == {OK}
    assert current_states(spans, now=at(22, 21)) == {1: MAINTENANCE}
