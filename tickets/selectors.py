"""Reads about cases. Every one starts from the reader's scope, so nothing outside it can leak."""

import datetime
from dataclasses import dataclass

from django.db import models
from django.db.models import F, Prefetch, Q, QuerySet
from django.utils import timezone

from tickets.models import Attachment, Case, Category, Reply, SlaState, Status
from tickets.scope import Scope


@dataclass(frozen=True)
class CaseFilters:
    status: str = ""  # a Status value, or "active" for everything not closed
    organization_id: int | None = None
    severity: int | None = None
    search: str = ""  # a case number (or its tail), or words of the subject or description
    sla_state: str = ""  # a SlaState value: the state at the list's `now`


def with_sla_state(cases: QuerySet[Case], *, now: datetime.datetime) -> QuerySet[Case]:
    """Annotate `sla_state` (a SlaState value, or "" for a case without a deadline) as it stands at `now`.

    The one SLA state that lists, the API and dashboards show, filter and count on. The same
    rule as Case.sla_state_at, in the same order (tests/tickets/test_sla_state_annotation.py holds the two
    equal): no deadline → ""; answered → met or missed by the first response; closed unanswered → met or
    missed by when it closed; otherwise breached from the deadline on, at risk from the at-risk instant on,
    else on track.
    """
    due = F("first_response_due")
    # First match wins. A comparison with NULL is unknown, so `first_responded_at__lte=due` means "answered,
    # in time", and a case without an at-risk instant is never at risk, as in Python.
    rules = [
        (Q(first_response_due__isnull=True), ""),
        (Q(first_responded_at__lte=due), SlaState.MET),
        (Q(first_responded_at__isnull=False), SlaState.MISSED),
        (Q(closed_at__lte=due), SlaState.MET),
        (Q(closed_at__isnull=False), SlaState.MISSED),
        (Q(first_response_due__lte=now), SlaState.BREACHED),
        (Q(first_response_at_risk_at__lte=now), SlaState.AT_RISK),
    ]
    return cases.annotate(
        sla_state=models.Case(
            *(models.When(condition, then=models.Value(str(state))) for condition, state in rules),
            default=models.Value(str(SlaState.ON_TRACK)),
            output_field=models.CharField(),
        )
    )


# How a case list may be sorted: its name on the page, and the order it stands for.
CASE_LIST_SORTS = {
    "received": ("-received_at", "-pk"),
    "updated": ("-updated_at", "-pk"),
}


def case_list_for_portal(
    *,
    scope: Scope,
    filters: CaseFilters = CaseFilters(),
    now: datetime.datetime | None = None,
    sort: str = "received",
) -> QuerySet[Case]:
    """The cases a customer (or staff) sees in a list, newest first (or, with sort="updated", the last
    changed first), with what a list row shows, each with its `sla_state` at `now` (by default the
    present)."""
    cases = with_sla_state(scope.cases(), now=now or timezone.now())
    if filters.status == "active":
        cases = cases.exclude(status=Status.CLOSED)
    elif filters.status:
        cases = cases.filter(status=filters.status)
    if filters.organization_id:
        cases = cases.filter(organization_id=filters.organization_id)
    if filters.severity:
        cases = cases.filter(severity=filters.severity)
    search = filters.search.strip()
    if search:
        cases = cases.filter(
            Q(number__iendswith=search)
            | Q(number__iexact=search)
            | Q(subject__icontains=search)
            | Q(description__icontains=search)
        )
    if filters.sla_state:
        cases = cases.filter(sla_state=filters.sla_state)
    return cases.select_related("organization", "requester").order_by(*CASE_LIST_SORTS[sort])


def case_detail(*, scope: Scope, number: str, now: datetime.datetime | None = None) -> Case:
    """One case by its number, or Case.DoesNotExist (a 404) when it is not in the reader's scope; with its
    `sla_state` at `now` (by default the present), as the lists show it."""
    return (
        with_sla_state(scope.cases(), now=now or timezone.now())
        .select_related(
            "organization",
            "account",
            "requester",
            "category",
            "product",
            "version",
            "contract__tier",
            "continues",
        )
        .prefetch_related("cc")
        .get(number=number)
    )


def categories_offered() -> QuerySet[Category]:
    """The categories a new case may have, in the admins' order: the form offers them, the API accepts their
    slugs. Retired ones are left out; cases filed under them keep them."""
    return Category.objects.filter(is_active=True).order_by("position", "label")


def case_conversation(*, scope: Scope, case: Case) -> list[Reply]:
    """The messages of a case the reader may read: customers never see internal notes."""
    replies = Reply.objects.filter(case=case).select_related("author")
    if not scope.is_vendor_staff:
        replies = replies.filter(is_internal=False)
    return list(replies.prefetch_related(Prefetch("attachments", queryset=Attachment.objects.order_by("pk"))))


def case_attachment(*, scope: Scope, attachment_id: int) -> Attachment:
    """An attachment the reader may download: its case in scope, and not on an internal note for customers."""
    attachments = Attachment.objects.filter(case__in=scope.cases())
    if not scope.is_vendor_staff:
        attachments = attachments.filter(Q(reply__isnull=True) | Q(reply__is_internal=False))
    return attachments.get(pk=attachment_id)


def case_attachments(*, scope: Scope, case: Case) -> list[Attachment]:
    """The files of a case the reader may download: customers never see those on an internal note."""
    attachments = Attachment.objects.filter(case__in=scope.cases(), case=case)
    if not scope.is_vendor_staff:
        attachments = attachments.filter(Q(reply__isnull=True) | Q(reply__is_internal=False))
    return list(attachments.order_by("created_at", "pk"))
