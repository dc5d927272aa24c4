"""SLA preview: what the deadlines would be for a tier, a severity and a received time."""

import datetime

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from sla.services import (
    HOLIDAY_YEARS,
    AutoCloseKind,
    auto_close_at,
    first_response_deadline,
    policy_for,
)
from tenants.models import Tier

EXAMPLE_TIME = "2026-11-25T15:00:00-07:00"


class PreviewQuery(serializers.Serializer):
    tier = serializers.SlugRelatedField(slug_field="slug", queryset=Tier.objects.all())
    severity = serializers.ChoiceField(choices=[1, 2, 3])
    received_at = serializers.CharField(help_text=f"ISO 8601 with a UTC offset, e.g. {EXAMPLE_TIME}")

    def validate_received_at(self, value):
        # Parsed here rather than by DateTimeField, which would quietly read a naive time as UTC.
        try:
            received_at = datetime.datetime.fromisoformat(value)
        except ValueError:
            raise serializers.ValidationError(f"Not an ISO 8601 time, e.g. {EXAMPLE_TIME}.") from None
        if received_at.utcoffset() is None:
            raise serializers.ValidationError(f"Give the time with its UTC offset, e.g. {EXAMPLE_TIME}.")
        # Holidays are loaded for these years only; near year 1 or 9999 the date arithmetic itself fails.
        first, last = HOLIDAY_YEARS[0], HOLIDAY_YEARS[-1]
        earliest = datetime.datetime(first, 1, 1, tzinfo=datetime.UTC)
        latest = datetime.datetime(last + 1, 1, 1, tzinfo=datetime.UTC)
        if not earliest <= received_at < latest:
            raise serializers.ValidationError(f"Give a time between {first} and {last}, e.g. {EXAMPLE_TIME}.")
        return received_at

    def validate(self, data):
        policy = policy_for(tier=data["tier"], severity=data["severity"])
        if policy is None:
            raise serializers.ValidationError(
                {"tier": f"The {data['tier'].name} tier has no response targets."}
            )
        data["policy"] = policy
        return data


class PreviewAnswer(serializers.Serializer):
    tier = serializers.CharField()
    severity = serializers.IntegerField()
    target = serializers.CharField()
    calendar = serializers.CharField()
    received_at = serializers.DateTimeField()
    first_response_due = serializers.DateTimeField()
    first_response_at_risk_at = serializers.DateTimeField()
    auto_close_unconfirmed_at = serializers.DateTimeField(allow_null=True)
    auto_close_no_response_at = serializers.DateTimeField(allow_null=True)


def _iso(value):
    return value.isoformat() if value else None


class SlaPreview(APIView):
    """Deadlines for a case of this tier and severity received at `received_at`, in the policy calendar's time
    zone. The auto-close times are as if a solution were proposed or information asked for then."""

    @extend_schema(
        parameters=[
            OpenApiParameter("tier", str, required=True, description="tier slug, e.g. standard"),
            OpenApiParameter("severity", int, required=True, enum=[1, 2, 3]),
            OpenApiParameter("received_at", str, required=True, description="ISO 8601 with offset"),
        ],
        responses=PreviewAnswer,
    )
    def get(self, request):
        query = PreviewQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        tier, policy, received_at = (
            query.validated_data["tier"],
            query.validated_data["policy"],
            query.validated_data["received_at"],
        )
        deadline = first_response_deadline(policy=policy, received_at=received_at)
        return Response(
            {
                "tier": tier.slug,
                "severity": policy.severity,
                "target": policy.target_label,
                "calendar": policy.calendar.name,
                "received_at": _iso(received_at),
                "first_response_due": _iso(deadline.due),
                "first_response_at_risk_at": _iso(deadline.at_risk_at),
                "auto_close_unconfirmed_at": _iso(
                    auto_close_at(tier=tier, kind=AutoCloseKind.UNCONFIRMED, waiting_since=received_at)
                ),
                "auto_close_no_response_at": _iso(
                    auto_close_at(tier=tier, kind=AutoCloseKind.NO_RESPONSE, waiting_since=received_at)
                ),
            }
        )
