"""Reads about cases. Every one starts from the reader's scope."""

from django.db.models import QuerySet

from tenants.scope import Scope
from tickets.models import Case, Status


def case_list_for_portal(*, scope: Scope) -> QuerySet[Case]:
    return scope.cases().select_related("organization", "requester").order_by("-received_at", "-pk")


def case_queue(*, scope: Scope) -> QuerySet[Case]:
    """Open cases, the most urgent first deadline at the top (answered ones after, by age)."""
    return (
        scope.cases()
        .exclude(status=Status.CLOSED)
        .select_related("organization", "account", "assignee")
        .order_by("first_responded_at", "first_response_due", "received_at")
    )
