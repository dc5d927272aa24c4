"""GET /api/v1/status/: the status page as JSON, for anyone (no sign-in), from the same cached snapshot."""

from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from statuspage.models import ComponentState, IncidentStatus
from statuspage.selectors import status_snapshot


class ComponentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    group = serializers.CharField(allow_blank=True)
    state = serializers.ChoiceField(choices=ComponentState.choices)


class AffectedSerializer(serializers.Serializer):
    component = serializers.CharField(source="name")
    state = serializers.ChoiceField(choices=ComponentState.choices)


class UpdateSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=IncidentStatus.choices)
    body = serializers.CharField()
    created_at = serializers.DateTimeField()


class IncidentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    status = serializers.ChoiceField(choices=IncidentStatus.choices)
    started_at = serializers.DateTimeField()
    url = serializers.SerializerMethodField()
    latest_update = UpdateSerializer(source="latest")
    affected_components = AffectedSerializer(source="affected", many=True)

    def get_url(self, incident) -> str:
        return self.context["request"].build_absolute_uri(f"/status/incidents/{incident.id}/")


class MaintenanceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    description = serializers.CharField(allow_blank=True)
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    in_progress = serializers.BooleanField()
    components = serializers.ListField(child=serializers.CharField())


class StatusSerializer(serializers.Serializer):
    state = serializers.ChoiceField(choices=ComponentState.choices, help_text="The worst component state.")
    updated_at = serializers.DateTimeField(source="computed_at")
    components = serializers.SerializerMethodField()
    incidents = IncidentSerializer(source="open_incidents", many=True, help_text="Open incidents.")
    maintenance = MaintenanceSerializer(many=True, help_text="In progress or coming, soonest first.")

    @extend_schema_field(ComponentSerializer(many=True))
    def get_components(self, snapshot) -> list[dict]:
        return [
            ComponentSerializer({"id": c.id, "name": c.name, "group": group.name, "state": c.state}).data
            for group in snapshot.groups
            for c in group.components
        ]


class StatusView(APIView):
    """The platform's status: every component's state, open incidents with their latest update, and
    maintenance in progress or coming. Public; cached like the status page (fresh on every change)."""

    authentication_classes: list = []  # public: a stale or wrong token must not turn this into a 401
    permission_classes = [AllowAny]

    @extend_schema(responses=StatusSerializer, auth=[])
    def get(self, request):
        return Response(StatusSerializer(status_snapshot(), context={"request": request}).data)
