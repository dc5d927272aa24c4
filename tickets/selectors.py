"""Reads about cases. Every one starts from the reader's scope, so nothing outside it can leak."""

from dataclasses import dataclass

from django.db.models import BooleanField, ExpressionWrapper, F, Prefetch, Q, QuerySet

from tenants.scope import Scope
from tickets.models import Attachment, Case, Reply, Status


@dataclass(frozen=True)
class CaseFilters:
    status: str = ""  # a Status value, or "active" for everything not closed
    organization_id: int | None = None
    severity: int | None = None
    search: str = ""  # a case number (or its tail) or words of the subject


def case_list_for_portal(*, scope: Scope, filters: CaseFilters = CaseFilters()) -> QuerySet[Case]:
    """The cases a customer (or staff) sees in a list, newest first, with what a list row shows."""
    cases = scope.cases()
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
            Q(number__iendswith=search) | Q(number__iexact=search) | Q(subject__icontains=search)
        )
    return cases.select_related("organization", "requester").order_by("-received_at", "-pk")


def case_detail(*, scope: Scope, number: str) -> Case:
    """One case by its number, or Case.DoesNotExist (a 404) when it is not in the reader's scope."""
    return (
        scope.cases()
        .select_related(
            "organization", "account", "requester", "product", "version", "contract__tier", "continues"
        )
        .prefetch_related("cc")
        .get(number=number)
    )


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


def case_queue(*, scope: Scope) -> QuerySet[Case]:
    """Open cases: those still waiting for a first response, nearest deadline first; then answered ones,
    oldest first. (Spelled out rather than relying on where a database sorts NULLs.)"""
    answered = ExpressionWrapper(Q(first_responded_at__isnull=False), output_field=BooleanField())
    return (
        scope.cases()
        .exclude(status=Status.CLOSED)
        .select_related("organization", "account", "assignee")
        .order_by(answered.asc(), F("first_response_due").asc(nulls_last=True), "received_at", "pk")
    )
