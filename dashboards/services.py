"""Keeping the precomputed figures (dashboards.models.CaseFigure) current.

`figures_refresh` runs every minute (beat, dashboards.tasks.refresh_figures) and is safe to run twice: it
rewrites a case's row from the case as it is, so a rerun writes the same values, and a pass that finds another
one running leaves it to it. A pass re-reads two kinds of cases:
- every case changed since the last pass (`Case.updated_at`, which every write service and the auto-close
  sweep set), read from five minutes before the last pass started, so that a transaction still open when the
  last pass read commits no change it missed;
- every case whose outcome is still `pending`: the clock alone turns it to missed at its deadline.
- the cases of what changed under them without touching them (`StaleFigures`, noted by
  dashboards.receivers): a contract moved to another tier, an SLA policy or calendar changed. A note is read
  in full once, then for its cases still waiting for a first response until FOLLOW_UP has passed (tickets
  recomputes their deadlines in the background, without moving `updated_at`), then deleted.
The first pass (no mark yet) reads every case. `manage.py dashboards_refresh --all` does the same on demand.

The daily roll-ups (DayCount, ResponseCount, CloseCount) are recounted, in the same transaction, for every day
a pass touched: the old and the new received and closed days of each rewritten case.
"""

import datetime
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from dashboards.models import (
    CaseFigure,
    CloseCount,
    DayCount,
    Outcome,
    RefreshMark,
    ResponseCount,
    StaleFigures,
)
from sla.models import Policy
from sla.services import calendar_engine
from tickets.models import Case

# Days (received, closed) are dates in this zone: the vendor's home (the Standard calendar's zone). A
# precomputed day cannot follow each reader's zone; the pages say which zone their days are in.
REPORT_TIME_ZONE = ZoneInfo("America/Denver")
MARK = "case_figures"
OVERLAP = datetime.timedelta(minutes=5)
CHUNK = 2000
FOLLOW_UP = datetime.timedelta(minutes=10)

# Lower bounds (seconds of open time) of the response-time histogram's buckets (ResponseCount.bucket = how
# many bounds are at or below the time, as PostgreSQL's width_bucket and bisect_right count). Finer where
# response times gather, so that finding a percentile's exact value reads one small bucket of the period.
RESPONSE_BUCKETS = (
    0, 60, 120, 300, 600, 900, 1200, 1800, 2400, 3000, 3600, 4500, 5400, 6300, 7200, 8100, 9000, 10800, 12600,
    14400, 16200, 18000, 21600, 25200, 28800, 28801, 32400, 36000, 43200, 50400, 57600, 64800, 72000, 86400,
    108000, 129600, 172800, 259200, 345600, 432000, 604800, 1209600, 2592000,
)  # fmt: skip

FIELDS = (
    "id",
    "received_at",
    "account_id",
    "organization_id",
    "contract__tier_id",
    "severity",
    "channel",
    "assignee_id",
    "first_response_due",
    "first_responded_at",
    "closed_at",
    "close_reason",
)


def report_day(instant: datetime.datetime) -> datetime.date:
    return instant.astimezone(REPORT_TIME_ZONE).date()


def case_outcome(
    *,
    due: datetime.datetime | None,
    responded: datetime.datetime | None,
    closed: datetime.datetime | None,
    now: datetime.datetime,
) -> str:
    """The SLA state rule of tickets (Case.sla_state_at), with breached counted as missed: a case past its
    deadline without a response has missed it whatever happens next; on track and at risk are pending."""
    if due is None:
        return Outcome.NONE
    if responded is not None:
        return Outcome.MET if responded <= due else Outcome.MISSED
    if closed is not None:
        return Outcome.MET if closed <= due else Outcome.MISSED
    return Outcome.MISSED if now >= due else Outcome.PENDING


