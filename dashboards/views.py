"""The SLA dashboards (supervisors and admins) and the SLA report (portal admins, MSP admins included).

Thin: read the period and filters, ask dashboards.selectors, render a page or a CSV. Anyone else gets 404,
as for a page that does not exist."""

import csv
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from dashboards import selectors
from dashboards.charts import bar_chart
from dashboards.forms import DashboardForm, PeriodForm
from dashboards.services import REPORT_TIME_ZONE
from tenants.models import Account, Organization, StaffRole
from tickets.models import Channel
from tickets.scope import scope_for

MANAGERS = (StaffRole.SUPERVISOR, StaffRole.ADMIN)
SEVERITIES = (1, 2, 3)


def _manager_or_404(request):
    scope = scope_for(request.user)
    if not (scope.is_vendor_staff and request.user.staff_role in MANAGERS):
        raise Http404
    return scope


def _queue_link(filters: selectors.DashboardFilters, tier_slug: str = "", **extra) -> str:
    """The queue with the dashboard's own filters (and more): the cases behind a live figure."""
    params = {
        "tier": tier_slug,
        "severity": filters.severity,
        "account": filters.account_id,
        "organization": filters.organization_id,
        "assignee": filters.assignee_id,
        **extra,
    }
    return "/queue/?" + urlencode({k: v for k, v in params.items() if v})


def _without_postgresql(request):
    """The figures are PostgreSQL's (SQL of its own: percentiles, arrays); on the embedded default of
    `make run` (SQLite) a page says so instead of failing. None where the figures can be read."""
    if connection.vendor == "postgresql":
        return None
    return render(request, "dashboards/unavailable.html", status=503)


# The page shows the first ten breaches by account; a CSV has every one.
PAGE_TOP = 10


def _board(request, top: int | None = PAGE_TOP):
    form = DashboardForm(request.GET or None)
    filters = form.filters()
    period = form.period_value()
    board = selectors.dashboard(period=period, filters=filters, top=top)
    return form, filters, board


@login_required
def dashboard_page(request):
    _manager_or_404(request)
    if unavailable := _without_postgresql(request):
        return unavailable
    form, filters, board = _board(request)
    tier = form.cleaned_data.get("tier") if form.is_bound and hasattr(form, "cleaned_data") else None
    tier_slug = tier.slug if tier else ""
    trend_chart = bar_chart(
        [(str(day), cell.attainment) for day, cell in board.trend], maximum=100, css="bar-attainment"
    ).figure(id="trend", caption=f"Attainment per {board.trend_by}", unit=" %")
    volume_chart = bar_chart(
        [(str(day), total) for day, total, _c, _s in board.volume_days], css="bar-volume"
    ).figure(id="volume", caption="Cases received per day")
    age_chart = bar_chart([(label, n) for label, n in board.backlog_age], css="bar-age").figure(
        id="age", caption="Open cases by age"
    )
    # The volume table's cells in the table's column order: the template writes numbers, it looks none up.
    volume_rows = [
        (day, total, [channels.get(ch.value, 0) for ch in Channel] + [sev.get(s, 0) for s in SEVERITIES])
        for day, total, channels, sev in board.volume_days
    ]
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "board": board,
        "filters": filters,
        "query": query.urlencode(),
        "channels": list(Channel),
        "severities": [1, 2, 3],
        "trend_chart": trend_chart,
        "volume_chart": volume_chart,
        "age_chart": age_chart,
        "volume_rows": volume_rows,
        "account": Account.objects.filter(pk=filters.account_id).first() if filters.account_id else None,
        "organization": Organization.objects.filter(pk=filters.organization_id).first()
        if filters.organization_id
        else None,
        "time_zone": REPORT_TIME_ZONE.key,
        "links": {
            "at_risk": _queue_link(filters, tier_slug, breaching_within=60),
            "breached_now": _queue_link(filters, tier_slug, sla_state="breached"),
            "escalated": _queue_link(filters, tier_slug, escalated="yes"),
            "status": {
                status: _queue_link(filters, tier_slug, status=status)
                for status, _l, _n in board.backlog_status
            },
        },
    }
    return render(request, "dashboards/dashboard.html", context)


def _csv(name: str, header: list[str], rows) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    writer = csv.writer(response)
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if value is None else value for value in row])
    return response


