"""Components and incidents for the status page tests, played through the services."""

import datetime

from statuspage.models import Component, ComponentGroup, ComponentState, IncidentStatus
from statuspage.services import incident_open, incident_post_update

NOW = datetime.datetime(2026, 11, 22, 15, 0, tzinfo=datetime.UTC)
OK = ComponentState.OPERATIONAL
MAINTENANCE = ComponentState.MAINTENANCE
DEGRADED = ComponentState.DEGRADED
PARTIAL = ComponentState.PARTIAL_OUTAGE
MAJOR = ComponentState.MAJOR_OUTAGE


def make_components() -> dict[str, Component]:
    """Portal and API in "Platform", Europe in "Agents by region"."""
    platform = ComponentGroup.objects.create(name="Platform", position=0)
    agents = ComponentGroup.objects.create(name="Agents by region", position=1)
    return {
        "portal": Component.objects.create(group=platform, name="Portal", position=0),
        "api": Component.objects.create(group=platform, name="API", position=1),
        "europe": Component.objects.create(group=agents, name="Europe", position=0),
    }


def open_incident(actor, components, *, title="Portal slow", states=None, at=None, body="Looking into it."):
    return incident_open(
        actor=actor,
        title=title,
        status=IncidentStatus.INVESTIGATING,
        body=body,
        component_states={
            components[name].pk: state for name, state in (states or {"portal": DEGRADED}).items()
        },
        now=at,
    )


def post_update(actor, incident, components, *, status, states=None, at=None, body="An update."):
    return incident_post_update(
        incident_id=incident.pk,
        actor=actor,
        status=status,
        body=body,
        component_states={components[name].pk: state for name, state in (states or {}).items()},
        now=at,
    )