def _figure(row: tuple, *, calendars: dict, now: datetime.datetime) -> CaseFigure:
    (case_id, received, account_id, organization_id, tier_id, severity, channel, assignee_id, due, responded,
     closed, close_reason) = row  # fmt: skip
    seconds = None
    if responded is not None:
        calendar = calendars.get((tier_id, severity))
        # Without a policy (no contract) there is no calendar: wall time is the only time there is.
        spent = calendar.open_time_between(received, responded) if calendar else responded - received
        seconds = max(0, int(spent.total_seconds()))
    return CaseFigure(
        case_id=case_id,
        day=report_day(received),
        account_id=account_id,
        organization_id=organization_id,
        tier_id=tier_id,
        severity=severity,
        channel=channel,
        assignee_id=assignee_id,
        outcome=case_outcome(due=due, responded=responded, closed=closed, now=now),
        response_seconds=seconds,
        closed_day=report_day(closed) if closed else None,
        close_reason=close_reason,
        refreshed_at=now,
    )


def _calendars() -> dict:
    return {
        (policy.tier_id, policy.severity): calendar_engine(policy.calendar)
        for policy in Policy.objects.select_related("calendar")
    }


def figures_write(*, case_ids: list[int], now: datetime.datetime) -> int:
    """Rewrite the figures of these cases from the cases as they are now, and recount the roll-ups of the
    days concerned (one transaction, holding the pass's mark: two writers never recount one day at once)."""
    RefreshMark.objects.get_or_create(name=MARK)
    with transaction.atomic():
        RefreshMark.objects.select_for_update().filter(name=MARK).first()
        days = _figures_write(case_ids=case_ids, calendars=_calendars(), now=now)
        rollups_rebuild(days=days)
    return len(case_ids)


def _figures_write(*, case_ids: list[int], calendars: dict, now: datetime.datetime) -> tuple[set, set]:
    """Rewrite these cases' figures; returns the (received, closed) days whose roll-ups they change: each
    case's old and new days."""
    received_days, closed_days = set(), set()
    for day, closed_day in CaseFigure.objects.filter(case_id__in=case_ids).values_list("day", "closed_day"):
        received_days.add(day)
        closed_days.add(closed_day)
    rows = Case.objects.filter(pk__in=case_ids).values_list(*FIELDS)
    figures = [_figure(row, calendars=calendars, now=now) for row in rows]
    for figure in figures:
        received_days.add(figure.day)
        closed_days.add(figure.closed_day)
    CaseFigure.objects.bulk_create(
        figures,
        update_conflicts=True,
        unique_fields=["case"],
        update_fields=[f.name for f in CaseFigure._meta.concrete_fields if not f.primary_key],
    )
    closed_days.discard(None)
    return received_days, closed_days


def rollups_rebuild(*, days: tuple[set, set] | None) -> None:
    """Recount the daily roll-ups of these (received, closed) days from CaseFigure; every day when None.

    Deletes and recounts whole days rather than adding differences: a roll-up is the plain sum of the rows
    it stands for whatever happened before. The caller holds the pass's transaction."""
    received, closed = (None, None) if days is None else days
    bucket = "width_bucket(response_seconds, %s::integer[])"
    statements = [
        (DayCount, received, "day", "day, tier_id, severity, channel, received, met, missed, responded",
         "SELECT day, tier_id, severity, channel, count(*), count(*) FILTER (WHERE outcome = 'met'), "
         "count(*) FILTER (WHERE outcome = 'missed'), count(response_seconds) FROM dashboards_casefigure "
         "WHERE {where} GROUP BY 1, 2, 3, 4", []),
        (ResponseCount, received, "day", "day, tier_id, severity, bucket, responded",
         f"SELECT day, tier_id, severity, {bucket}, count(*) FROM dashboards_casefigure "  # noqa: S608
         "WHERE response_seconds IS NOT NULL AND {where} GROUP BY 1, 2, 3, 4", [list(RESPONSE_BUCKETS)]),
        (CloseCount, closed, "closed_day", "day, tier_id, severity, close_reason, closed",
         "SELECT closed_day, tier_id, severity, close_reason, count(*) FROM dashboards_casefigure "
         "WHERE closed_day IS NOT NULL AND {where} GROUP BY 1, 2, 3, 4", []),
    ]  # fmt: skip
    with connection.cursor() as cursor:
        for model, chosen, column, columns, select, extra in statements:
            table = model._meta.db_table
            if chosen is None:
                cursor.execute(f"DELETE FROM {table}")  # noqa: S608 (names from our models)
                where, params = "TRUE", []
            elif not chosen:
                continue
            else:
                cursor.execute(f"DELETE FROM {table} WHERE day = ANY(%s::date[])", [sorted(chosen)])  # noqa: S608
                where, params = f"{column} = ANY(%s::date[])", [sorted(chosen)]
            cursor.execute(
                f"INSERT INTO {table} ({columns}) {select.format(where=where)}",  # noqa: S608
                [*extra, *params],
            )


