"""The SLA state is one query annotation (tickets.selectors.with_sla_state): lists, the API and the case page
show it, and the list filters on it (`sla_state`, the same name on the page and the API). It must equal the
state a case works out for itself (Case.sla_state_at) on every demo case and on generated ones, boundaries
included."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from demo.cases import demo_cases_seed
from tenants.models import Organization
from tests.factories import CaseFactory
from tickets.models import Case, SlaState, Status
from tickets.scope import scope_for
from tickets.selectors import with_sla_state

DENVER = ZoneInfo("America/Denver")
HOUR = datetime.timedelta(hours=1)
DAY = datetime.timedelta(days=1)


def annotated_states(now: datetime.datetime) -> dict[int, str]:
    return dict(with_sla_state(Case.objects.all(), now=now).values_list("pk", "sla_state"))


def own_states(now: datetime.datetime) -> dict[int, str]:
    return {case.pk: case.sla_state_at(now=now) for case in Case.objects.all()}


# --- the demo cases -----------------------------------------------------------------------------------------


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_the_annotation_equals_each_demo_case_own_state_at_every_instant_that_matters(media, demo):
    demo_cases_seed()
    now = timezone.now()
    cases = list(Case.objects.all())
    assert cases
    instants = {now + offset for offset in (-30 * DAY, -7 * DAY, -DAY, -HOUR, 0 * HOUR, HOUR, DAY, 7 * DAY)}
    # Every instant at which some demo case changes state, and the microsecond before it.
    for case in cases:
        for instant in (case.first_response_due, case.first_response_at_risk_at):
            if instant is not None:
                instants |= {instant - datetime.timedelta(microseconds=1), instant}
    seen = set()
    for instant in sorted(instants):
        states = annotated_states(instant)
        assert states == own_states(instant), instant
        seen |= set(states.values())
    # Not vacuous: the states that move with the clock all show. (The demo answers every case in time, so
    # `missed` comes from the generated cases below.)
    assert {SlaState.ON_TRACK, SlaState.AT_RISK, SlaState.BREACHED, SlaState.MET} <= seen


# --- generated cases ----------------------------------------------------------------------------------------

NOW = datetime.datetime(2026, 11, 25, 15, 0, tzinfo=DENVER)
# Instants around NOW: on a few fixed steps (so that two of them, or one and NOW, often coincide exactly),
# a microsecond off NOW, or anywhere within three days.
STEPS = [
    -2 * HOUR,
    -HOUR,
    -datetime.timedelta(microseconds=1),
    0 * HOUR,
    datetime.timedelta(microseconds=1),
    HOUR,
]
instants = st.one_of(
    st.sampled_from(STEPS).map(lambda step: NOW + step),
    st.integers(-3 * 86_400_000_000, 3 * 86_400_000_000).map(
        lambda us: NOW + datetime.timedelta(microseconds=us)
    ),
)
maybe = st.one_of(st.none(), instants)

GENERATED = settings(
    max_examples=50,
    deadline=None,
    derandomize=True,
    database=None,
    # One case row, rewritten by every example: the function-scoped database is meant to be shared.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
def one_case(demo):
    return CaseFactory(organization=Organization.objects.get(name="Acme"), requester=demo["bob"])


@GENERATED
@given(received=instants, due=maybe, at_risk=maybe, responded=maybe, closed=maybe)
@example(received=NOW - DAY, due=NOW, at_risk=NOW - HOUR, responded=None, closed=None)  # now == due
@example(received=NOW - DAY, due=NOW + HOUR, at_risk=NOW, responded=None, closed=None)  # now == at risk
@example(received=NOW - DAY, due=NOW - HOUR, at_risk=NOW - 2 * HOUR, responded=NOW - HOUR, closed=None)
@example(received=NOW - DAY, due=NOW - HOUR, at_risk=None, responded=None, closed=NOW - HOUR)
@example(received=NOW - DAY, due=NOW + HOUR, at_risk=None, responded=None, closed=None)  # never at risk
@example(received=NOW - DAY, due=None, at_risk=None, responded=NOW, closed=NOW)  # no deadline
def test_the_annotation_equals_the_case_own_state_on_generated_cases(
    one_case, received, due, at_risk, responded, closed
):
    Case.objects.filter(pk=one_case.pk).update(
        received_at=received,
        first_response_due=due,
        first_response_at_risk_at=at_risk,
        first_responded_at=responded,
        closed_at=closed,
        status=Status.CLOSED if closed else Status.OPEN,
    )
    case = with_sla_state(Case.objects.filter(pk=one_case.pk), now=NOW).get()
    assert case.sla_state == case.sla_state_at(now=NOW)


# --- the filter on the API and the portal -------------------------------------------------------------------


def a_case(organization: str, requester, subject: str, state: str, now: datetime.datetime) -> Case:
    """A case whose instants put it plainly (hours from any boundary) in `state` at `now`."""
    instants = {
        "": {},
        SlaState.ON_TRACK: {"first_response_due": now + 2 * DAY, "first_response_at_risk_at": now + DAY},
        SlaState.AT_RISK: {"first_response_due": now + DAY, "first_response_at_risk_at": now - HOUR},
        SlaState.BREACHED: {"first_response_due": now - HOUR, "first_response_at_risk_at": now - 2 * HOUR},
        SlaState.MET: {"first_response_due": now - HOUR, "first_responded_at": now - 2 * HOUR},
        SlaState.MISSED: {"first_response_due": now - 2 * HOUR, "first_responded_at": now - HOUR},
    }[state]
    return CaseFactory(
        organization=Organization.objects.get(name=organization),
        requester=requester,
        subject=subject,
        received_at=now - 3 * DAY,
        **instants,
    )


@pytest.fixture
def cases(demo):
    """Acme cases in every state (Bob filed them; Alice, Acme's portal admin, sees them all), one closed
    unanswered after its deadline (missed, not breached), and a breached case of Northwind, another tenant."""
    now = timezone.now()
    made = {
        state or "none": a_case("Acme", demo["bob"], f"Acme {state or 'none'}", state, now)
        for state in ["", *SlaState.values]
    }
    made["second breached"] = a_case("Acme", demo["bob"], "Acme breached too", SlaState.BREACHED, now)
    made["closed late"] = a_case("Acme", demo["bob"], "Acme closed late", SlaState.BREACHED, now)
    Case.objects.filter(pk=made["closed late"].pk).update(status=Status.CLOSED, closed_at=now - HOUR / 2)
    made["northwind"] = a_case("Contoso Dental", demo["max"], "Northwind breached", SlaState.BREACHED, now)
    return made


def api_list(user, **query):
    client = APIClient()
    client.force_authenticate(user)
    return client.get("/api/v1/tickets/", query)


@pytest.mark.parametrize("state", SlaState.values)
def test_the_api_lists_exactly_the_cases_of_the_reader_in_that_state(demo, cases, state):
    response = api_list(demo["alice"], sla_state=state)
    assert response.status_code == 200
    listed = {row["number"]: row["sla_state"] for row in response.json()["results"]}
    now = timezone.now()
    expected = {
        case.number for case in scope_for(demo["alice"]).cases() if case.sla_state_at(now=now) == state
    }
    assert set(listed) == expected
    assert set(listed.values()) == {state}


def test_breached_means_waiting_past_the_deadline_not_closed_late_nor_another_tenant(demo, cases):
    listed = {row["number"] for row in api_list(demo["alice"], sla_state="breached").json()["results"]}
    assert listed == {cases["breached"].number, cases["second breached"].number}
    missed = {row["number"] for row in api_list(demo["alice"], sla_state="missed").json()["results"]}
    assert missed == {cases["missed"].number, cases["closed late"].number}


def test_an_unknown_sla_state_is_a_400_naming_the_field(demo, cases):
    response = api_list(demo["alice"], sla_state="late")
    assert response.status_code == 400
    assert set(response.json()) == {"sla_state"}


def test_the_filter_combines_with_the_others(demo, cases):
    response = api_list(demo["alice"], sla_state="breached", search="too")
    assert [row["number"] for row in response.json()["results"]] == [cases["second breached"].number]


def test_filtering_on_the_sla_state_costs_the_same_queries_as_the_plain_list(demo, cases):
    def queries(**query) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert api_list(demo["alice"], **query).status_code == 200
        return len(captured)

    assert queries(sla_state="breached") == queries() == 3


def test_the_portal_filters_on_the_same_sla_state(client, demo, cases):
    client.force_login(demo["bob"])
    page = client.get("/portal/", {"sla_state": "breached"}).content.decode()
    assert "Acme breached too" in page and "Acme breached<" in page
    for other in [
        "Acme on_track",
        "Acme at_risk",
        "Acme met",
        "Acme missed",
        "Acme closed late",
        "Acme none",
    ]:
        assert other not in page
    assert "Northwind breached" not in page
    assert '<option value="breached" selected>' in page


def test_the_portal_names_an_unknown_sla_state_and_lists_without_it(client, demo, cases):
    client.force_login(demo["bob"])
    response = client.get("/portal/", {"sla_state": "late"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Filter “sla_state” ignored" in page
    assert "Acme on_track" in page and "Acme breached too" in page


@pytest.mark.parametrize("state", SlaState.values)
def test_the_case_page_the_list_and_the_api_show_the_same_state(client, demo, cases, state):
    case = cases[state]
    label = SlaState(state).label
    client.force_login(demo["bob"])
    assert (
        f'<span class="sla sla-{state}">{label}</span>'
        in client.get(f"/portal/cases/{case.number}/").content.decode()
    )
    listing = client.get("/portal/", {"search": case.number, "status": "all"}).content.decode()
    assert f'<span class="sla sla-{state}">{label}</span>' in listing
    api = APIClient()
    api.force_authenticate(demo["bob"])
    assert api.get(f"/api/v1/tickets/{case.number}/").json()["sla_state"] == state
