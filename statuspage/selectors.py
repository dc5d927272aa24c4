"""Reads for the status page, the API, the feed and the banner.

`status_snapshot()` is everything the public page shows, computed in a handful of queries and cached.
How it stays fresh: every write bumps a generation number in the cache (at once and again on commit,
statuspage/services.py `status_changed`), and the snapshot's key carries that generation, so the next reader
computes a new one. Time alone changes states too (a maintenance window starts or ends, a day rolls over),
so a snapshot also lives at most SNAPSHOT_TTL seconds, and never past the next maintenance boundary.

Each process also keeps the last snapshot it read (`_memo`) while the generation is the same and the
snapshot not expired: a cached request then costs one small cache read, not the unpickling of 90 days of
every component.
"""

import datetime
import uuid
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db.models import Prefetch, Q
from django.utils import timezone

from statuspage.history import HISTORY_DAYS, Day, Span, current_states, days_of_history, incident_spans, worst
from statuspage.models import (
    AffectedComponent,
    Component,
    ComponentState,
    Incident,
    IncidentUpdate,
    Maintenance,
)

SNAPSHOT_TTL = 60  # seconds
GENERATION_KEY = "statuspage:generation"
UPCOMING_DAYS = 30  # maintenance announced up to this far ahead
RECENT_DAYS = 7  # resolved incidents listed under "past incidents"


@dataclass
class ComponentStatus:
    id: int
    name: str
    description: str
    state: str
    days: list[Day]

    @property
    def state_label(self) -> str:
        return ComponentState(self.state).label


@dataclass
class GroupStatus:
    name: str
    components: list[ComponentStatus]

    @property
    def state(self) -> str:
        return worst(component.state for component in self.components)


@dataclass
class UpdateSummary:
    status: str
    status_label: str
    body: str
    created_at: datetime.datetime


@dataclass
class AffectedSummary:
    name: str
    state: str

    @property
    def state_label(self) -> str:
        return ComponentState(self.state).label


@dataclass
class IncidentSummary:
    id: int
    title: str
    status: str
    status_label: str
    started_at: datetime.datetime
    resolved_at: datetime.datetime | None
    latest: UpdateSummary
    affected: list[AffectedSummary]  # as of the latest update


@dataclass
class MaintenanceSummary:
    id: int
    title: str
    description: str
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    components: list[str]
    in_progress: bool


@dataclass
class StatusSnapshot:
    computed_at: datetime.datetime
    state: str
    groups: list[GroupStatus]
    open_incidents: list[IncidentSummary]
    maintenance: list[MaintenanceSummary]  # in progress or upcoming, soonest first
    recent_incidents: list[IncidentSummary]
    next_change_at: datetime.datetime | None = None
    generation: str = field(default="")
    expires_at: datetime.datetime | None = None

    @property
    def state_label(self) -> str:
        return ComponentState(self.state).label

    @property
    def components(self) -> list[ComponentStatus]:
        return [component for group in self.groups for component in group.components]


def status_generation() -> str:
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        generation = uuid.uuid4().hex
        cache.add(GENERATION_KEY, generation, None)
        generation = cache.get(GENERATION_KEY, generation)
    return generation


_memo: StatusSnapshot | None = None


def status_snapshot(*, now: datetime.datetime | None = None) -> StatusSnapshot:
    """The cached snapshot (see the module docstring); `now` computes an uncached one for that instant."""
    global _memo
    if now is not None:
        return status_snapshot_compute(now=now)
    generation = status_generation()
    memo = _memo
    if memo is not None and memo.generation == generation and timezone.now() < memo.expires_at:
        return memo
    key = f"statuspage:snapshot:{generation}"
    snapshot = cache.get(key)
    if snapshot is None:
        snapshot = status_snapshot_compute(now=timezone.now())
        snapshot.generation = generation
        ttl = SNAPSHOT_TTL
        if snapshot.next_change_at is not None:
            until_change = (snapshot.next_change_at - snapshot.computed_at).total_seconds()
            ttl = max(1, min(ttl, int(until_change) + 1))
        snapshot.expires_at = snapshot.computed_at + datetime.timedelta(seconds=ttl)
        cache.set(key, snapshot, ttl)
    _memo = snapshot
    return snapshot


def _summary(incident: Incident, names: dict[int, str]) -> IncidentSummary:
    updates = list(incident.updates.all())
    latest = updates[-1]
    return IncidentSummary(
        id=incident.pk,
        title=incident.title,
        status=incident.status,
        status_label=incident.get_status_display(),
        started_at=incident.started_at,
        resolved_at=incident.resolved_at,
        latest=UpdateSummary(
            status=latest.status,
            status_label=latest.get_status_display(),
            body=latest.body,
            created_at=latest.created_at,
        ),
        affected=[
            AffectedSummary(name=names[row.component_id], state=row.state)
            for row in latest.affected.all()
            if row.component_id in names
        ],
    )


