"""Every figure of the dashboards equals a plain recount over the same cases.

Generated data (demo.dataset: about three years of cases, so daylight-saving changes and US holidays in
every year) plus hand-filed Standard cases around Thanksgiving and the November daylight-saving change, whose
open-time figures domain.md gives. The recount reads each case in Python: its day in Denver, its SLA state
(Case.sla_state_at, breached counted as missed) and its first-response open time from sla/'s calendar.
"""

import datetime
import io
import math
from collections import Counter, defaultdict
from zoneinfo import ZoneInfo

import pytest

from dashboards.models import CaseFigure
from dashboards.selectors import DashboardFilters, Period, dashboard, period_last
from dashboards.services import figures_refresh
from demo.dataset import dataset_generate
from sla.models import Policy
from sla.services import calendar_engine
from tenants.models import Contract, Tier
from tenants.signals import contract_tier_changed_announce
from tests.tickets.helpers import file_case
from tickets.models import Case, ResponseKind, SlaState
from tickets.services import ticket_reply

DENVER = ZoneInfo("America/Denver")
NOW = datetime.datetime(2026, 11, 30, 18, 0, tzinfo=datetime.UTC)  # Monday 11:00 in Denver


def denver(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=DENVER)


@pytest.fixture
def cases(demo):
    dataset_generate(cases=1500, accounts=40, open_share=0.05, now=NOW, stream=io.StringIO())
    # domain.md's worked example: Sev 1 received the day before Thanksgiving at 15:00, due Friday 11:00;
    # answered Friday 10:00: 2 h on Wednesday, Thursday closed, 1 h on Friday = 3 h of open time, met.
    thanksgiving = file_case("alice@acme.test", "Acme", severity=1, received_at=denver(2026, 11, 25, 15, 0))
    assert thanksgiving.first_response_due == denver(2026, 11, 27, 11, 0)
    ticket_reply(
        case=thanksgiving, author=demo["engineer"], body="Looking.", kind=ResponseKind.ANSWER,
        now=denver(2026, 11, 27, 10, 0),
    )  # fmt: skip
    # Received on the night the clocks go back (Sunday 1 November), answered Monday 10:30: 1.5 h, met.
    dst = file_case(
        "alice@acme.test",
        "Acme",
        severity=1,
        received_at=datetime.datetime(2026, 11, 1, 8, 30, tzinfo=datetime.UTC),
    )
    ticket_reply(
        case=dst,
        author=demo["engineer"],
        body="On it.",
        kind=ResponseKind.ANSWER,
        now=denver(2026, 11, 2, 10, 30),
    )
    figures_refresh(now=NOW)
    return {"thanksgiving": thanksgiving, "dst": dst}


def _outcome(case: Case) -> str:
    state = case.sla_state_at(NOW)
    return {SlaState.MET: "met", SlaState.MISSED: "missed", SlaState.BREACHED: "missed"}.get(state, "")


