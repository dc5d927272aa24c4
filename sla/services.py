"""The SLA layer between the database and the plain-Python engine (sla/engine.py).

Loads calendars and policies, computes a case's deadlines, recomputes open cases when the rules change.
All SLA arithmetic happens in the engine; this module only feeds it.
"""

import datetime
import threading
from dataclasses import dataclass
from functools import lru_cache

from django.db import transaction
from django.db.models import Q

from sla import engine
from sla.models import AutoCloseRule, Calendar, Policy
from sla.presets import preset_install
from tenants.models import Tier
from tickets.models import Case, CaseEvent, Status

# Closed dates from holiday lists are loaded for these years: cases are received in them.
HOLIDAY_YEARS = range(2000, 2061)
RECOMPUTE_BATCH_SIZE = 500

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


def case_deadlines_apply(*, case, policies: dict | None = None) -> bool:
    """Set the case's first-response deadline and at-risk instant from its tier, validated severity and
    received time. Does not save. Returns whether anything changed.

    `policies` maps (tier_id, severity) to a Policy, for callers working through many cases.
    """
    tier_id = case.contract.tier_id if case.contract_id else None
    if policies is not None:
        policy = policies.get((tier_id, case.severity))
    else:
        policy = policy_for(tier=case.contract.tier, severity=case.severity) if tier_id else None
    if policy is None:
        due = at_risk_at = None
    else:
        deadline = first_response_deadline(policy=policy, received_at=case.received_at)
        due, at_risk_at = deadline.due, deadline.at_risk_at
    changed = (case.first_response_due, case.first_response_at_risk_at) != (due, at_risk_at)
    case.first_response_due, case.first_response_at_risk_at = due, at_risk_at
    return changed


def sla_recompute_open_cases(
    *,
    calendar_ids: list[int] = (),
    policy_ids: list[int] = (),
    tier_ids: list[int] = (),
    contract_ids: list[int] = (),
    batch_size: int = RECOMPUTE_BATCH_SIZE,
) -> int:
    """Give new deadlines to the cases still waiting for a first response whose rules changed.

    A case depends on the policy of its contract's tier and its validated severity, and on that policy's
    calendar. Works in batches, each in its own transaction with its rows locked, so a worker that dies
    leaves every case either untouched or fully recomputed, and running it twice changes nothing more.
    Returns the number of cases whose deadline moved.
    """
    pairs = set(
        Policy.objects.filter(Q(pk__in=policy_ids) | Q(calendar_id__in=calendar_ids)).values_list(
            "tier_id", "severity"
        )
    )
    depends = Q(contract_id__in=contract_ids) | Q(contract__tier_id__in=tier_ids)
    for tier_id, severity in pairs:
        depends |= Q(contract__tier_id=tier_id, severity=severity)
    waiting = Case.objects.filter(depends, first_responded_at__isnull=True).exclude(status=Status.CLOSED)

    policies = {(p.tier_id, p.severity): p for p in Policy.objects.select_related("calendar")}
    moved = 0
    last_pk = 0
    while True:
        with transaction.atomic():
            batch = list(
                waiting.filter(pk__gt=last_pk)
                .select_related("contract")
                .select_for_update(of=("self",))
                .order_by("pk")[:batch_size]
            )
            if not batch:
                return moved
            last_pk = batch[-1].pk
            changed, events = [], []
            for case in batch:
                before = case.first_response_due
                if case_deadlines_apply(case=case, policies=policies):
                    changed.append(case)
                    events.append(
                        CaseEvent(
                            case=case,
                            kind="first_response_due_changed",
                            data={
                                "from": before.isoformat() if before else None,
                                "to": case.first_response_due.isoformat()
                                if case.first_response_due
                                else None,
                                "why": "SLA rules changed",
                            },
                        )
                    )
            Case.objects.bulk_update(changed, ["first_response_due", "first_response_at_risk_at"])
            CaseEvent.objects.bulk_create(events)
            moved += len(changed)


def sla_recompute_schedule(
    *,
    calendar_ids: list[int] = (),
    policy_ids: list[int] = (),
    tier_ids: list[int] = (),
    contract_ids: list[int] = (),
) -> None:
    """Recompute affected open cases in the background, once the change that calls for it has committed."""
    from sla.tasks import recompute_deadlines

    arguments = {
        "calendar_ids": list(calendar_ids),
        "policy_ids": list(policy_ids),
        "tier_ids": list(tier_ids),
        "contract_ids": list(contract_ids),
    }
    transaction.on_commit(lambda: recompute_deadlines.delay(**arguments))


@transaction.atomic
def sla_preset_load(*, name: str) -> None:
    """Install an SLA preset (sla/presets.py) and recompute the open cases of its tiers."""
    preset_install(name=name, Tier=Tier, Calendar=Calendar, Policy=Policy, AutoCloseRule=AutoCloseRule)
    from sla.presets import PRESETS

    tier_slugs = set(PRESETS[name]["policies"])
    sla_recompute_schedule(
        tier_ids=list(Tier.objects.filter(slug__in=tier_slugs).values_list("pk", flat=True))
    )
