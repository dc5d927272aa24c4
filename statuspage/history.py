"""Component states over time, as plain Python: spans of a state in, current states and days of history out.

Conventions: aware datetimes only; a day is a UTC calendar day (the page says so); a span covers
[start, end), an end of None means "still going". The worst state wins, in ComponentState's order
(operational < under maintenance < degraded performance < partial outage < major outage).
"""

import datetime
from dataclasses import dataclass, field

from statuspage.models import STATE_RANK, ComponentState

HISTORY_DAYS = 90


@dataclass(frozen=True)
class Span:
    """One component in one state for a while, because of one incident or maintenance (`label`)."""

    component_id: int
    state: str
    start: datetime.datetime
    end: datetime.datetime | None
    label: str


@dataclass
class Day:
    date: datetime.date
    state: str = ComponentState.OPERATIONAL
    labels: list[str] = field(default_factory=list)

    @property
    def state_label(self) -> str:
        return ComponentState(self.state).label


def worst(states) -> str:
    """The gravest of `states`; operational when there are none."""
    return max(states, key=STATE_RANK.__getitem__, default=ComponentState.OPERATIONAL)


def incident_spans(updates, *, resolved_at: datetime.datetime | None, label: str) -> list[Span]:
    """The spans of one incident from its updates in time order, each given as (created_at, {component_id:
    state}): a component's state holds from one update to the next, and the last one holds until the
    incident is resolved (or still does)."""
    spans = []
    for index, (created_at, states) in enumerate(updates):
        end = updates[index + 1][0] if index + 1 < len(updates) else resolved_at
        for component_id, state in states.items():
            if state != ComponentState.OPERATIONAL:
                spans.append(Span(component_id, state, created_at, end, label))
    return spans


def current_states(spans: list[Span], *, now: datetime.datetime) -> dict[int, str]:
    """Each component's state now (only components not operational are listed)."""
    states: dict[int, list[str]] = {}
    for span in spans:
        if span.start <= now and (span.end is None or now < span.end):
            states.setdefault(span.component_id, []).append(span.state)
    return {component_id: worst(found) for component_id, found in states.items()}


def days_of_history(
    spans: list[Span], *, component_ids, now: datetime.datetime, days: int = HISTORY_DAYS
) -> dict[int, list[Day]]:
    """For each component, the last `days` UTC days up to today, oldest first, each with the worst state
    any span gave it that day and the titles of those spans. Spans are cut at `now`: maintenance scheduled
    for later today does not colour today yet."""
    today = now.astimezone(datetime.UTC).date()
    first = today - datetime.timedelta(days=days - 1)
    history = {
        component_id: [Day(first + datetime.timedelta(days=offset)) for offset in range(days)]
        for component_id in component_ids
    }
    for span in spans:
        if span.component_id not in history:
            continue
        end = min(span.end or now, now)
        if end <= span.start:
            continue
        start_day = span.start.astimezone(datetime.UTC).date()
        # The end is exclusive: a span ending at midnight does not touch the next day.
        end_day = (end.astimezone(datetime.UTC) - datetime.timedelta(microseconds=1)).date()
        for offset in range(max((start_day - first).days, 0), min((end_day - first).days, days - 1) + 1):
            day = history[span.component_id][offset]
            day.state = worst([day.state, span.state])
            if span.label not in day.labels:
                day.labels.append(span.label)
    return history