def _percentile(values: list[int], share: float) -> int | None:
    """percentile_disc: the smallest value with at least `share` of the values at or below it."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def _recount(period: Period, keep=lambda case: True) -> dict:
    calendars = {
        (p.tier_id, p.severity): calendar_engine(p.calendar)
        for p in Policy.objects.select_related("calendar")
    }
    result = {"grid": defaultdict(Counter), "seconds": defaultdict(list), "days": defaultdict(Counter),
              "engineers": defaultdict(Counter), "engineer_seconds": defaultdict(list),
              "breaches": defaultdict(Counter), "closes": Counter()}  # fmt: skip
    for case in Case.objects.select_related("contract"):
        if not keep(case):
            continue
        closed_day = case.closed_at.astimezone(DENVER).date() if case.closed_at else None
        if closed_day and period.start <= closed_day <= period.end:
            result["closes"][case.close_reason] += 1
        day = case.received_at.astimezone(DENVER).date()
        if not period.start <= day <= period.end:
            continue
        tier = case.contract.tier_id if case.contract else None
        key = (tier, case.severity)
        outcome = _outcome(case)
        result["grid"][key]["received"] += 1
        if outcome:
            result["grid"][key][outcome] += 1
        result["days"][day][case.channel] += 1
        result["days"][day][f"sev{case.severity}"] += 1
        if case.first_responded_at:
            calendar = calendars.get(key)
            spent = calendar.open_time_between(case.received_at, case.first_responded_at)
            result["seconds"][key].append(int(spent.total_seconds()))
            if case.assignee_id:
                result["engineer_seconds"][case.assignee_id].append(int(spent.total_seconds()))
        if case.assignee_id:
            result["engineers"][case.assignee_id]["received"] += 1
        if outcome == "missed":
            for by, value in [("tier", tier), ("severity", case.severity), ("account", case.account_id),
                              ("engineer", case.assignee_id)]:  # fmt: skip
                result["breaches"][by][value] += 1
    return result


def _compare(board, recount) -> None:
    grid = {(tier.pk if tier else None, sev): cell for tier, cells in board.tiers for sev, cell, _ in cells}
    assert set(grid) == set(recount["grid"])
    for key, counts in recount["grid"].items():
        cell = grid[key]
        assert (cell.received, cell.met, cell.missed) == (
            counts["received"],
            counts["met"],
            counts["missed"],
        ), key
        assert cell.median == _percentile(recount["seconds"][key], 0.5), key
        assert cell.p90 == _percentile(recount["seconds"][key], 0.9), key
    every = [s for values in recount["seconds"].values() for s in values]
    assert board.total.received == sum(c["received"] for c in recount["grid"].values())
    assert board.total.median == _percentile(every, 0.5)
    assert board.total.p90 == _percentile(every, 0.9)
    for day, total, channels, severities in board.volume_days:
        counts = recount["days"].get(day, Counter())
        assert total == sum(n for k, n in counts.items() if not k.startswith("sev")), day
        assert {k: n for k, n in channels.items() if n} == {
            k: n for k, n in counts.items() if not k.startswith("sev") and n
        }
        assert {f"sev{k}": n for k, n in severities.items() if n} == {
            k: n for k, n in counts.items() if k.startswith("sev")
        }
    trend_met = sum(cell.met for _, cell in board.trend)
    assert trend_met == sum(c["met"] for c in recount["grid"].values())
    assert sum(cell.missed for _, cell in board.trend) == sum(c["missed"] for c in recount["grid"].values())
    engineers = {person.pk: cell for person, cell in board.engineers}
    assert {pk: cell.received for pk, cell in engineers.items()} == {
        pk: c["received"] for pk, c in recount["engineers"].items()
    }
    for pk, cell in engineers.items():
        assert cell.median == _percentile(recount["engineer_seconds"][pk], 0.5)
    assert sum(n for _l, n, _p, _v in board.breaches_by["tier"]) == sum(recount["breaches"]["tier"].values())
    assert sorted(n for _l, n, _p, _v in board.breaches_by["account"]) == sorted(
        recount["breaches"]["account"].values()
    )
    assert sorted(n for _l, n, _p, _v in board.breaches_by["engineer"]) == sorted(
        recount["breaches"]["engineer"].values()
    )
    assert {reason: n for reason, _label, n, _auto in board.closes if n} == dict(recount["closes"])


def test_the_whole_year_equals_a_recount(cases):
    period = Period(start=datetime.date(2025, 12, 1), end=datetime.date(2026, 11, 30))
    board = dashboard(period=period, filters=DashboardFilters(), now=NOW)
    assert board.trend_by == "week"
    assert board.total.received > 300
    assert board.total.met and board.total.missed
    _compare(board, _recount(period))


def test_the_last_30_days_equal_a_recount_with_the_hand_filed_cases(cases):
    period = period_last(30, now=NOW)
    board = dashboard(period=period, filters=DashboardFilters(), now=NOW)
    assert len(board.trend) <= 30
    _compare(board, _recount(period))
    thanksgiving = CaseFigure.objects.get(case=cases["thanksgiving"])
    assert (thanksgiving.day, thanksgiving.outcome, thanksgiving.response_seconds) == (
        datetime.date(2026, 11, 25), "met", 3 * 3600,
    )  # fmt: skip
    # 01:30 MST on the night of the change, a Sunday: open at Monday 09:00, answered 10:30.
    dst = CaseFigure.objects.get(case=cases["dst"])
    assert (dst.day, dst.response_seconds) == (datetime.date(2026, 11, 1), 90 * 60)


def test_filters_give_the_recount_of_the_cases_they_name(cases):
    period = period_last(90, now=NOW)
    standard = Tier.objects.get(slug="standard")
    board = dashboard(period=period, filters=DashboardFilters(tier_id=standard.pk, severity=1), now=NOW)
    _compare(
        board,
        _recount(period, lambda c: c.contract_id and c.contract.tier_id == standard.pk and c.severity == 1),
    )
    busiest = Counter(Case.objects.values_list("account_id", flat=True)).most_common(1)[0][0]
    board = dashboard(period=period, filters=DashboardFilters(account_id=busiest), now=NOW)
    _compare(board, _recount(period, lambda c: c.account_id == busiest))


def test_the_figures_follow_changes_and_the_clock(cases, demo):
    waiting = Case.objects.filter(
        first_responded_at__isnull=True, closed_at__isnull=True, first_response_due__gt=NOW
    ).first()
    assert CaseFigure.objects.get(case=waiting).outcome == "pending"
    later = waiting.first_response_due + datetime.timedelta(minutes=1)
    figures_refresh(now=later)
    assert CaseFigure.objects.get(case=waiting).outcome == "missed"

    other = Case.objects.filter(
        first_responded_at__isnull=True, closed_at__isnull=True, first_response_due__gt=later
    ).first()
    ticket_reply(case=other, author=demo["engineer"], body="Here.", kind=ResponseKind.ANSWER, now=later)
    figures_refresh(now=later)
    figure = CaseFigure.objects.get(case=other)
    assert figure.outcome == "met" and figure.response_seconds is not None
    assert CaseFigure.objects.count() == Case.objects.count()


def test_beat_keeps_the_figures_current_every_minute(demo):
    from dashboards.tasks import refresh_figures
    from supportdesk.celery import app

    entry = app.conf.beat_schedule["dashboards-refresh"]
    assert (entry["task"], entry["schedule"]) == ("dashboards.tasks.refresh_figures", 60.0)
    first = file_case("bob@acme.test", "Acme", severity=3, subject="The first one")
    refresh_figures.apply()
    later = file_case("bob@acme.test", "Acme", severity=3, subject="A new one")
    assert not CaseFigure.objects.filter(case=later).exists()
    refresh_figures.apply()
    assert CaseFigure.objects.get(case=first).outcome == "pending"
    assert CaseFigure.objects.get(case=later).outcome == "pending"


def _busiest_contract_in(period: Period, tier: Tier) -> Contract:
    received = [
        case.contract_id
        for case in Case.objects.filter(contract__tier=tier)
        if period.start <= case.received_at.astimezone(DENVER).date() <= period.end
    ]
    return Contract.objects.get(pk=Counter(received).most_common(1)[0][0])


def test_a_contract_moved_to_another_tier_moves_its_figures_at_the_next_pass(cases):
    period = period_last(90, now=NOW)
    standard, premium = Tier.objects.get(slug="standard"), Tier.objects.get(slug="premium")
    contract = _busiest_contract_in(period, standard)
    moved = sum(
        1
        for case in contract.cases.all()
        if period.start <= case.received_at.astimezone(DENVER).date() <= period.end
    )
    premium_filter = DashboardFilters(tier_id=premium.pk)
    before = dashboard(period=period, filters=premium_filter, now=NOW).total.received

    contract.tier = premium
    contract.save()  # however it is saved (a script, the shell): no case is touched
    assert dashboard(period=period, filters=premium_filter, now=NOW).total.received == before
    figures_refresh(now=NOW)

    assert dashboard(period=period, filters=premium_filter, now=NOW).total.received == before + moved
    _compare(dashboard(period=period, filters=premium_filter, now=NOW),
             _recount(period, lambda c: c.contract_id and c.contract.tier_id == premium.pk))  # fmt: skip
    _compare(dashboard(period=period, filters=DashboardFilters(), now=NOW), _recount(period))


def test_the_admin_announcing_a_tier_change_moves_the_figures_too(cases, committed):
    period = period_last(90, now=NOW)
    standard, premium = Tier.objects.get(slug="standard"), Tier.objects.get(slug="premium")
    contract = _busiest_contract_in(period, standard)
    with committed():
        Contract.objects.filter(pk=contract.pk).update(tier=premium)  # no save(): only the announcement
        contract_tier_changed_announce(contract_ids=[contract.pk])
    figures_refresh(now=NOW)
    assert set(CaseFigure.objects.filter(case__contract=contract).values_list("tier_id", flat=True)) == {
        premium.pk
    }
    _compare(dashboard(period=period, filters=DashboardFilters(), now=NOW), _recount(period))


def test_the_live_figures_equal_a_recount_of_the_open_cases(cases):
    """Unfiltered, the backlog, escalations and at-risk count are read from tickets' indexes of open cases;
    filtered, from the open cases' rows: both equal a count of the open cases in Python."""
    from dashboards.selectors import AGE_BUCKETS, AT_RISK_WITHIN

    period = period_last(30, now=NOW)
    open_cases = [case for case in Case.objects.all() if case.status != "closed"]
    assert open_cases
    for filters, keep in [
        (DashboardFilters(), lambda case: True),
        (DashboardFilters(severity=2), lambda case: case.severity == 2),
    ]:
        board = dashboard(period=period, filters=filters, now=NOW)
        kept = [case for case in open_cases if keep(case)]
        assert dict((status, n) for status, _label, n in board.backlog_status) == {
            status: sum(1 for case in kept if case.status == status)
            for status in ["new", "open", "waiting_on_customer", "solution_proposed"]
        }
        ages = [
            sum(
                1
                for case in kept
                if case.received_at <= NOW - datetime.timedelta(days=low)
                and (high is None or case.received_at > NOW - datetime.timedelta(days=high))
            )
            for _label, low, high in AGE_BUCKETS
        ]
        assert [n for _label, n in board.backlog_age] == ages
        assert sum(ages) == len(kept)
        assert board.escalations_open == sum(1 for case in kept if case.escalated_at)
        assert board.at_risk_count == sum(
            1
            for case in kept
            if case.first_responded_at is None and NOW < case.first_response_due <= NOW + AT_RISK_WITHIN
        )
