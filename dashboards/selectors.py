"""The figures of the SLA dashboards and of the MSP report.

Period figures are sums over dashboards.models.CaseFigure (one narrow, precomputed row per case, by the day it
was received in the reporting time zone), aggregated in SQL: from CaseFigure's covering indexes when an
account, organization or engineer narrows the period, else from its daily roll-ups (DayCount, CloseCount, and
the ResponseCount histogram that locates each percentile's exact value). The few live ones (at risk now,
backlog, escalations open) read the open cases, which the queue's partial indexes keep cheap.

Definitions (docs/decisions.md, "SLA dashboards"):
- attainment = met / (met + missed); a case still waiting with its deadline ahead counts in neither;
- a breach is a case whose first response missed its deadline (answered late, closed unanswered late, or
  still unanswered past it);
- response times are the open time of the case's policy calendar from received to the first public
  response; median and 90th percentile are PostgreSQL's percentile_disc (a real case's value: the smallest
  one at or above that share of the sorted times).
"""

import datetime
import math
from dataclasses import dataclass, field

from django.contrib.postgres.fields import ArrayField
from django.db import connection, transaction
from django.db.models import Aggregate, Count, FloatField, Q, QuerySet, Sum
from django.utils import timezone

from dashboards.models import CaseFigure, CloseCount, DayCount, Outcome, ResponseCount
from dashboards.services import REPORT_TIME_ZONE, RESPONSE_BUCKETS, figures_refreshed_at
from sla.models import Policy
from tenants.models import Account, Tier, User
from tickets.models import Case, Channel, CloseReason, Status
from tickets.scope import Scope

AT_RISK_WITHIN = datetime.timedelta(hours=1)
AGE_BUCKETS = [  # (label, lower bound in days, upper bound in days or None)
    ("under 1 day", 0, 1),
    ("1–3 days", 1, 3),
    ("3–7 days", 3, 7),
    ("7–30 days", 7, 30),
    ("30 days or more", 30, None),
]
AUTO_CLOSE_REASONS = (CloseReason.UNCONFIRMED, CloseReason.NO_RESPONSE)


class Percentile(Aggregate):
    function = "percentile_disc"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()

    def __init__(self, expression, fraction: float, **extra):
        super().__init__(expression, fraction=float(fraction), **extra)


class MedianAndP90(Aggregate):
    """[median, 90th percentile] from one sort (two percentile_disc calls would sort twice)."""

    function = "percentile_disc"
    template = "%(function)s(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = ArrayField(FloatField())


@dataclass(frozen=True)
class Period:
    start: datetime.date  # inclusive, days in REPORT_TIME_ZONE
    end: datetime.date  # inclusive

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def starts_at(self) -> datetime.datetime:
        return datetime.datetime.combine(self.start, datetime.time(), tzinfo=REPORT_TIME_ZONE)

    def ends_before(self) -> datetime.datetime:
        return datetime.datetime.combine(
            self.end + datetime.timedelta(days=1), datetime.time(), tzinfo=REPORT_TIME_ZONE
        )


def period_last(days: int, *, now: datetime.datetime | None = None) -> Period:
    today = (now or timezone.now()).astimezone(REPORT_TIME_ZONE).date()
    return Period(start=today - datetime.timedelta(days=days - 1), end=today)


@dataclass(frozen=True)
class DashboardFilters:
    tier_id: int | None = None
    severity: int | None = None
    account_id: int | None = None
    organization_id: int | None = None
    assignee_id: int | None = None

    def figure_q(self) -> Q:
        q = Q()
        for name, value in [
            ("tier_id", self.tier_id),
            ("severity", self.severity),
            ("account_id", self.account_id),
            ("organization_id", self.organization_id),
            ("assignee_id", self.assignee_id),
        ]:
            if value:
                q &= Q(**{name: value})
        return q

    def case_q(self) -> Q:
        q = Q()
        for name, value in [
            ("contract__tier_id", self.tier_id),
            ("severity", self.severity),
            ("account_id", self.account_id),
            ("organization_id", self.organization_id),
            ("assignee_id", self.assignee_id),
        ]:
            if value:
                q &= Q(**{name: value})
        return q


