"""The triage queue page for staff: views with counts, filters, keyset pages, bulk actions, saved views.

Thin: parameters through tickets.queue.queue_filters_from (the API's translation too), the page through
tickets.queue.queue_page, each bulk change through the door (case_action) and an assignment service.
Customers get 404, as for a page that does not exist; someone not signed in is sent to sign in, as on every
other page.
"""

import re
from dataclasses import replace
from functools import wraps
from urllib.parse import parse_qsl

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseNotAllowed, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import dateformat, timezone

from lib.keys import key_or_none
from tenants.models import Product, Tier
from tenants.selectors import case_holders
from tickets.actions import CaseAction, CaseActionRefused
from tickets.converters import CaseNumberConverter
from tickets.models import Channel, CloseReason, SavedView, Severity, SlaState, Status
from tickets.queue import (
    BadCursor,
    QueueRow,
    queue_filters_from,
    queue_page,
    queue_page_rows,
    queue_query_string,
    queue_views,
    saved_view_create,
)
from tickets.scope import scope_for
from tickets.services import STAFF_CLOSE_REASONS, case_action, ticket_assign, ticket_status_set

BULK_MAX = 100  # rows a page shows at most is 50; more would be a hand-made request
# A row's labels, as get_FOO_display reads them.
STATUS_LABELS = dict(Status.choices)
CHANNEL_LABELS = dict(Channel.choices)
CLOSE_REASON_LABELS = dict(CloseReason.choices)