def _minutes(cell) -> list:
    return [cell.median_minutes, cell.p90_minutes]


def _dashboard_tables(board: selectors.Dashboard) -> dict:
    """Every table of the dashboard as (header, rows): the page's CSV links download these."""
    return {
        "attainment": (
            ["tier", "severity", "received", "met", "missed", "attainment %", "responded",
             "median response min", "p90 response min", "target"],
            [
                [tier.name if tier else "No contract", severity, c.received, c.met, c.missed, c.attainment,
                 c.responded, *_minutes(c), target]
                for tier, cells in board.tiers
                for severity, c, target in cells
            ],
        ),
        "trend": (
            [board.trend_by, "met", "missed", "attainment %"],
            [[day, c.met, c.missed, c.attainment] for day, c in board.trend],
        ),
        "breaches": (
            ["by", "name", "breaches"],
            [[by, label, n] for by, rows in board.breaches_by.items() for label, n, _p, _v in rows],
        ),
        "breach-list": (
            ["case", "subject", "account", "organization", "severity", "received", "first response due",
             "first responded"],
            [
                [c.number, c.subject, c.account.name, c.organization.name, c.severity,
                 c.received_at.isoformat(), c.first_response_due and c.first_response_due.isoformat(),
                 c.first_responded_at and c.first_responded_at.isoformat()]
                for c in board.breach_list
            ],
        ),
        "volume": (
            ["day", "received", *[f"channel {ch.value}" for ch in Channel],
             *[f"severity {s}" for s in SEVERITIES]],
            [
                [day, total, *[channels.get(ch.value, 0) for ch in Channel],
                 *[sev.get(s, 0) for s in SEVERITIES]]
                for day, total, channels, sev in board.volume_days
            ],
        ),
        "backlog": (
            ["group", "value", "open cases"],
            [["status", label, n] for _s, label, n in board.backlog_status]
            + [["age", label, n] for label, n in board.backlog_age]
            + [["escalations open", "", board.escalations_open],
               ["at risk within 1 hour", "", board.at_risk_count]],
        ),
        "closes": (
            ["reason", "closed", "automatic"],
            [[label, n, "yes" if auto else "no"] for _r, label, n, auto in board.closes],
        ),
        "engineers": (
            ["engineer", "cases handled", "responded", "median response min"],
            [[u.display_name, c.received, c.responded, c.median_minutes] for u, c in board.engineers],
        ),
    }  # fmt: skip


@login_required
def dashboard_csv(request, table: str):
    _manager_or_404(request)
    if unavailable := _without_postgresql(request):
        return unavailable
    _form, _filters, board = _board(request, top=None)
    tables = _dashboard_tables(board)
    if table not in tables:
        raise Http404
    header, rows = tables[table]
    return _csv(f"sla-{table}-{board.period.start}-{board.period.end}", header, rows)


# --- the portal report --------------------------------------------------------------------------------------


def _report(request):
    scope = scope_for(request.user)
    if not scope.is_portal_admin:
        raise Http404
    form = PeriodForm(request.GET or None)
    return form, selectors.sla_report(scope=scope, period=form.period_value())


@login_required
def report_page(request, printable: bool = False):
    if not scope_for(request.user).is_portal_admin:
        raise Http404
    if unavailable := _without_postgresql(request):
        return unavailable
    form, report = _report(request)
    context = {
        "form": form,
        "report": report,
        "query": request.GET.urlencode(),
        "channels": list(Channel),
        "printable": printable,
        "time_zone": REPORT_TIME_ZONE.key,
        "now": timezone.now(),
    }
    return render(request, "dashboards/report.html", context)


@login_required
def report_csv(request):
    if not scope_for(request.user).is_portal_admin:
        raise Http404
    if unavailable := _without_postgresql(request):
        return unavailable
    _form, report = _report(request)
    header = ["organization", "received", "met", "missed (breaches)", "attainment %", "median response min",
              "p90 response min", *[f"channel {ch.value}" for ch in Channel]]  # fmt: skip
    rows = [
        [
            org.name,
            c.received,
            c.met,
            c.missed,
            c.attainment,
            *_minutes(c),
            *[ch.get(x.value, 0) for x in Channel],
        ]
        for org, c, ch in report.organizations
    ]
    return _csv(f"sla-report-{report.period.start}-{report.period.end}", header, rows)