def _incidents_since(since: datetime.datetime):
    return (
        Incident.objects.filter(Q(resolved_at__isnull=True) | Q(resolved_at__gte=since))
        .prefetch_related(
            Prefetch(
                "updates",
                queryset=IncidentUpdate.objects.order_by("created_at", "pk").prefetch_related(
                    Prefetch("affected", queryset=AffectedComponent.objects.order_by("component_id"))
                ),
            )
        )
        .order_by("-started_at", "-pk")
    )


def status_snapshot_compute(*, now: datetime.datetime) -> StatusSnapshot:
    """Components with their state and 90 days of history, open incidents with their latest update,
    maintenance in progress or coming, and the incidents resolved in the last week. Five queries."""
    window_start = now - datetime.timedelta(days=HISTORY_DAYS + 1)
    components = list(Component.objects.filter(is_visible=True).select_related("group"))
    names = {component.pk: component.name for component in components}
    incidents = list(_incidents_since(window_start))
    maintenance = list(
        Maintenance.objects.filter(
            ends_at__gte=window_start, starts_at__lte=now + datetime.timedelta(days=UPCOMING_DAYS)
        )
        .prefetch_related("components")
        .order_by("starts_at", "pk")
    )

    spans: list[Span] = []
    for incident in incidents:
        updates = [
            (update.created_at, {row.component_id: row.state for row in update.affected.all()})
            for update in incident.updates.all()
        ]
        spans += incident_spans(updates, resolved_at=incident.resolved_at, label=incident.title)
    for window in maintenance:
        spans += [
            Span(component.pk, ComponentState.MAINTENANCE, window.starts_at, window.ends_at, window.title)
            for component in window.components.all()
        ]
    states = current_states(spans, now=now)
    history = days_of_history(spans, component_ids=names, now=now)

    groups: list[GroupStatus] = []
    for component in components:
        group_name = component.group.name if component.group_id else ""
        if not groups or groups[-1].name != group_name:
            groups.append(GroupStatus(name=group_name, components=[]))
        groups[-1].components.append(
            ComponentStatus(
                id=component.pk,
                name=component.name,
                description=component.description,
                state=states.get(component.pk, ComponentState.OPERATIONAL),
                days=history[component.pk],
            )
        )

    boundaries = [
        instant for window in maintenance for instant in (window.starts_at, window.ends_at) if instant > now
    ]
    recent_since = now - datetime.timedelta(days=RECENT_DAYS)
    return StatusSnapshot(
        computed_at=now,
        state=worst(states.values()),
        groups=groups,
        open_incidents=[_summary(incident, names) for incident in incidents if incident.is_open],
        maintenance=[
            MaintenanceSummary(
                id=window.pk,
                title=window.title,
                description=window.description,
                starts_at=window.starts_at,
                ends_at=window.ends_at,
                components=[component.name for component in window.components.all()],
                in_progress=window.starts_at <= now,
            )
            for window in maintenance
            if window.ends_at > now
        ],
        recent_incidents=[
            _summary(incident, names)
            for incident in incidents
            if not incident.is_open and incident.resolved_at >= recent_since
        ],
        next_change_at=min(boundaries, default=None),
    )


def incident_detail(*, incident_id: int) -> Incident | None:
    """One incident with its timeline, newest update first, and each update's affected components."""
    return (
        Incident.objects.filter(pk=incident_id)
        .prefetch_related(
            Prefetch(
                "updates",
                queryset=IncidentUpdate.objects.select_related("author")
                .prefetch_related(
                    Prefetch(
                        "affected", queryset=AffectedComponent.objects.select_related("component__group")
                    )
                )
                .order_by("-created_at", "-pk"),
            )
        )
        .first()
    )


def incident_list(*, limit: int = 50):
    """Incidents newest first, for the feed and the staff page."""
    return Incident.objects.order_by("-started_at", "-pk")[:limit]


def incident_current_states(*, incident: Incident) -> dict[int, str]:
    """The component states of an incident's latest update: what the next update's form starts from."""
    latest = incident.updates.order_by("-created_at", "-pk").first()
    if latest is None:
        return {}
    return dict(latest.affected.values_list("component_id", "state"))


def maintenance_list(*, now: datetime.datetime, limit: int = 50):
    """Maintenance not yet over, soonest first, then the latest past ones."""
    coming = list(
        Maintenance.objects.filter(ends_at__gt=now).prefetch_related("components").order_by("starts_at")
    )
    past = list(
        Maintenance.objects.filter(ends_at__lte=now)
        .prefetch_related("components")
        .order_by("-ends_at")[:limit]
    )
    return coming, past