def staff_page(view):
    """A page for vendor staff only: a customer gets the 404 of a page that does not exist."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        scope = scope_for(request.user)
        if not scope.is_vendor_staff:
            raise Http404
        return view(request, scope, *args, **kwargs)

    return wrapper


def _same_query(a: str, b: str) -> bool:
    return sorted(parse_qsl(a)) == sorted(parse_qsl(b))


def _queue_url(query: str) -> str:
    return reverse("queue") + (f"?{query}" if query else "")


@staff_page
def queue(request, scope):
    """The queue, or (with `partial=1`, what static/js/queue.js asks for every 45 s) its results alone."""
    filters, problems = queue_filters_from(request.GET, user=request.user)
    now = timezone.now()
    try:
        page = queue_page(scope=scope, filters=filters, now=now, rows_for=queue_page_rows)
    except BadCursor as error:
        problems["cursor"] = [str(error)]
        filters = replace(filters, cursor="")
        page = queue_page(scope=scope, filters=filters, now=now, rows_for=queue_page_rows)
    closed_tab = filters.status == Status.CLOSED
    case_url = _case_url_maker()
    query = queue_query_string(request.GET)
    views = queue_views(scope=scope, user=request.user, now=now)
    active = next((view for view in views if _same_query(view.query, query)), None)
    partial = request.GET.get("partial") == "1"
    context = {
        "page": page,
        "rows": [
            _row_shown(row, me=request.user.pk, closed_tab=closed_tab, case_url=case_url) for row in page.rows
        ],
        "queue_url": reverse("queue"),
        "time_label": "Closed" if closed_tab else "Time left",
        "filters": filters,
        "query": query,
        "views": views,
        "active": active,
        "problems": problems,
        "now": now,
        "closed_tab": closed_tab,
    }
    if not partial:
        # The staff menus as (value, name) pairs: read once, printed twice.
        staff = [
            (str(person.pk), person.display_name, person.pk)
            for person in case_holders().only("pk", "first_name", "last_name", "email")
        ]
        context |= {
            "staff": [(value, name) for value, name, _ in staff],
            # The assignee filter: "me" stands for oneself, so one's own name is left out.
            "assignee_options": [
                (value, name, not filters.mine and filters.assignee_id == pk)
                for value, name, pk in staff
                if pk != request.user.pk
            ],
            "statuses": Status.choices,
            "severities": Severity.choices,
            "channels": Channel.choices,
            "sla_states": SlaState.choices,
            "tiers": list(Tier.objects.filter(can_file_cases=True)),
            "products": list(Product.objects.all()),
            "bulk_statuses": [(Status.OPEN, "Open"), (Status.WAITING_ON_CUSTOMER, "Waiting on customer")],
            "close_reasons": [(reason, CloseReason(reason).label) for reason in STAFF_CLOSE_REASONS],
            "can_save_view": bool(query) and not active,
        }
    template = "tickets/queue_results.html" if partial else "tickets/queue.html"
    return render(request, template, context, status=400 if problems else 200)


def _when(value, pattern: str) -> tuple[str, str]:
    """A time as the row prints it: ISO 8601 for <time datetime> and `pattern`, both in the reader's zone
    (what the |date filter does, without the template's per-call cost)."""
    if value is None:
        return "", ""
    local = timezone.localtime(value)
    return local.isoformat(), dateformat.format(local, pattern)


def _case_url_maker():
    """A case's page URL from its number, reversed once per page rather than once per row. A case number
    is letters, digits and dashes (tickets.converters), which a URL carries as they are."""
    head, tail = reverse("case_detail", kwargs={"number": "0"}).rsplit("0", 1)
    return lambda number: f"{head}{number}{tail}"


def _row_shown(row: QueueRow, *, me: int, closed_tab: bool, case_url) -> dict:
    """What one row of the queue prints, worked out once in Python: the template only places it (50 rows
    through template tags and filters cost more than the queries)."""
    when, (when_iso, when_text) = "", ("", "")
    if closed_tab:
        when, (when_iso, when_text) = "closed", _when(row.closed_at, "M j, H:i")
    elif row.time_left:
        when, (when_iso, when_text) = "due", _when(row.first_response_due, "D M j, H:i")
    elif row.first_responded_at:
        when, (when_iso, when_text) = "answered", _when(row.first_responded_at, "M j, H:i")
    classes = ("is-escalated" if row.escalated_at else "") + (
        " is-replied" if row.customer_replied_at else ""
    )
    # Numbers as text: the template would localize each int (the same text, at a cost per value).
    return {
        "number": row.number,
        "url": case_url(row.number),
        "subject": row.subject,
        "classes": classes,
        "escalated": row.escalated_at is not None,
        "replied_iso": timezone.localtime(row.customer_replied_at).isoformat()
        if row.customer_replied_at
        else "",
        "replied_waiting": row.replied_waiting,
        "show_channel": row.channel != Channel.PORTAL,
        "channel": CHANNEL_LABELS.get(row.channel, row.channel),
        "account_id": str(row.account_id),
        "account_name": row.account_name,
        "organization_id": str(row.organization_id),
        "organization_name": row.organization_name,
        # The organization is named only when it is not the account's own name.
        "show_organization": row.organization_name != row.account_name,
        "contract": row.tier_id is not None,
        "tier_name": row.tier_name,
        "severity": str(row.severity),
        "status": row.status,
        "status_label": STATUS_LABELS.get(row.status, row.status),
        "sla_state": row.sla_state,
        "time_left": row.time_left,
        "when": when,
        "when_iso": when_iso,
        "when_text": when_text,
        "close_reason": CLOSE_REASON_LABELS.get(row.close_reason, row.close_reason),
        "mine": row.assignee_id is not None and row.assignee_id == me,
        "assigned": row.assignee_id is not None,
        "assignee": row.assignee_name if row.assignee_id else "",
    }


def _bulk_write(request, scope):
    """What the bulk form asks for: (the door's action, the write for one locked case, what was done), or a
    message saying what is missing."""
    action = request.POST.get("action", "")
    actor = request.user
    if action == "take":
        return CaseAction.ASSIGN, lambda case: ticket_assign(case=case, actor=actor, assignee=actor), "Took"
    if action == "unassign":
        return (
            CaseAction.ASSIGN,
            lambda case: ticket_assign(case=case, actor=actor, assignee=None),
            "Unassigned",
        )
    if action == "assign":
        assignee = case_holders().filter(pk=key_or_none(request.POST.get("assignee"))).first()
        if assignee is None:
            return "Choose who to assign the cases to."
        write = lambda case: ticket_assign(case=case, actor=actor, assignee=assignee)  # noqa: E731
        return CaseAction.ASSIGN, write, f"Assigned to {assignee.display_name}"
    if action == "status":
        status, reason = request.POST.get("status", ""), request.POST.get("reason", "")
        if status == Status.CLOSED:
            if reason not in STAFF_CLOSE_REASONS:
                return "Choose why the cases close."
            write = lambda case: ticket_status_set(case=case, actor=actor, status=status, reason=reason)  # noqa: E731
            return CaseAction.CLOSE, write, f"Closed as {reason}"
        if status not in (Status.OPEN, Status.WAITING_ON_CUSTOMER):
            return "Choose a status."
        write = lambda case: ticket_status_set(case=case, actor=actor, status=status)  # noqa: E731
        return CaseAction.SET_STATUS, write, f"Set to {Status(status).label.lower()}"
    return "Choose what to do with the selected cases."


@staff_page
def queue_bulk(request, scope):
    """Take, assign, unassign or change the status of the selected cases.

    Each case goes through the door on its own (its own lock and transaction): a case that is refused (closed
    meanwhile, already assigned to that person, a move the life cycle does not allow) is left as it was and
    named in the summary, and the others are done."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    back = _queue_url(QueryDict(request.POST.get("back", "")).urlencode())
    numbers = list(dict.fromkeys(number.strip() for number in request.POST.getlist("case") if number.strip()))
    if not numbers:
        messages.error(request, "Select at least one case.")
        return redirect(back)
    if len(numbers) > BULK_MAX:
        messages.error(request, f"Select at most {BULK_MAX} cases at a time.")
        return redirect(back)
    what = _bulk_write(request, scope)
    if isinstance(what, str):
        messages.error(request, what)
        return redirect(back)
    action, write, done_label = what

    # Only what a case number can be is looked up: a NUL (which PostgreSQL text cannot hold) or a page of
    # text names no case, and is said to be "no such case" below like any other unknown number.
    possible = [number for number in numbers if re.fullmatch(CaseNumberConverter.regex, number)]
    cases = {case.number: case for case in scope.cases().filter(number__in=possible)}
    done, refused = [], []
    for number in numbers:
        case = cases.get(number)
        if case is None:
            refused.append(f"{number} (no such case)")
            continue
        try:
            with case_action(actor=request.user, case=case, action=action) as locked:
                write(locked)
        except CaseActionRefused as refusal:
            refused.append(f"{number} ({refusal.message})")
        except ValidationError as error:
            refused.append(f"{number} ({' '.join(error.messages)})")
        else:
            done.append(number)
    if done:
        messages.success(
            request, f"{done_label}: {len(done)} case{'s' if len(done) != 1 else ''} ({', '.join(done)})."
        )
    if refused:
        messages.error(
            request,
            f"Not changed: {len(refused)} case{'s' if len(refused) != 1 else ''}: {'; '.join(refused)}.",
        )
    return redirect(back)


@staff_page
def saved_view_save(request, scope):
    """Save the current filters as a view of one's own."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    query = request.POST.get("query", "")
    try:
        saved = saved_view_create(owner=request.user, name=request.POST.get("name", ""), query=query)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(_queue_url(queue_query_string(QueryDict(query))))
    messages.success(request, f"View “{saved.name}” saved.")
    return redirect(_queue_url(saved.query))


@staff_page
def saved_view_delete(request, scope, view_id):
    """Delete one of one's own views; anyone else's is a 404."""
    saved = SavedView.objects.filter(owner=request.user, pk=view_id).first()
    if saved is None:
        raise Http404
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    saved.delete()
    messages.success(request, f"View “{saved.name}” deleted.")
    return redirect("queue")
