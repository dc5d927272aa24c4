"""GET /api/v1/queue/: the triage queue for staff, with the page's filters, order and keyset pages.

Thin: the parameters go through tickets.queue.queue_filters_from (a wrong one is a 400 naming it), the page
through tickets.queue.queue_page. Customers get 404, as on every staff route.
"""

from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils.http import urlencode
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from tickets.api import ScopedAPIView
from tickets.models import Case, Status
from tickets.queue import BadCursor, QueueQuerySerializer, queue_filters_from, queue_page, queue_query_string
from tickets.serializers import SEVERITY_HELP, SLA_STATE_HELP


class QueueRowSerializer(serializers.Serializer):
    """A row of the queue: only what the queue's page query loads."""

    number = serializers.CharField()
    url = serializers.SerializerMethodField()
    subject = serializers.CharField()
    status = serializers.ChoiceField(choices=Status.choices)
    severity = serializers.IntegerField(help_text=SEVERITY_HELP)
    sla_state = serializers.CharField(help_text=SLA_STATE_HELP)
    received_at = serializers.DateTimeField()
    first_response_due = serializers.DateTimeField(allow_null=True)
    first_responded_at = serializers.DateTimeField(allow_null=True)
    time_left = serializers.CharField(
        help_text="In the open time of the case's calendar: “2 h 10 m left”, “breached 25 m ago”; "
        "empty once answered."
    )
    open_minutes_left = serializers.IntegerField(
        allow_null=True, help_text="Minutes of open time before the deadline; negative once breached."
    )
    assignee = serializers.EmailField(source="assignee.email", allow_null=True, default=None)
    assignee_name = serializers.CharField(source="assignee.display_name", allow_null=True, default=None)
    escalated = serializers.SerializerMethodField()
    customer_replied_at = serializers.DateTimeField(
        allow_null=True, help_text="When the customer answered; cleared by support's next public reply."
    )
    account = serializers.IntegerField(source="account_id")
    account_name = serializers.CharField(source="account.name")
    organization = serializers.IntegerField(source="organization_id")
    organization_name = serializers.CharField(source="organization.name")
    tier = serializers.CharField(source="contract.tier.slug", allow_null=True, default=None)
    channel = serializers.CharField()
    product = serializers.CharField(source="product.name", allow_null=True, default=None)
    requester = serializers.EmailField(source="requester.email")
    closed_at = serializers.DateTimeField(allow_null=True)
    close_reason = serializers.CharField()

    def get_url(self, case: Case) -> str:
        return reverse("api-ticket-detail", kwargs={"number": case.number})

    def get_escalated(self, case: Case) -> bool:
        return case.escalated_at is not None


class QueuePageSerializer(serializers.Serializer):
    next = serializers.URLField(allow_null=True, help_text="The next page, or null on the last.")
    previous = serializers.URLField(allow_null=True, help_text="The previous page, or null on the first.")
    results = QueueRowSerializer(many=True)


class QueueList(ScopedAPIView):
    """The queue: every open case, most urgent first (tickets/queue.py says the order exactly), a page of 50
    at a time by cursor. `status=closed` lists the closed cases, most recently closed first."""

    @extend_schema(parameters=[QueueQuerySerializer], responses=QueuePageSerializer)
    def get(self, request):
        if not self.scope.is_vendor_staff:
            raise Http404
        filters, errors = queue_filters_from(request.query_params, user=request.user)
        if errors:
            raise ValidationError(errors)
        try:
            page = queue_page(scope=self.scope, filters=filters)
        except BadCursor as error:
            raise ValidationError({"cursor": [str(error)]}) from None
        query = queue_query_string(request.query_params)

        def link(cursor):
            if not cursor:
                return None
            params = f"{query}&" if query else ""
            return request.build_absolute_uri(f"{request.path}?{params}{urlencode({'cursor': cursor})}")

        return Response(
            {
                "next": link(page.next_cursor),
                "previous": link(page.previous_cursor),
                "results": QueueRowSerializer(page.rows, many=True).data,
            }
        )