def _rate(met: int, missed: int) -> float | None:
    return round(100 * met / (met + missed), 1) if met + missed else None


@dataclass
class Cell:
    """Counts of one group of cases: received, met, missed, breaches and response-time percentiles."""

    received: int = 0
    met: int = 0
    missed: int = 0
    responded: int = 0
    median: float | None = None
    p90: float | None = None

    @property
    def attainment(self) -> float | None:
        return _rate(self.met, self.missed)

    @property
    def median_minutes(self) -> int | None:
        return None if self.median is None else int(self.median // 60)

    @property
    def p90_minutes(self) -> int | None:
        return None if self.p90 is None else int(self.p90 // 60)


# Counted on `day` (never null) rather than the primary key, which no covering index holds: counting `case_id`
# would read every row from the table instead of from the index alone.
COUNTS = {
    "received": Count("day"),
    "met": Count("day", filter=Q(outcome=Outcome.MET)),
    "missed": Count("day", filter=Q(outcome=Outcome.MISSED)),
    "responded": Count("response_seconds"),
}
PERCENTILES = {"percentiles": MedianAndP90("response_seconds")}


def _cell(row: dict) -> Cell:
    median, p90 = row.get("percentiles") or (row.get("median"), None)
    return Cell(
        received=row.get("received") or 0,
        met=row.get("met") or 0,
        missed=row.get("missed") or 0,
        responded=row.get("responded") or 0,
        median=median,
        p90=p90,
    )


def figures_in(*, period: Period, filters: DashboardFilters) -> QuerySet[CaseFigure]:
    return CaseFigure.objects.filter(filters.figure_q(), day__gte=period.start, day__lte=period.end)


@dataclass
class Dashboard:
    period: Period
    filters: DashboardFilters
    now: datetime.datetime
    refreshed_at: datetime.datetime | None
    total: Cell = field(default_factory=Cell)
    tiers: list = field(default_factory=list)  # [(tier, [(severity, Cell, target text)])]
    trend: list = field(default_factory=list)  # [(first day, Cell)]
    trend_by: str = "day"
    breaches_by: dict = field(default_factory=dict)  # name -> [(label, count, query)]
    breach_list: list = field(default_factory=list)
    at_risk: list = field(default_factory=list)
    at_risk_count: int = 0
    backlog_status: list = field(default_factory=list)  # [(status, label, count)]
    backlog_age: list = field(default_factory=list)  # [(label, count)]
    escalations_open: int = 0
    closes: list = field(default_factory=list)  # [(reason, label, count, automatic)]
    volume_days: list = field(default_factory=list)  # [(day, total, {channel: n}, {severity: n})]
    engineers: list = field(default_factory=list)  # [(user, Cell)]


def _target_text(policy: Policy | None) -> str:
    if policy is None:
        return "—"
    if policy.next_business_day:
        return "next business day"
    minutes = policy.target_minutes or 0
    return (
        f"{minutes // 60} h" + (f" {minutes % 60} m" if minutes % 60 else "")
        if minutes >= 60
        else f"{minutes} m"
    )


def dashboard(
    *,
    period: Period,
    filters: DashboardFilters,
    now: datetime.datetime | None = None,
    top: int | None = None,
) -> Dashboard:
    """Every section of /dashboards/ for a period and filters (staff only: the caller checks the role).

    `top`: name only the accounts among the first `top` of the breaches by account (a page shows ten; the
    CSV, None, every one): naming 7,000 accounts to show ten is most of the work."""
    with transaction.atomic(), connection.cursor() as cursor:
        # A narrow filter's percentiles sort its rows (25,000 for the busiest account over 90 days): enough
        # memory to sort them in memory rather than on disk, for these statements only.
        cursor.execute("SET LOCAL work_mem = '64MB'")
        return _dashboard(period=period, filters=filters, now=now, top=top)


def _dashboard(
    *, period: Period, filters: DashboardFilters, now: datetime.datetime | None, top: int | None
) -> Dashboard:
    now = now or timezone.now()
    board = Dashboard(period=period, filters=filters, now=now, refreshed_at=figures_refreshed_at())
    rows = figures_in(period=period, filters=filters)
    # An account, organization or engineer narrows the period to few rows: aggregate them. Otherwise (a
    # period's 150,000 rows at a million cases) read the daily roll-ups, which only know tier and severity.
    narrow = bool(filters.account_id or filters.organization_id or filters.assignee_id)

    # Attainment and response times by tier × severity, and in total.
    tiers = {tier.pk: tier for tier in Tier.objects.all()}
    policies = {(p.tier_id, p.severity): p for p in Policy.objects.all()}
    if narrow:
        grid: dict = {}
        for row in rows.values("tier_id", "severity").annotate(**COUNTS, **PERCENTILES).order_by():
            grid.setdefault(row["tier_id"], {})[row["severity"]] = _cell(row)
        board.total = _cell(rows.aggregate(**PERCENTILES))
    else:
        grid, board.total = _grid_from_rollups(period=period, filters=filters)
    order = sorted(grid, key=lambda t: (tiers[t].rank, tiers[t].name) if t in tiers else (-1, ""))
    for tier_id in order:
        board.tiers.append(
            (
                tiers.get(tier_id),
                [
                    (severity, cell, _target_text(policies.get((tier_id, severity))))
                    for severity, cell in sorted(grid[tier_id].items())
                ],
            )
        )
    cells = [cell for by_severity in grid.values() for cell in by_severity.values()]
    for name in ("received", "met", "missed", "responded"):
        setattr(board.total, name, sum(getattr(cell, name) for cell in cells))

    # Breaches: counts by tier, severity, account and engineer (one scan of the missed ones), the latest.
    missed = rows.filter(outcome=Outcome.MISSED)
    by = _breach_counts(missed)
    accounts = dict(Account.objects.filter(pk__in=_first_keys(by["account"], top)).values_list("pk", "name"))
    if top is not None:
        by["account"] = {k: n for k, n in by["account"].items() if k in accounts}
    people = {u.pk: u for u in User.objects.filter(pk__in=[k for k in by["engineer"] if k])}
    board.breaches_by = {
        "tier": _ranked(by["tier"], lambda k: tiers[k].name if k in tiers else "No contract", "tier",
                        lambda k: tiers[k].slug if k in tiers else None),
        "severity": _ranked(by["severity"], lambda k: f"Severity {k}", "severity", lambda k: k),
        "account": _ranked(by["account"], lambda k: accounts.get(k, ""), "account", lambda k: k),
        "engineer": _ranked(
            by["engineer"], lambda k: people[k].display_name if k in people else "Unassigned", "assignee",
            lambda k: k if k else "none",
        ),
    }  # fmt: skip
    board.breach_list = list(
        Case.objects.filter(pk__in=missed.order_by("-day", "-case_id").values("case_id")[:25])
        .select_related("account", "organization", "assignee", "contract__tier")
        .order_by("-received_at", "-pk")
    )

    # Engineers: cases handled (received in the period, assigned to them) and their median first response.
    if narrow:
        engineers = (
            rows.filter(assignee__isnull=False)
            .values("assignee_id")
            .annotate(**COUNTS, median=Percentile("response_seconds", 0.5))
        )
        engineer_rows = {row["assignee_id"]: _cell(row) for row in engineers.order_by()}
    else:
        engineer_rows = _engineers_by_index(period=period, filters=filters)
    staff = {u.pk: u for u in User.objects.filter(pk__in=list(engineer_rows))}
    board.engineers = sorted(
        ((staff[pk], cell) for pk, cell in engineer_rows.items() if pk in staff),
        key=lambda item: (-item[1].received, item[0].display_name),
    )

    # Volume (received per day by channel and severity) and the attainment trend, from one grouped query:
    # the trend is per day up to 31 days, per week (from Monday) beyond.
    board.trend_by = "day" if period.days <= 31 else "week"
    days: dict = {}
    trend: dict = {}
    if narrow:
        grouped = rows.values("day", "channel", "severity").annotate(
            n=COUNTS["received"], met=COUNTS["met"], missed=COUNTS["missed"]
        )
    else:
        grouped = (
            DayCount.objects.filter(filters.figure_q(), day__gte=period.start, day__lte=period.end)
            .values("day", "channel", "severity")
            .annotate(n=Sum("received"), met=Sum("met"), missed=Sum("missed"))
        )
    for row in grouped.order_by():
        total_n, channels, severities = days.get(row["day"], (0, {}, {}))
        channels[row["channel"]] = channels.get(row["channel"], 0) + row["n"]
        severities[row["severity"]] = severities.get(row["severity"], 0) + row["n"]
        days[row["day"]] = (total_n + row["n"], channels, severities)
        bucket = (
            row["day"] if board.trend_by == "day" else row["day"] - datetime.timedelta(row["day"].weekday())
        )
        cell = trend.setdefault(bucket, Cell())
        cell.received += row["n"]
        cell.met += row["met"]
        cell.missed += row["missed"]
    board.trend = sorted(trend.items())
    board.volume_days = [
        (day, *days.get(day, (0, {}, {})))
        for day in (period.start + datetime.timedelta(days=i) for i in range(period.days))
    ]

    # Closes in the period by reason (the two auto-close reasons marked).
    if narrow:
        closes = (
            CaseFigure.objects.filter(
                filters.figure_q(), closed_day__gte=period.start, closed_day__lte=period.end
            )
            .values("close_reason")
            .annotate(n=Count("closed_day"))  # in the closed-day indexes, unlike the primary key
        )
    else:
        closes = (
            CloseCount.objects.filter(filters.figure_q(), day__gte=period.start, day__lte=period.end)
            .values("close_reason")
            .annotate(n=Sum("closed"))
        )
    counted = {row["close_reason"]: row["n"] for row in closes.order_by()}
    board.closes = [
        (reason.value, reason.label, counted.get(reason.value, 0), reason in AUTO_CLOSE_REASONS)
        for reason in CloseReason
    ]

    _live(board, filters=filters, now=now)
    return board


def _first_keys(counts: dict, top: int | None) -> list:
    """The keys among the first `top` counts, ties at the last place included (every key when None): the ones
    whose name can decide the order of the first `top`."""
    if top is None or len(counts) <= top:
        return [k for k in counts if k]
    least = sorted(counts.values(), reverse=True)[top - 1]
    return [k for k, n in counts.items() if k and n >= least]


# GROUPING() of (tier, severity, account, assignee) for each grouping set: the bits of the columns left out.
_BREACH_SETS = {0b0111: "tier", 0b1011: "severity", 0b1101: "account", 0b1110: "engineer"}


def _breach_counts(missed: QuerySet[CaseFigure]) -> dict:
    """{"tier": {tier id: n}, "severity": …, "account": …, "engineer": …} of these missed rows, read once."""
    sql, params = missed.values("tier_id", "severity", "account_id", "assignee_id").query.sql_with_params()
    by: dict = {name: {} for name in _BREACH_SETS.values()}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT GROUPING(tier_id, severity, account_id, assignee_id), tier_id, severity, account_id, "  # noqa: S608 (the ORM's SQL)
            f"assignee_id, count(*) FROM ({sql}) missed GROUP BY GROUPING SETS "
            "((tier_id), (severity), (account_id), (assignee_id))",
            params,
        )
        for grouping, tier_id, severity, account_id, assignee_id, n in cursor.fetchall():
            name = _BREACH_SETS[grouping]
            key = {"tier": tier_id, "severity": severity, "account": account_id, "engineer": assignee_id}[
                name
            ]
            by[name][key] = n
    return by


def _locate(histogram: dict, fraction: float) -> tuple[int, int] | None:
    """(bucket, rank within it from 0) of percentile_disc(fraction) over a histogram {bucket: count}: the
    value at position ceil(fraction × n) (from 1) of the sorted values, as PostgreSQL counts it."""
    total = sum(histogram.values())
    if not total:
        return None
    position = max(1, math.ceil(fraction * total))
    before = 0
    for bucket in sorted(histogram):
        if position <= before + histogram[bucket]:
            return bucket, position - before - 1
        before += histogram[bucket]
    raise AssertionError("unreachable: the position is within the total")


def _grid_from_rollups(*, period: Period, filters: DashboardFilters) -> tuple[dict, Cell]:
    """Counts and response-time percentiles by tier × severity, and the total's percentiles, from the daily
    roll-ups: the counts are sums; a percentile's bucket and rank come from the histogram, its exact value
    from one small read of CaseFigure (that bucket of the period's days, through an index ordered by
    response time within each day), so every figure equals percentile_disc over the period's rows."""
    in_period = Q(filters.figure_q(), day__gte=period.start, day__lte=period.end)
    grid: dict = {}
    for row in (
        DayCount.objects.filter(in_period)
        .values("tier_id", "severity")
        .annotate(received=Sum("received"), met=Sum("met"), missed=Sum("missed"), responded=Sum("responded"))
        .order_by()
    ):
        grid.setdefault(row["tier_id"], {})[row["severity"]] = _cell(row)
    histograms: dict = {}
    for tier_id, severity, bucket, n in (
        ResponseCount.objects.filter(in_period)
        .values_list("tier_id", "severity", "bucket")
        .annotate(n=Sum("responded"))
        .order_by()
    ):
        histograms.setdefault((tier_id, severity), {})[bucket] = n
    total_histogram: dict = {}
    for histogram in histograms.values():
        for bucket, n in histogram.items():
            total_histogram[bucket] = total_histogram.get(bucket, 0) + n

    days = [period.start + datetime.timedelta(days=i) for i in range(period.days)]
    probes = []  # (what, fraction, SQL, params)
    for (tier_id, severity), histogram in histograms.items():
        for fraction in (0.5, 0.9):
            probes.append(
                (
                    (tier_id, severity),
                    fraction,
                    *_probe_sql(histogram, fraction, days, tier_id, severity, True),
                )
            )
    for fraction in (0.5, 0.9):
        probes.append(
            (
                "total",
                fraction,
                *_probe_sql(total_histogram, fraction, days, filters.tier_id, filters.severity),
            )
        )
    found: dict = {}
    for what, fraction, sql, params in probes:
        if sql is not None and not sql:  # a bucket of one value (RESPONSE_BUCKETS): no need to read it
            found[(what, fraction)] = float(params[0])
    probes = [probe for probe in probes if probe[2]]
    if probes:
        with connection.cursor() as cursor:
            cursor.execute(
                " UNION ALL ".join(f"(SELECT {i}, ({sql}))" for i, (_w, _f, sql, _p) in enumerate(probes)),
                [param for _w, _f, _s, params in probes for param in params],
            )
            for i, value in cursor.fetchall():
                what, fraction = probes[i][0], probes[i][1]
                found[(what, fraction)] = float(value)
    for tier_id, by_severity in grid.items():
        for severity, cell in by_severity.items():
            cell.median = found.get(((tier_id, severity), 0.5))
            cell.p90 = found.get(((tier_id, severity), 0.9))
    return grid, Cell(median=found.get(("total", 0.5)), p90=found.get(("total", 0.9)))


def _probe_sql(
    histogram: dict,
    fraction: float,
    days: list,
    tier_id: int | None,
    severity: int | None,
    group: bool = False,
) -> tuple[str | None, list]:
    """The statement reading percentile_disc(fraction)'s exact value: the rank-th response time of its bucket
    among the period's rows of one tier × severity (`group`, a missing tier being "no contract"), or of those
    the filters keep. Each day is one range of an index ordered by response time (figure_group_day,
    figure_day), so it reads that bucket's rows only."""
    located = _locate(histogram, fraction)
    if located is None:
        return None, []
    bucket, rank = located
    if bucket < len(RESPONSE_BUCKETS) and RESPONSE_BUCKETS[bucket] - RESPONSE_BUCKETS[bucket - 1] == 1:
        return "", [RESPONSE_BUCKETS[bucket - 1]]
    conditions, params = [], []
    if group and tier_id is None:
        conditions.append("tier_id IS NULL")
    elif tier_id is not None:
        conditions.append("tier_id = %s")
        params.append(tier_id)
    if severity is not None:
        conditions.append("severity = %s")
        params.append(severity)
    conditions += ["day = ANY(%s::date[])", "response_seconds >= %s"]
    params += [days, RESPONSE_BUCKETS[bucket - 1]]
    if bucket < len(RESPONSE_BUCKETS):
        conditions.append("response_seconds < %s")
        params.append(RESPONSE_BUCKETS[bucket])
    sql = (
        f"SELECT response_seconds FROM dashboards_casefigure WHERE {' AND '.join(conditions)} "  # noqa: S608
        "ORDER BY response_seconds OFFSET %s LIMIT 1"
    )
    return sql, [*params, rank]


def _engineers_by_index(*, period: Period, filters: DashboardFilters) -> dict:
    """{assignee id: Cell} of the period (tier and severity filters only): each person who was ever assigned a
    case (a skip scan of figure_assignee_day) read from that index's range of the period alone, so the
    median sorts one person's rows at a time rather than the period's."""
    conditions, params = (
        ["f.assignee_id = people.id", "f.day >= %s", "f.day <= %s"],
        [period.start, period.end],
    )
    if filters.tier_id:
        conditions.append("f.tier_id = %s")
        params.append(filters.tier_id)
    if filters.severity:
        conditions.append("f.severity = %s")
        params.append(filters.severity)
    sql = f"""
        WITH RECURSIVE people(id) AS (
            SELECT min(assignee_id) FROM dashboards_casefigure
            UNION ALL
            SELECT (SELECT min(assignee_id) FROM dashboards_casefigure WHERE assignee_id > people.id)
            FROM people WHERE people.id IS NOT NULL
        )
        SELECT people.id, s.received, s.met, s.missed, s.responded, s.median
        FROM people CROSS JOIN LATERAL (
            SELECT count(*) AS received,
                   count(*) FILTER (WHERE f.outcome = 'met') AS met,
                   count(*) FILTER (WHERE f.outcome = 'missed') AS missed,
                   count(f.response_seconds) AS responded,
                   percentile_disc(0.5) WITHIN GROUP (ORDER BY f.response_seconds) AS median
            FROM dashboards_casefigure f WHERE {" AND ".join(conditions)}
        ) s
        WHERE people.id IS NOT NULL AND s.received > 0
    """  # noqa: S608 (conditions are ours, values are parameters)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {
            pk: Cell(received=received, met=met, missed=missed, responded=responded,
                     median=None if median is None else float(median))
            for pk, received, met, missed, responded, median in cursor.fetchall()
        }  # fmt: skip


