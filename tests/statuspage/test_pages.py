"""The public status pages, the feed and the JSON; the staff pages, 404 for everyone else; the banner."""

import datetime
import xml.etree.ElementTree as ET
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import get_resolver
from django.utils import timezone

from statuspage.models import Incident, IncidentStatus, Maintenance
from tests.statuspage.helpers import DEGRADED, MAJOR, make_components, open_incident, post_update
from tests.test_content_security_policy import assert_strict_page


@pytest.fixture
def components(db):
    return make_components()


def staff_routes() -> list[str]:
    """Every staff page under /status/manage/, found in the URL patterns, with ids filled in."""
    paths = []

    def walk(patterns, prefix=""):
        for entry in patterns:
            route = prefix + str(entry.pattern)
            if hasattr(entry, "url_patterns"):
                walk(entry.url_patterns, route)
            elif route.startswith("status/manage/"):
                paths.append(
                    "/" + route.replace("<int:incident_id>", "1").replace("<int:maintenance_id>", "1")
                )

    walk(get_resolver().url_patterns)
    return paths


def test_anonymous_visitors_read_the_status_page_without_signing_in(client, demo, components):
    incident = open_incident(demo["engineer"], components, title="Portal slow", body="**Slower** sign-ins.")
    response = client.get("/status/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Degraded performance" in page and "<strong>Slower</strong> sign-ins." in page
    assert page.count('class="day ') == 90 * 3
    assert f'href="/status/incidents/{incident.pk}/"' in page
    assert "Manage incidents" not in page
    detail = client.get(f"/status/incidents/{incident.pk}/")
    assert detail.status_code == 200 and "Investigating" in detail.content.decode()
    assert client.get("/status/incidents/999999/").status_code == 404
    assert_strict_page(client, "/status/")
    assert_strict_page(client, f"/status/incidents/{incident.pk}/")


def test_the_status_page_costs_no_query_once_cached(client, components, django_assert_num_queries):
    client.get("/status/")
    with django_assert_num_queries(0):
        assert client.get("/status/").status_code == 200


def test_staff_pages_answer_404_to_customers_and_anonymous_visitors(demo, components):
    incident = open_incident(demo["engineer"], components)
    now = timezone.now()
    window = Maintenance.objects.create(
        title="Upgrade",
        starts_at=now,
        ends_at=now + datetime.timedelta(hours=1),
        created_by=demo["engineer"],
        created_at=now,
    )
    routes = [
        path.replace("incidents/1/", f"incidents/{incident.pk}/").replace(
            "maintenance/1/", f"maintenance/{window.pk}/"
        )
        for path in staff_routes()
    ]
    assert len(routes) == 5
    for who in [None, demo["bob"], demo["alice"], demo["max"]]:
        client = Client()
        if who:
            client.force_login(who)
        for path in routes:
            for method in ("get", "post"):
                response = getattr(client, method)(path, {"status": "resolved", "body": "x", "title": "x"})
                assert response.status_code == 404, (who, method, path)
    assert Incident.objects.get().status == IncidentStatus.INVESTIGATING
    assert Maintenance.objects.get().ends_at == window.ends_at


def test_an_engineer_opens_and_updates_an_incident_from_the_product(client, demo, components):
    client.force_login(demo["engineer"])
    assert_strict_page(client, "/status/manage/")
    assert_strict_page(client, "/status/manage/incidents/new/")
    portal, api = components["portal"].pk, components["api"].pk
    response = client.post(
        "/status/manage/incidents/new/",
        {"title": "API errors", "status": "investigating", "body": "5xx on /tickets.",
         f"component_{api}": MAJOR, f"component_{portal}": "operational",
         f"component_{components['europe'].pk}": "operational"},
    )  # fmt: skip
    incident = Incident.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/status/manage/incidents/{incident.pk}/"
    page = client.get(f"/status/manage/incidents/{incident.pk}/").content.decode()
    assert '<option value="major_outage" selected>' in page  # the form starts from the current states

    response = client.post(
        f"/status/manage/incidents/{incident.pk}/",
        {"status": "resolved", "body": "Rolled back.", f"component_{api}": MAJOR,
         f"component_{portal}": "operational", f"component_{components['europe'].pk}": "operational"},
    )  # fmt: skip
    assert response.status_code == 302
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.RESOLVED
    assert "Rolled back." in client.get(f"/status/incidents/{incident.pk}/").content.decode()


def test_a_form_error_keeps_what_was_typed(client, demo, components):
    client.force_login(demo["engineer"])
    response = client.post(
        "/status/manage/incidents/new/", {"title": "", "status": "investigating", "body": "Kept"}
    )
    assert response.status_code == 400
    assert "Kept" in response.content.decode()
    assert not Incident.objects.exists()


def test_an_engineer_schedules_and_ends_maintenance(client, demo, components):
    client.force_login(demo["engineer"])
    assert_strict_page(client, "/status/manage/maintenance/new/")
    start = timezone.localtime(timezone.now()) + datetime.timedelta(days=1)
    response = client.post(
        "/status/manage/maintenance/new/",
        {
            "title": "Database upgrade",
            "description": "A few minutes read-only.",
            "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (start + datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
            "components": [components["api"].pk],
        },
    )
    assert response.status_code == 302
    window = Maintenance.objects.get()
    assert "Database upgrade" in Client().get("/status/").content.decode()
    client.post(f"/status/manage/maintenance/{window.pk}/end/")
    assert not Maintenance.objects.exists()  # not started yet: cancelled
    assert "Database upgrade" not in Client().get("/status/").content.decode()


def test_an_update_without_text_is_shown_again_with_the_error(client, demo, components):
    incident = open_incident(demo["engineer"], components)
    client.force_login(demo["engineer"])
    response = client.post(f"/status/manage/incidents/{incident.pk}/", {"status": "monitoring", "body": ""})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert incident.updates.count() == 1


DAY = datetime.timedelta(days=1)


@pytest.mark.parametrize(
    "starts, ends, field, message",
    [
        ("9999-12-31T20:00", "9999-12-31T23:00", "starts_at", "Schedule maintenance to start within a year."),
        (DAY, 9 * DAY, "ends_at", "A maintenance window lasts at most 7 days"),
        ("0001-01-01T00:00", "0001-01-01T01:00", "ends_at", "This window is already over."),
    ],
)
def test_a_maintenance_window_out_of_range_is_refused_on_the_form(
    client, demo, components, starts, ends, field, message
):
    """Typed in America/Denver; a time as a delta is from now."""
    engineer = demo["engineer"]
    engineer.time_zone = "America/Denver"
    engineer.save(update_fields=["time_zone"])
    client.force_login(engineer)
    now = timezone.now().astimezone(ZoneInfo("America/Denver"))

    def typed(value):
        return value if isinstance(value, str) else (now + value).strftime("%Y-%m-%dT%H:%M")

    data = {
        "title": "Database upgrade",
        "starts_at": typed(starts),
        "ends_at": typed(ends),
        "components": [components["api"].pk],
    }
    response = client.post("/status/manage/maintenance/new/", data)

    assert response.status_code == 400
    page = response.content.decode()
    assert f'<ul id="id_{field}_error" class="errorlist" role="alert"><li>{message}' in page
    assert f'value="{data[field]}"' in page
    assert not Maintenance.objects.exists()
    assert client.get("/status/manage/").status_code == 200


def test_the_json_lists_components_open_incidents_and_maintenance(client, demo, components):
    incident = open_incident(demo["engineer"], components, states={"portal": DEGRADED, "europe": MAJOR})
    now = timezone.now()
    Maintenance.objects.create(
        title="Relay swap",
        starts_at=now + datetime.timedelta(days=1),
        ends_at=now + datetime.timedelta(days=1, hours=1),
        created_by=demo["engineer"],
        created_at=now,
    ).components.set([components["api"]])
    from statuspage.services import status_changed

    status_changed()
    response = Client(HTTP_AUTHORIZATION="Token not-a-real-token").get("/api/v1/status/")
    assert response.status_code == 200
    body = response.json()
    assert body["state"] == MAJOR
    assert body["components"] == [
        {"id": components["portal"].pk, "name": "Portal", "group": "Platform", "state": DEGRADED},
        {"id": components["api"].pk, "name": "API", "group": "Platform", "state": "operational"},
        {"id": components["europe"].pk, "name": "Europe", "group": "Agents by region", "state": MAJOR},
    ]
    [shown] = body["incidents"]
    assert shown["id"] == incident.pk and shown["status"] == "investigating"
    assert shown["url"] == f"http://testserver/status/incidents/{incident.pk}/"
    assert set(shown["latest_update"]) == {"status", "body", "created_at"}
    assert shown["affected_components"] == [
        {"component": "Portal", "state": DEGRADED},
        {"component": "Europe", "state": MAJOR},
    ]
    [window] = body["maintenance"]
    assert (window["title"], window["in_progress"], window["components"]) == ("Relay swap", False, ["API"])


def test_the_atom_feed_lists_incidents_newest_first(client, demo, components):
    first = open_incident(demo["engineer"], components, title="Older")
    post_update(demo["engineer"], first, components, status=IncidentStatus.RESOLVED, body="Done.")
    open_incident(demo["engineer"], components, title="Newer", body="Looking.")
    response = client.get("/status/feed/")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/atom+xml")
    ns = {"a": "http://www.w3.org/2005/Atom"}
    feed = ET.fromstring(response.content)  # noqa: S314 (our own feed)
    entries = feed.findall("a:entry", ns)
    assert [entry.find("a:title", ns).text for entry in entries] == [
        "Newer (Investigating)",
        "Older (Resolved)",
    ]
    assert entries[1].find("a:summary", ns).text == "Resolved: Done."
    assert entries[1].find("a:link", ns).get("href").endswith(f"/status/incidents/{first.pk}/")


def test_the_banner_shows_on_signed_in_pages_while_an_incident_is_open(client, demo, components):
    client.force_login(demo["bob"])
    assert "status-banner" not in client.get("/portal/").content.decode()
    incident = open_incident(demo["engineer"], components, title="Portal slow")
    for path in ["/portal/", "/status/"]:
        page = client.get(path).content.decode()
        assert "status-banner" in page and f'href="/status/incidents/{incident.pk}/">Portal slow</a>' in page
    assert "status-banner" in Client().get("/status/").content.decode()  # anonymous on the status page too
    post_update(demo["engineer"], incident, components, status=IncidentStatus.RESOLVED)
    for path in ["/portal/", "/status/"]:
        assert "status-banner" not in client.get(path).content.decode()
