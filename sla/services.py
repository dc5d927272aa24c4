"""The SLA layer between the database and the plain-Python engine (sla/engine.py).

Loads calendars and policies and computes deadlines for a tier, a severity and an instant. It knows no cases:
when its rules change it announces it (sla.signals.rules_changed) and tickets/ recomputes the cases it owns.
All SLA arithmetic happens in the engine; this module only feeds it.
"""

import datetime
import threading
from dataclasses import dataclass
from functools import lru_cache

from django.db import transaction

from sla import engine
from sla.models import AutoCloseRule, Calendar, Policy
from sla.presets import CHAT_HOURS, preset_install
from sla.signals import rules_changed_announce
from tenants.models import Tier

# Closed dates from holiday lists are loaded for these years: cases are received in them.
HOLIDAY_YEARS = range(2000, 2061)

_cache_lock = threading.Lock()
_calendars: dict[int, tuple[tuple, engine.Calendar]] = {}
_business_days: dict[int, tuple[tuple, engine.BusinessDayCalendar]] = {}


class AutoCloseKind:
    UNCONFIRMED = "unconfirmed"  # a proposed solution nobody confirmed
    NO_RESPONSE = "no_response"  # a request for information nobody answered


@lru_cache(maxsize=32)
def _holidays(country: str, subdivision: str) -> frozenset[datetime.date]:
    return frozenset(
        engine.holiday_dates(country=country, subdivision=subdivision or None, years=HOLIDAY_YEARS)
    )


def _closed_dates(calendar: Calendar) -> set[datetime.date]:
    dates = set(calendar.closed_dates.values_list("date", flat=True))
    if calendar.holiday_country:
        dates |= _holidays(calendar.holiday_country, calendar.holiday_subdivision)
    return dates


def _version(calendar: Calendar) -> tuple:
    # Every edit through the admin saves the calendar row, so its timestamp tells a stale copy in any process.
    return (calendar.updated_at, calendar.time_zone, calendar.weekly_hours, calendar.holiday_country)


def calendar_engine(calendar: Calendar) -> engine.Calendar:
    """The engine's calendar for a calendar row: built once per version, then kept."""
    cached = _calendars.get(calendar.pk)
    if cached and cached[0] == _version(calendar):
        return cached[1]
    built = engine.Calendar(
        time_zone=calendar.time_zone,
        weekly=engine.parse_weekly(calendar.weekly_hours),
        closed_dates=_closed_dates(calendar),
    )
    with _cache_lock:
        _calendars[calendar.pk] = (_version(calendar), built)
    return built


def business_days_engine(calendar: Calendar) -> engine.BusinessDayCalendar:
    cached = _business_days.get(calendar.pk)
    if cached and cached[0] == _version(calendar):
        return cached[1]
    built = engine.BusinessDayCalendar(time_zone=calendar.time_zone, closed_dates=_closed_dates(calendar))
    with _cache_lock:
        _business_days[calendar.pk] = (_version(calendar), built)
    return built


@dataclass(frozen=True)
class FirstResponseDeadline:
    due: datetime.datetime
    at_risk_at: datetime.datetime
    policy: Policy


def policy_for(*, tier: Tier | None, severity: int) -> Policy | None:
    if tier is None:
        return None
    return Policy.objects.select_related("calendar").filter(tier=tier, severity=severity).first()


def first_response_deadline(*, policy: Policy, received_at: datetime.datetime) -> FirstResponseDeadline:
    """When the first response is due, and when the case turns at risk (¾ of the target's open time used)."""
    calendar = calendar_engine(policy.calendar)
    if policy.next_business_day:
        due = calendar.next_business_day_close(received_at)
        target = calendar.open_time_between(calendar.next_opening(received_at), due)
    else:
        target = datetime.timedelta(minutes=policy.target_minutes)
        due = calendar.add_open_time(received_at, target)
    at_risk_at = calendar.add_open_time(received_at, target * 3 // 4)
    return FirstResponseDeadline(due=due, at_risk_at=at_risk_at, policy=policy)


def auto_close_at(*, tier: Tier, kind: str, waiting_since: datetime.datetime) -> datetime.datetime | None:
    """When a case waiting on the customer since `waiting_since` closes by itself (domain.md §6)."""
    rule = AutoCloseRule.objects.select_related("business_days").filter(tier=tier).first()
    if rule is None:
        return None
    days = rule.unconfirmed_after_days if kind == AutoCloseKind.UNCONFIRMED else rule.no_response_after_days
    return business_days_engine(rule.business_days).add_business_days(waiting_since, days)


def auto_close_reminder_at(*, tier: Tier, closes_at: datetime.datetime | None) -> datetime.datetime | None:
    """When the contact of a case that closes by itself at `closes_at` is reminded (domain.md §6): the
    rule's `reminder_days_before` business days earlier, at the same local wall-clock time of its
    business-day calendar (closes Thu 2026-12-10 10:00 America/Denver → reminded Tue 2026-12-08 10:00)."""
    if closes_at is None:
        return None
    rule = AutoCloseRule.objects.select_related("business_days").filter(tier=tier).first()
    if rule is None:
        return None
    calendar = business_days_engine(rule.business_days)
    local = closes_at.astimezone(calendar.tz)
    day, remaining, run = local.date(), rule.reminder_days_before, 0
    while remaining:
        day -= datetime.timedelta(days=1)
        if calendar.is_business_day(day):
            remaining, run = remaining - 1, 0
        else:
            run += 1  # bounds the search for a calendar closed all year
            if run > engine.MAX_CLOSED_DAYS:
                raise ValueError(f"no business day in {engine.MAX_CLOSED_DAYS} days before {day}")
    wall = datetime.datetime.combine(day, local.time().replace(fold=0), tzinfo=calendar.tz)
    # Through UTC, so a wall time in a daylight-saving gap comes back real (as add_business_days does).
    return wall.astimezone(datetime.UTC).astimezone(calendar.tz)


@transaction.atomic
def sla_preset_load(*, name: str) -> None:
    """Install an SLA preset (sla/presets.py) and announce, once committed, that its tiers' rules changed."""
    preset_install(name=name, Tier=Tier, Calendar=Calendar, Policy=Policy, AutoCloseRule=AutoCloseRule)
    from sla.presets import PRESETS

    tier_slugs = set(PRESETS[name]["policies"])
    rules_changed_announce(
        tier_ids=list(Tier.objects.filter(slug__in=tier_slugs).values_list("pk", flat=True))
    )


# Chat is staffed in these hours only (domain.md §8): the calendar arithmetic, like every other, lives here.
_chat_calendar = engine.Calendar(
    time_zone=CHAT_HOURS["time_zone"], weekly=engine.parse_weekly(CHAT_HOURS["weekly_hours"])
)
CHAT_HOURS_LABEL = (
    f"{CHAT_HOURS['weekly_hours'].replace('-', '–')} {CHAT_HOURS['time_zone'].replace('_', ' ')}"
)


def chat_is_open(*, now: datetime.datetime) -> bool:
    """Whether chat is staffed at `now` (sla.presets.CHAT_HOURS)."""
    return _chat_calendar.is_open(now)