def figures_refresh(*, now: datetime.datetime | None = None, everything: bool = False) -> int:
    """One pass (module docstring): the figures of changed, pending and stale cases rewritten, and the
    roll-ups of their days recounted; returns how many cases.

    The pass is one transaction holding the mark's row (skip_locked): a pass that finds another one running
    does nothing, so a slow first build is never started twice by beat's next minute."""
    if connection.vendor != "postgresql":
        return 0  # the figures' SQL is PostgreSQL's; the embedded default (`make run`) has no dashboards
    now = now or timezone.now()
    RefreshMark.objects.get_or_create(name=MARK)
    with transaction.atomic():
        mark = RefreshMark.objects.select_for_update(skip_locked=True).filter(name=MARK).first()
        if mark is None:
            return 0
        rebuild = everything or mark.changes_since is None
        notes = list(StaleFigures.objects.order_by("pk"))
        if rebuild:
            ids = Case.objects.order_by("pk").values_list("pk", flat=True)
        else:
            pending = CaseFigure.objects.filter(outcome=Outcome.PENDING).values("case_id")
            ids = (
                Case.objects.filter(
                    Q(updated_at__gte=mark.changes_since - OVERLAP) | Q(pk__in=pending) | _stale_q(notes)
                )
                .order_by("pk")
                .values_list("pk", flat=True)
            )
        ids = list(ids)
        calendars = _calendars()
        received_days, closed_days = set(), set()
        for start in range(0, len(ids), CHUNK):
            received, closed = _figures_write(
                case_ids=ids[start : start + CHUNK], calendars=calendars, now=now
            )
            received_days |= received
            closed_days |= closed
        rollups_rebuild(days=None if rebuild else (received_days, closed_days))
        for note in notes:
            if note.noted_at < now - FOLLOW_UP:
                note.delete()
            elif note.first_done_at is None:
                note.first_done_at = now
                note.save(update_fields=["first_done_at"])
        mark.refreshed_at, mark.changes_since, mark.cases_refreshed = now, now, len(ids)
        mark.save()
    return len(ids)


def _stale_q(notes: list[StaleFigures]) -> Q:
    """The cases of these notes: every one the first time, then those still waiting for a first response
    (whose deadline tickets may still move)."""
    stale = Q(pk__in=[])
    if not notes:
        return stale
    policies = list(Policy.objects.all())
    for note in notes:
        depends = Q(contract_id__in=note.contract_ids) | Q(contract__tier_id__in=note.tier_ids)
        for policy in policies:
            if policy.pk in note.policy_ids or policy.calendar_id in note.calendar_ids:
                depends |= Q(contract__tier_id=policy.tier_id, severity=policy.severity)
        if note.first_done_at is not None:
            depends &= Q(first_responded_at__isnull=True, closed_at__isnull=True)
        stale |= depends
    return stale


def stale_figures_note(*, contract_ids=(), tier_ids=(), policy_ids=(), calendar_ids=()) -> None:
    """Note that the figures of the cases of these contracts, tiers, policies or calendars must be rewritten
    by the next pass (quick: one row; the pass does the work)."""
    StaleFigures.objects.create(
        contract_ids=list(contract_ids),
        tier_ids=list(tier_ids),
        policy_ids=list(policy_ids),
        calendar_ids=list(calendar_ids),
    )


def figures_refreshed_at() -> datetime.datetime | None:
    mark = RefreshMark.objects.filter(name=MARK).first()
    return mark.refreshed_at if mark else None
