"""Keeping the precomputed figures (dashboards.models.CaseFigure) current.

`figures_refresh` runs every minute (beat, dashboards.tasks.refresh_figures) and is safe to run twice: it
rewrites a case's row from the case as it is, so a rerun writes the same values, and a pass that finds another
one running leaves it to it. A pass re-reads two kinds of cases:
- every case changed since the last pass (`Case.updated_at`, which every write service and the auto-close
  sweep set), read from five minutes before the last pass started, so that a transaction still open when the
  last pass read commits no change it missed;
- every case whose outcome is still `pending`: the clock alone turns it to missed at its deadline.
The first pass (no mark yet) reads every case. `manage.py dashboards_refresh --all` does the same on demand,
e.g. after a contract changes tier (which moves its cases to another tier without touching them).
"""

import datetime
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from dashboards.models import CaseFigure, Outcome, RefreshMark
from sla.models import Policy
from sla.services import calendar_engine
from tickets.models import Case

# Days (received, closed) are dates in this zone: the vendor's home (the Standard calendar's zone). A
# precomputed day cannot follow each reader's zone; the pages say which zone their days are in.
REPORT_TIME_ZONE = ZoneInfo("America/Denver")
MARK = "case_figures"
OVERLAP = datetime.timedelta(minutes=5)
CHUNK = 2000

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
    """Rewrite the figures of these cases from the cases as they are now (one transaction)."""
    calendars = _calendars()
    rows = Case.objects.filter(pk__in=case_ids).values_list(*FIELDS)
    figures = [_figure(row, calendars=calendars, now=now) for row in rows]
    with transaction.atomic():
        CaseFigure.objects.bulk_create(
            figures,
            update_conflicts=True,
            unique_fields=["case"],
            update_fields=[f.name for f in CaseFigure._meta.concrete_fields if not f.primary_key],
        )
    return len(figures)


def figures_refresh(*, now: datetime.datetime | None = None, everything: bool = False) -> int:
    """One pass (module docstring): the figures of changed and pending cases rewritten; returns how many.

    The pass is one transaction holding the mark's row (skip_locked): a pass that finds another one running
    does nothing, so a slow first build is never started twice by beat's next minute."""
    now = now or timezone.now()
    RefreshMark.objects.get_or_create(name=MARK)
    with transaction.atomic():
        mark = RefreshMark.objects.select_for_update(skip_locked=True).filter(name=MARK).first()
        if mark is None:
            return 0
        if everything or mark.changes_since is None:
            ids = Case.objects.order_by("pk").values_list("pk", flat=True)
        else:
            pending = CaseFigure.objects.filter(outcome=Outcome.PENDING).values("case_id")
            ids = (
                Case.objects.filter(Q(updated_at__gte=mark.changes_since - OVERLAP) | Q(pk__in=pending))
                .order_by("pk")
                .values_list("pk", flat=True)
            )
        ids = list(ids)
        done = 0
        for start in range(0, len(ids), CHUNK):
            done += figures_write(case_ids=ids[start : start + CHUNK], now=now)
        mark.refreshed_at, mark.changes_since, mark.cases_refreshed = now, now, done
        mark.save()
    return done


def figures_refreshed_at() -> datetime.datetime | None:
    mark = RefreshMark.objects.filter(name=MARK).first()
    return mark.refreshed_at if mark else None
