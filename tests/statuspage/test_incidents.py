"""Incident updates change component states on the status page at once, and resolving sets them back."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from statuspage.models import IncidentStatus
from statuspage.selectors import status_snapshot
from statuspage.services import maintenance_end, maintenance_schedule
from tests.statuspage.helpers import (
    DEGRADED,
    MAINTENANCE,
    MAJOR,
    OK,
    PARTIAL,
    make_components,
    open_incident,
    post_update,
)


def states() -> dict[str, str]:
    return {component.name: component.state for component in status_snapshot().components}


@pytest.fixture
def components(db):
    return make_components()


def test_an_incident_and_its_updates_set_component_states_and_resolving_clears_them(demo, components):
    engineer = demo["engineer"]
    assert states() == {"Portal": OK, "API": OK, "Europe": OK}
    assert status_snapshot().state == OK

    incident = open_incident(engineer, components, states={"portal": DEGRADED})
    assert states() == {"Portal": DEGRADED, "API": OK, "Europe": OK}

    post_update(
        engineer,
        incident,
        components,
        status=IncidentStatus.IDENTIFIED,
        states={"portal": MAJOR, "api": PARTIAL},
    )
    assert states() == {"Portal": MAJOR, "API": PARTIAL, "Europe": OK}
    snapshot = status_snapshot()
    assert snapshot.state == MAJOR
    [summary] = snapshot.open_incidents
    assert (summary.title, summary.status, summary.latest.body) == ("Portal slow", "identified", "An update.")
    assert [(row.name, row.state) for row in summary.affected] == [("Portal", MAJOR), ("API", PARTIAL)]

    post_update(engineer, incident, components, status=IncidentStatus.MONITORING, states={"api": DEGRADED})
    assert states() == {"Portal": OK, "API": DEGRADED, "Europe": OK}

    # Resolving: every component back to operational, whatever the form still said.
    post_update(engineer, incident, components, status=IncidentStatus.RESOLVED, states={"api": DEGRADED})
    assert states() == {"Portal": OK, "API": OK, "Europe": OK}
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.RESOLVED and incident.resolved_at is not None
    snapshot = status_snapshot()
    assert snapshot.open_incidents == []
    assert [past.title for past in snapshot.recent_incidents] == ["Portal slow"]
    today = {component.name: component.days[-1] for component in snapshot.components}
    assert (today["Portal"].state, today["API"].state, today["Europe"].state) == (MAJOR, PARTIAL, OK)
    assert today["Portal"].labels == ["Portal slow"]


def test_two_incidents_on_one_component_the_worst_wins(demo, components):
    engineer = demo["engineer"]
    open_incident(engineer, components, title="Slow search", states={"europe": DEGRADED})
    second = open_incident(engineer, components, title="Agents offline", states={"europe": MAJOR})
    assert states()["Europe"] == MAJOR
    post_update(engineer, second, components, status=IncidentStatus.RESOLVED)
    assert states()["Europe"] == DEGRADED
    assert [incident.title for incident in status_snapshot().open_incidents] == ["Slow search"]


def test_a_resolved_incident_takes_no_more_updates(demo, components):
    engineer = demo["engineer"]
    incident = open_incident(engineer, components)
    post_update(engineer, incident, components, status=IncidentStatus.RESOLVED)
    with pytest.raises(ValidationError) as refused:
        post_update(engineer, incident, components, status=IncidentStatus.MONITORING)
    assert "resolved" in refused.value.message_dict["status"][0]
    assert incident.updates.count() == 2


@pytest.mark.parametrize(
    ("title", "body", "status", "field"),
    [
        ("", "Body", "investigating", "title"),
        ("Title", "  ", "investigating", "body"),
        ("T", "B", "resolved", "status"),
    ],
)
def test_an_incident_needs_a_title_a_text_and_an_open_status(demo, components, title, body, status, field):
    from statuspage.services import incident_open

    with pytest.raises(ValidationError) as refused:
        incident_open(actor=demo["engineer"], title=title, status=status, body=body, component_states={})
    assert field in refused.value.message_dict


def test_maintenance_puts_its_components_under_maintenance_while_it_runs(demo, components):
    now = timezone.now()
    window = maintenance_schedule(
        actor=demo["engineer"],
        title="Database upgrade",
        description="",
        starts_at=now - datetime.timedelta(minutes=5),
        ends_at=now + datetime.timedelta(hours=1),
        components=[components["api"]],
    )
    assert states() == {"Portal": OK, "API": MAINTENANCE, "Europe": OK}
    [shown] = status_snapshot().maintenance
    assert (shown.title, shown.in_progress, shown.components) == ("Database upgrade", True, ["API"])
    maintenance_end(maintenance_id=window.pk, actor=demo["engineer"])
    assert states()["API"] == OK
    assert status_snapshot().maintenance == []
    assert status_snapshot().components[1].days[-1].state == MAINTENANCE  # it did happen today


def test_upcoming_maintenance_is_announced_but_changes_no_state_yet(demo, components):
    now = timezone.now()
    maintenance_schedule(
        actor=demo["engineer"],
        title="Relay swap",
        description="Email may arrive late.",
        starts_at=now + datetime.timedelta(days=2),
        ends_at=now + datetime.timedelta(days=2, hours=2),
        components=[components["europe"]],
    )
    assert states()["Europe"] == OK
    [shown] = status_snapshot().maintenance
    assert (shown.title, shown.in_progress) == ("Relay swap", False)


def test_maintenance_must_end_after_it_starts(demo, components):
    now = timezone.now()
    with pytest.raises(ValidationError) as refused:
        maintenance_schedule(
            actor=demo["engineer"],
            title="Backwards",
            description="",
            starts_at=now,
            ends_at=now,
            components=[components["api"]],
        )
    assert "ends_at" in refused.value.message_dict


def test_the_cached_snapshot_is_fresh_after_every_write_and_costs_no_query_when_warm(
    demo, components, django_assert_num_queries
):
    status_snapshot()
    with django_assert_num_queries(0):
        status_snapshot()
    open_incident(demo["engineer"], components)
    with django_assert_num_queries(5):
        assert states()["Portal"] == DEGRADED


def test_the_demo_status_page_has_components_and_a_resolved_incident_of_last_week(demo):
    from statuspage.demo import status_demo_seed

    status_demo_seed(actor=demo["engineer"])
    status_demo_seed(actor=demo["engineer"])  # twice: nothing doubles
    snapshot = status_snapshot()
    assert len(snapshot.components) == 6
    assert snapshot.state == OK
    [incident] = snapshot.recent_incidents
    assert incident.title == "Email ingestion delayed"
    ingestion = next(c for c in snapshot.components if c.name == "Email ingestion")
    assert PARTIAL in {day.state for day in ingestion.days[-5:]}