def _ranked(counts: dict, label, param: str, value) -> list:
    return sorted(
        ((label(key), n, param, value(key)) for key, n in counts.items()),
        key=lambda item: (-item[1], item[0]),
    )


def _live(board: Dashboard, *, filters: DashboardFilters, now: datetime.datetime) -> None:
    """At risk now, the backlog and open escalations: counted on the open cases as they are."""
    open_cases = Case.objects.filter(filters.case_q()).exclude(status=Status.CLOSED)
    at_risk = open_cases.filter(
        first_responded_at__isnull=True,
        first_response_due__gt=now,
        first_response_due__lte=now + AT_RISK_WITHIN,
    )
    board.at_risk = list(
        at_risk.select_related("account", "organization", "assignee").order_by("first_response_due", "pk")[
            :20
        ]
    )
    if filters == DashboardFilters():
        totals = _live_counts_by_index(now=now)
    else:
        totals = open_cases.aggregate(**_live_counts(now=now))
    board.at_risk_count = totals["at_risk"]
    board.escalations_open = totals["escalated"]
    board.backlog_status = [
        (status.value, status.label, totals[f"status_{status.value}"])
        for status in Status
        if status != Status.CLOSED
    ]
    board.backlog_age = [(label, totals[f"age_{i}"]) for i, (label, _low, _high) in enumerate(AGE_BUCKETS)]


