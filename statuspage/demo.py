"""The status page of the demo: components in groups and one incident resolved in the past week.

Played through the services like a person would, so the history bar and the API show it. Call
`status_demo_seed(actor=…)` from the demo seed, with any staff user as the one who wrote the incident.
"""

import datetime

from django.utils import timezone

from statuspage.models import Component, ComponentGroup, ComponentState, Incident, IncidentStatus
from statuspage.services import incident_open, incident_post_update

COMPONENTS = {
    "Customer portal": ["Portal", "API", "Email ingestion"],
    "Agents by region": ["Agents: North America", "Agents: Europe", "Agents: Asia Pacific"],
}


def status_demo_seed(*, actor, now: datetime.datetime | None = None) -> None:
    """Create the demo components (once) and, if there is none yet, an incident of three days ago."""
    now = now or timezone.now()
    components = {}
    for position, (group_name, names) in enumerate(COMPONENTS.items()):
        group, _ = ComponentGroup.objects.get_or_create(name=group_name, defaults={"position": position})
        for index, name in enumerate(names):
            components[name], _ = Component.objects.get_or_create(
                group=group, name=name, defaults={"position": index}
            )
    if Incident.objects.exists():
        return
    started = now - datetime.timedelta(days=3, hours=2)
    incident = incident_open(
        actor=actor,
        title="Email ingestion delayed",
        status=IncidentStatus.INVESTIGATING,
        body="Emails to support become cases with a delay of up to 20 minutes. We are looking into it.",
        component_states={components["Email ingestion"].pk: ComponentState.DEGRADED},
        now=started,
    )
    incident_post_update(
        incident_id=incident.pk,
        actor=actor,
        status=IncidentStatus.IDENTIFIED,
        body="A mail relay in Europe rejects part of the traffic; we are moving it to the second relay.",
        component_states={
            components["Email ingestion"].pk: ComponentState.PARTIAL_OUTAGE,
            components["Agents: Europe"].pk: ComponentState.DEGRADED,
        },
        now=started + datetime.timedelta(minutes=40),
    )
    incident_post_update(
        incident_id=incident.pk,
        actor=actor,
        status=IncidentStatus.RESOLVED,
        body="All delayed emails have arrived as cases. Ingestion is back to normal.",
        component_states={},
        now=started + datetime.timedelta(hours=2),
    )