def _age_counts(*, now: datetime.datetime) -> dict:
    counts = {}
    for i, (_label, low, high) in enumerate(AGE_BUCKETS):
        condition = Q(received_at__lte=now - datetime.timedelta(days=low))
        if high is not None:
            condition &= Q(received_at__gt=now - datetime.timedelta(days=high))
        counts[f"age_{i}"] = Count("pk", filter=condition)
    return counts


def _at_risk_count(*, now: datetime.datetime) -> Count:
    return Count(
        "pk",
        filter=Q(
            first_responded_at__isnull=True,
            first_response_due__gt=now,
            first_response_due__lte=now + AT_RISK_WITHIN,
        ),
    )


def _live_counts(*, now: datetime.datetime) -> dict:
    """The live figures as aggregates of the open cases a filter keeps (one read of their rows)."""
    counts = {f"status_{status.value}": Count("pk", filter=Q(status=status)) for status in Status}
    del counts[f"status_{Status.CLOSED.value}"]
    counts.update(_age_counts(now=now))
    counts["escalated"] = Count("pk", filter=Q(escalated_at__isnull=False))
    counts["at_risk"] = _at_risk_count(now=now)
    return counts


def _live_counts_by_index(*, now: datetime.datetime) -> dict:
    """The same figures for all open cases (no filter), each from an index of tickets alone, without reading
    the 30,000 open rows of a million cases: statuses from `case_status_due`; ages and at risk from the
    queue's partial indexes of open cases (`queue_unanswered` and `queue_answered`: the open cases without
    and with a first response, so together every open case once); escalations from `queue_escalated`."""
    open_statuses = [status.value for status in Status if status != Status.CLOSED]
    totals = {f"status_{status}": 0 for status in open_statuses}
    for status, n in (
        Case.objects.filter(status__in=open_statuses)
        .values_list("status")
        .annotate(n=Count("status"))
        .order_by()
    ):
        totals[f"status_{status}"] = n
    open_cases = Case.objects.exclude(status=Status.CLOSED)
    unanswered = open_cases.filter(first_responded_at__isnull=True).aggregate(
        **_age_counts(now=now),
        # The at-risk rule without its "unanswered" part, which this index's condition already says (a column
        # outside the index would send every row to the table).
        at_risk=Count(
            "pk", filter=Q(first_response_due__gt=now, first_response_due__lte=now + AT_RISK_WITHIN)
        ),
    )
    answered = open_cases.filter(first_responded_at__isnull=False).aggregate(**_age_counts(now=now))
    for i in range(len(AGE_BUCKETS)):
        totals[f"age_{i}"] = unanswered[f"age_{i}"] + answered[f"age_{i}"]
    totals["at_risk"] = unanswered["at_risk"]
    totals["escalated"] = open_cases.filter(escalated_at__isnull=False).count()
    return totals


# --- the MSP / portal admin report --------------------------------------------------------------------------


@dataclass
class Report:
    period: Period
    account: Account
    refreshed_at: datetime.datetime | None
    total: Cell
    organizations: list  # [(organization, Cell, {channel: n})]
    breaches: list  # cases


def sla_report(*, scope: Scope, period: Period) -> Report:
    """An account's SLA report for a portal admin (an MSP admin included): attainment, breaches and volume per
    organization it acts for. Only the organizations of `scope` (tenants.scope): a limited MSP admin's report
    never names, counts or hints at its account's other client organizations."""
    if not scope.is_portal_admin:
        raise PermissionError("Only portal admins get the SLA report.")
    organizations = {org.pk: org for org in scope.organizations()}
    rows = CaseFigure.objects.filter(
        account_id=scope.membership.account_id,
        organization_id__in=list(organizations),
        day__gte=period.start,
        day__lte=period.end,
    )
    cells = {
        row["organization_id"]: _cell(row)
        for row in rows.values("organization_id").annotate(**COUNTS, **PERCENTILES).order_by()
    }
    channels: dict = {}
    for row in rows.values("organization_id", "channel").annotate(n=COUNTS["received"]).order_by():
        channels.setdefault(row["organization_id"], {})[row["channel"]] = row["n"]
    total = _cell(rows.aggregate(**COUNTS, **PERCENTILES))  # an organization filter: few rows
    missed_ids = rows.filter(outcome=Outcome.MISSED).order_by("-day", "-case_id").values("case_id")[:50]
    breaches = list(
        scope.cases().filter(pk__in=missed_ids).select_related("organization").order_by("-received_at", "-pk")
    )
    return Report(
        period=period,
        account=scope.membership.account,
        refreshed_at=figures_refreshed_at(),
        total=total,
        organizations=[
            (org, cells.get(pk, Cell()), channels.get(pk, {}))
            for pk, org in sorted(organizations.items(), key=lambda item: item[1].name)
        ],
        breaches=breaches,
    )


CHANNELS = list(Channel)


def staff_people() -> QuerySet[User]:
    """The engineers filter offers every member of staff (assignees)."""
    return User.objects.exclude(staff_role="").order_by("first_name", "last_name", "email")
