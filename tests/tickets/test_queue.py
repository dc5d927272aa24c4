"""The engineers' queue: its order, every filter and view, saved views, bulk actions, pages and costs.

Cases are filed for Northwind MSP (Premium, 24 × 7: Sev 1 due in 1 h, Sev 2 in 2 h, Sev 3 in 4 h of open time,
which is wall time), received relative to now, so every deadline is known.
"""

import datetime

import pytest
from django.utils import timezone

from tests.tickets.helpers import file_case
from tickets.models import Case, CaseEvent, Channel, CloseReason, EventKind, ResponseKind, SavedView, Status
from tickets.queue import QueueFilters, queue_filters_from, queue_page, queue_views
from tickets.scope import scope_for
from tickets.services import ticket_assign, ticket_escalate, ticket_reply

MIA = "mia@northwind-msp.test"


def ago(**delta) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(**delta)


def northwind(subject, severity=3, *, received, organization="Contoso Dental", **extra) -> Case:
    case = file_case(MIA, organization, severity, subject=subject, received_at=received, **extra)
    # A named TAM may take new Premium cases; these tests decide who has each case themselves.
    Case.objects.filter(pk=case.pk).update(assignee=None)
    case.refresh_from_db()
    return case


def answer(case, engineer) -> None:
    ticket_reply(case=case, author=engineer, body="Looking into it.", kind=ResponseKind.ANSWER)


def queue_numbers(client, **params) -> list[str]:
    response = client.get("/api/v1/queue/", params)
    assert response.status_code == 200, response.content
    return [row["number"] for row in response.json()["results"]]


@pytest.fixture
def board(demo):
    """One case of each kind the order tells apart, named by what it is."""
    engineer = demo["engineer"]
    cases = {
        "breached": northwind("Breached two hours ago", 1, received=ago(hours=3)),
        "breached escalated": northwind("Breached an hour ago, escalated", 3, received=ago(hours=5)),
        "due soon": northwind("Due in 50 minutes", 1, received=ago(minutes=10)),
        "due later": northwind(
            "Due in four hours", 3, received=ago(minutes=1), organization="Fabrikam Logistics"
        ),
        "answered": northwind("Answered", 1, received=ago(hours=8)),
        "customer replied": northwind("Customer replied", 2, received=ago(hours=6)),
    }
    ticket_escalate(case=cases["breached escalated"], actor=demo["mia"], reason="Payroll runs tonight.")
    answer(cases["answered"], engineer)
    answer(cases["customer replied"], engineer)
    ticket_reply(case=cases["customer replied"], author=demo["mia"], body="Still broken after the restart.")
    return cases


def in_order(cases, *names) -> list[str]:
    return [cases[name].number for name in names]


def test_the_queue_puts_breached_first_escalated_first_in_its_band_and_answered_cases_last(
    client, demo, board
):
    client.force_login(demo["engineer"])
    assert queue_numbers(client) == in_order(
        board, "breached escalated", "breached", "due soon", "due later", "customer replied", "answered"
    )


def test_my_cases_bring_a_customer_reply_back_to_the_top(client, demo, board):
    for case in board.values():
        Case.objects.filter(pk=case.pk).update(assignee=demo["engineer"])
    client.force_login(demo["engineer"])
    assert queue_numbers(client, assignee="me") == in_order(
        board, "customer replied", "breached escalated", "breached", "due soon", "due later", "answered"
    )
    page = client.get("/queue/", {"assignee": "me"}).content.decode()
    assert "Customer replied" in page
    assert page.index(board["customer replied"].number) < page.index(board["breached"].number)


def test_severity_decides_between_cases_due_at_the_same_time(demo):
    received = ago(minutes=30)
    sev3 = northwind("Sev 3", 3, received=received)
    sev1 = northwind("Sev 1", 1, received=received)
    Case.objects.filter(pk=sev3.pk).update(first_response_due=sev1.first_response_due)
    page = queue_page(scope=scope_for(demo["engineer"]), filters=QueueFilters())
    assert [case.number for case in page.rows] == [sev1.number, sev3.number]


def test_rows_show_time_left_in_open_time_and_how_long_a_customer_waited(client, demo, board):
    client.force_login(demo["engineer"])
    rows = {row["number"]: row for row in client.get("/api/v1/queue/").json()["results"]}
    soon = rows[board["due soon"].number]
    assert soon["time_left"] in ("49 m left", "50 m left")
    assert soon["sla_state"] == "on_track" and soon["escalated"] is False
    breached = rows[board["breached"].number]
    assert breached["time_left"].startswith("breached 2 h") and breached["open_minutes_left"] < -100
    assert rows[board["breached escalated"].number]["escalated"] is True
    replied = rows[board["customer replied"].number]
    assert replied["time_left"] == "" and replied["first_responded_at"] is not None
    assert replied["customer_replied_at"] is not None
    page = client.get("/queue/").content.decode()
    assert "breached 2 h" in page and "Escalated" in page and "Customer replied" in page


def test_a_closed_case_leaves_the_queue_and_shows_on_the_closed_tab(client, demo, board):
    case = board["due later"]
    client.force_login(demo["engineer"])
    client.post(
        "/queue/bulk/",
        {"case": [case.number], "action": "status", "status": "closed", "reason": CloseReason.RESOLVED},
    )
    assert case.number not in queue_numbers(client)
    assert queue_numbers(client, status="closed") == [case.number]
    assert queue_numbers(client, status="closed", search="four hours") == [case.number]
    assert queue_numbers(client, status="closed", search="Breached") == []


# --- filters ------------------------------------------------------------------------------------------------


@pytest.fixture
def varied(demo):
    """Cases that differ in one thing each from a plain Sev 3 Contoso Dental portal case."""
    plain = northwind("Plain", 3, received=ago(minutes=5))
    cases = {
        "plain": plain,
        "sev1": northwind("Sev one", 1, received=ago(minutes=5)),
        "fabrikam": northwind("In Fabrikam", received=ago(minutes=5), organization="Fabrikam Logistics"),
        "acme": file_case("bob@acme.test", "Acme", 3, subject="Acme standard case"),
        "phone": northwind("By phone", received=ago(minutes=5), channel=Channel.PHONE),
        "escalated": northwind("Escalated", received=ago(minutes=5)),
        "mine": northwind("Mine", received=ago(minutes=5)),
        "priya": northwind("Priya's", received=ago(minutes=5)),
        "breached": northwind("Breached", 1, received=ago(hours=2)),
        "waiting": northwind("Waiting on them", received=ago(minutes=5)),
        "product": northwind("Gateway case", received=ago(minutes=5)),
    }
    Case.objects.filter(pk=cases["acme"].pk).update(assignee=None)
    ticket_escalate(case=cases["escalated"], actor=demo["mia"], reason="Urgent.")
    ticket_assign(case=cases["mine"], actor=demo["engineer"], assignee=demo["engineer"])
    ticket_assign(case=cases["priya"], actor=demo["engineer"], assignee=demo["engineer2"])
    ticket_reply(
        case=cases["waiting"], author=demo["engineer"], body="Which version?", kind=ResponseKind.REQUEST_INFO
    )
    from tenants.models import Product

    Case.objects.filter(pk=cases["product"].pk).update(product=Product.objects.get(name="Identity Gateway"))
    return cases


def _expect(varied, params, demo):
    from tenants.models import Product, Tier

    organizations = {case.organization.name: case.organization_id for case in varied.values()}
    engineer2 = demo["engineer2"].pk
    return (
        {
            "severity=1": ({"severity": 1}, {"sev1", "breached"}),
            "tier=standard": ({"tier": "standard"}, {"acme"}),
            "account": ({"account": varied["acme"].account_id}, {"acme"}),
            "organization": ({"organization": organizations["Fabrikam Logistics"]}, {"fabrikam"}),
            "assignee=me": ({"assignee": "me"}, {"mine"}),
            "assignee=id": ({"assignee": engineer2}, {"priya"}),
            "assignee=none": ({"assignee": "none"}, set(varied) - {"mine", "priya"}),
            "escalated=yes": ({"escalated": "yes"}, {"escalated"}),
            "channel=phone": ({"channel": "phone"}, {"phone"}),
            "product": ({"product": Product.objects.get(name="Identity Gateway").pk}, {"product"}),
            "sla_state=breached": ({"sla_state": "breached"}, {"breached"}),
            "sla_state=met": ({"sla_state": "met"}, {"waiting"}),
            "status": ({"status": Status.WAITING_ON_CUSTOMER}, {"waiting"}),
            "search number": ({"search": varied["phone"].number}, {"phone"}),
            "search subject": ({"search": "gateway CASE"}, {"product"}),
            "search requester": ({"search": "Bob Baker"}, {"acme"}),
            "search email": ({"search": "bob@acme"}, {"acme"}),
            "breaching within 1 h": ({"breaching_within": 60}, {"sev1"}),
        }[params]
        if Tier
        else None
    )


FILTERS = [
    "severity=1",
    "tier=standard",
    "account",
    "organization",
    "assignee=me",
    "assignee=id",
    "assignee=none",
    "escalated=yes",
    "channel=phone",
    "product",
    "sla_state=breached",
    "sla_state=met",
    "status",
    "search number",
    "search subject",
    "search requester",
    "search email",
    "breaching within 1 h",
]


@pytest.mark.parametrize("name", FILTERS)
def test_each_filter_chooses_its_cases_on_the_page_and_the_api(client, demo, varied, name):
    params, expected = _expect(varied, name, demo)
    client.force_login(demo["engineer"])
    numbers = set(queue_numbers(client, **params))
    assert numbers == {varied[key].number for key in expected}
    page = client.get("/queue/", params).content.decode()
    for key, case in varied.items():
        assert (case.number in page) == (key in expected), key


def test_a_wrong_parameter_is_named_by_the_api_and_ignored_by_the_page(client, demo, varied):
    client.force_login(demo["engineer"])
    response = client.get("/api/v1/queue/", {"severity": 7, "assignee": "someone"})
    assert response.status_code == 400
    assert set(response.json()) == {"severity", "assignee"}
    page = client.get("/queue/", {"severity": 7, "channel": "phone"})
    assert page.status_code == 400
    text = page.content.decode()
    assert "Filter “severity” ignored" in text
    assert varied["phone"].number in text and varied["plain"].number not in text
    assert client.get("/api/v1/queue/", {"cursor": "not-a-cursor"}).json() == {
        "cursor": ["This page link is no longer valid: start again from the first page."]
    }


# --- views and counts ---------------------------------------------------------------------------------------


def test_the_built_in_views_count_their_cases(client, demo, varied):
    views = {view.key: view for view in queue_views(scope=scope_for(demo["engineer"]), user=demo["engineer"])}
    assert views["all"].count == len(varied)
    assert views["mine"].count == 1
    assert views["unassigned"].count == len(varied) - 2
    assert views["breaching"].count == 1
    assert views["escalations"].count == 1
    assert views["waiting"].count == 1
    assert views["closed"].count is None  # never counted: there are a million
    client.force_login(demo["engineer"])
    assert set(queue_numbers(client, breaching_within=60)) == {varied["sev1"].number}
    page = client.get("/queue/", {"assignee": "none"}).content.decode()
    assert 'aria-current="page">Unassigned <span class="count">9</span>' in page


def test_an_engineer_saves_a_view_that_only_they_see(client, demo, varied):
    client.force_login(demo["engineer"])
    response = client.post("/queue/views/", {"name": "Sev 1 here", "query": "severity=1&cursor=abc&search="})
    assert response.status_code == 302 and response["Location"] == "/queue/?severity=1"
    saved = SavedView.objects.get(owner=demo["engineer"])
    assert saved.query == "severity=1"
    views = {
        view.name: view for view in queue_views(scope=scope_for(demo["engineer"]), user=demo["engineer"])
    }
    assert views["Sev 1 here"].count == 2
    assert "Sev 1 here" in client.get("/queue/").content.decode()

    client.force_login(demo["engineer2"])
    assert "Sev 1 here" not in client.get("/queue/").content.decode()
    assert client.post(f"/queue/views/{saved.pk}/delete/").status_code == 404
    assert SavedView.objects.filter(pk=saved.pk).exists()

    client.force_login(demo["engineer"])
    assert client.post("/queue/views/", {"name": "Odd", "query": "severity=9"}).status_code == 302
    assert not SavedView.objects.filter(name="Odd").exists()
    client.post(f"/queue/views/{saved.pk}/delete/")
    assert not SavedView.objects.filter(pk=saved.pk).exists()


# --- bulk actions -------------------------------------------------------------------------------------------


def bulk(client, data) -> tuple:
    """Post the bulk form; the answer, and the messages shown on the page it leads back to."""
    response = client.post("/queue/bulk/", data)
    assert response.status_code == 302
    page = client.get(response["Location"])
    return response, [str(message) for message in page.context["messages"]]


def test_bulk_take_assigns_each_case_through_the_door_and_names_what_was_refused(client, demo, varied):
    client.force_login(demo["engineer"])
    closed = varied["plain"]
    close = {"case": [closed.number], "action": "status", "status": "closed", "reason": "withdrawn"}
    assert bulk(client, close)[1] == [f"Closed as withdrawn: 1 case ({closed.number})."]
    chosen = [varied["sev1"].number, varied["mine"].number, closed.number]
    response, said = bulk(client, {"case": chosen, "action": "take", "back": "severity=1"})
    assert response["Location"] == "/queue/?severity=1"
    assert said[0] == f"Took: 1 case ({varied['sev1'].number})."
    assert varied["mine"].number in said[1] and "already assigned to Erik Engel" in said[1]
    assert f"{closed.number} (This case is closed. Reopen it first.)" in said[1]
    assert Case.objects.get(pk=varied["sev1"].pk).assignee == demo["engineer"]
    event = CaseEvent.objects.filter(case=varied["sev1"], kind=EventKind.ASSIGNED).get()
    assert (event.actor, event.data["from"], event.data["to"]) == (
        demo["engineer"],
        None,
        "engineer@demo.test",
    )


def test_bulk_assign_unassign_and_status_changes(client, demo, varied):
    client.force_login(demo["engineer"])
    numbers = [varied["sev1"].number, varied["fabrikam"].number]
    _, said = bulk(client, {"case": numbers, "action": "assign", "assignee": demo["engineer2"].pk})
    assert said == [f"Assigned to Priya Nair: 2 cases ({', '.join(numbers)})."]
    assert set(Case.objects.filter(number__in=numbers).values_list("assignee", flat=True)) == {
        demo["engineer2"].pk
    }
    _, said = bulk(client, {"case": numbers, "action": "assign", "assignee": demo["bob"].pk})
    assert said == ["Choose who to assign the cases to."]

    # Cases a colleague holds: an engineer may not take them from them; a supervisor may.
    _, said = bulk(client, {"case": numbers[:1], "action": "unassign"})
    assert "only a supervisor can reassign it" in said[0]
    assert Case.objects.get(number=numbers[0]).assignee == demo["engineer2"]
    client.force_login(demo["supervisor"])
    bulk(client, {"case": numbers[:1], "action": "unassign"})
    assert Case.objects.get(number=numbers[0]).assignee is None

    # A new case opens with its first public reply, never by hand; an answered one may wait on the customer.
    _, said = bulk(client, {"case": numbers, "action": "status", "status": "waiting_on_customer"})
    assert "it opens with its first public reply" in said[0]
    assert Case.objects.filter(number__in=numbers, status=Status.NEW).count() == 2
    ticket_reply(case=varied["sev1"], author=demo["engineer"], body="On it.", kind=ResponseKind.ANSWER)
    bulk(client, {"case": numbers, "action": "status", "status": "waiting_on_customer"})
    assert Case.objects.get(number=numbers[0]).status == Status.WAITING_ON_CUSTOMER
    assert Case.objects.get(number=numbers[0]).auto_close_at is not None
    assert Case.objects.get(number=numbers[1]).status == Status.NEW
    _, said = bulk(client, {"case": numbers, "action": "status", "status": "closed"})
    assert said == ["Choose why the cases close."]
    bulk(client, {"case": numbers, "action": "status", "status": "closed", "reason": "duplicate"})
    assert set(Case.objects.filter(number__in=numbers).values_list("close_reason", flat=True)) == {
        "duplicate"
    }


def test_a_customer_cannot_use_the_bulk_actions(client, demo, varied):
    client.force_login(demo["mia"])
    response = client.post("/queue/bulk/", {"case": [varied["plain"].number], "action": "take"})
    assert response.status_code == 404
    assert Case.objects.get(pk=varied["plain"].pk).assignee is None


# --- pages --------------------------------------------------------------------------------------------------


def test_keyset_pages_stay_put_when_a_new_case_arrives(client, demo):
    cases = [northwind(f"Case {n}", 3, received=ago(minutes=60 - n)) for n in range(5)]
    scope = scope_for(demo["engineer"])
    first = queue_page(scope=scope, filters=QueueFilters(), size=2)
    assert [c.pk for c in first.rows] == [cases[0].pk, cases[1].pk]
    assert not first.previous_cursor

    # A Sev 1 arrives: it sorts first, but the next page goes on from where the first one ended.
    urgent = northwind("Urgent newcomer", 1, received=ago(minutes=1))
    second = queue_page(scope=scope, filters=QueueFilters(cursor=first.next_cursor), size=2)
    assert [c.pk for c in second.rows] == [cases[2].pk, cases[3].pk]
    third = queue_page(scope=scope, filters=QueueFilters(cursor=second.next_cursor), size=2)
    assert [c.pk for c in third.rows] == [cases[4].pk] and not third.next_cursor

    back = queue_page(scope=scope, filters=QueueFilters(cursor=second.previous_cursor), size=2)
    assert [c.pk for c in back.rows] == [cases[0].pk, cases[1].pk]
    assert back.previous_cursor  # the newcomer is before them now
    front = queue_page(scope=scope, filters=QueueFilters(cursor=back.previous_cursor), size=2)
    assert [c.pk for c in front.rows] == [urgent.pk]


def test_the_api_links_its_pages_with_cursors_keeping_the_filters(client, demo):
    for n in range(55):
        northwind(f"Case {n}", 3, received=ago(minutes=100 - n))
    client.force_login(demo["engineer"])
    first = client.get("/api/v1/queue/", {"severity": 3}).json()
    assert len(first["results"]) == 50 and first["previous"] is None
    assert "severity=3" in first["next"]
    second = client.get(first["next"]).json()
    assert len(second["results"]) == 5 and second["next"] is None
    assert {row["number"] for row in first["results"]}.isdisjoint(row["number"] for row in second["results"])
    assert client.get(second["previous"]).json()["results"] == first["results"]
    page = client.get("/queue/", {"severity": 3}).content.decode()
    assert 'rel="next"' in page


def test_closed_cases_page_newest_closed_first(demo):
    cases = [northwind(f"Closed {n}", received=ago(hours=3)) for n in range(3)]
    for n, case in enumerate(cases):
        Case.objects.filter(pk=case.pk).update(
            status=Status.CLOSED, closed_at=ago(minutes=30 - n), close_reason="resolved"
        )
    scope = scope_for(demo["engineer"])
    first = queue_page(scope=scope, filters=QueueFilters(status="closed"), size=2)
    assert [c.pk for c in first.rows] == [cases[2].pk, cases[1].pk]
    second = queue_page(scope=scope, filters=QueueFilters(status="closed", cursor=first.next_cursor), size=2)
    assert [c.pk for c in second.rows] == [cases[0].pk]


# --- who may see it, and what it costs ----------------------------------------------------------------------


@pytest.mark.parametrize("who", ["bob", "alice", "mia"])
def test_customers_get_404_on_the_queue_page_and_api(client, demo, board, who):
    client.force_login(demo[who])
    assert client.get("/queue/").status_code == 404
    assert client.get("/api/v1/queue/").status_code == 404
    assert client.get("/queue/", {"partial": 1}).status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in_or_get_401(client, db):
    assert client.get("/queue/").status_code == 302
    assert client.get("/api/v1/queue/").status_code == 401


def test_the_refresh_partial_keeps_the_filters(client, demo, varied):
    client.force_login(demo["engineer"])
    response = client.get("/queue/", {"channel": "phone", "partial": "1"})
    text = response.content.decode()
    assert response.status_code == 200 and "<html" not in text
    assert varied["phone"].number in text and varied["plain"].number not in text


def _queries(client, django_assert_max_num_queries, path, **params) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(path, params).status_code == 200
    return len(captured)


@pytest.mark.parametrize("path", ["/queue/", "/api/v1/queue/"])
def test_the_queue_costs_the_same_queries_for_10_and_50_rows(
    client, demo, path, django_assert_max_num_queries
):
    engineer = demo["engineer"]
    client.force_login(engineer)
    for n in range(10):
        case = northwind(f"Case {n}", n % 3 + 1, received=ago(minutes=200 - n), channel=Channel.PHONE)
        Case.objects.filter(pk=case.pk).update(assignee=engineer)
    client.get(path)  # warm: the SLA calendars are built once per process
    ten = _queries(client, django_assert_max_num_queries, path)
    for n in range(40):
        case = northwind(
            f"More {n}", n % 3 + 1, received=ago(minutes=100 - n), organization="Tailspin Clinics"
        )
        if n % 2:
            ticket_escalate(case=case, actor=demo["mia"], reason="Hurry.")
    fifty = _queries(client, django_assert_max_num_queries, path)
    assert ten == fifty
    with django_assert_max_num_queries(12):
        client.get(path)


def test_the_schema_lists_the_queue(client, db):
    paths = client.get("/api/schema/", {"format": "json"}).json()["paths"]
    queue = paths["/api/v1/queue/"]["get"]
    names = {parameter["name"] for parameter in queue["parameters"]}
    assert {"status", "severity", "tier", "assignee", "escalated", "sla_state", "search", "cursor"} <= names


# --- assignment ---------------------------------------------------------------------------------------------


def test_only_active_staff_can_be_assigned(demo, board):
    from django.core.exceptions import ValidationError

    case = board["breached"]
    with pytest.raises(ValidationError) as refused:
        ticket_assign(case=case, actor=demo["engineer"], assignee=demo["bob"])
    assert "not an active support engineer" in str(refused.value)
    # An admin configures the product; cases are held by engineers and supervisors.
    with pytest.raises(ValidationError):
        ticket_assign(case=case, actor=demo["engineer"], assignee=demo["admin"])
    demo["engineer2"].is_active = False
    with pytest.raises(ValidationError):
        ticket_assign(case=case, actor=demo["engineer"], assignee=demo["engineer2"])
    with pytest.raises(ValidationError):
        ticket_assign(case=case, actor=demo["engineer"], assignee=None)  # nobody to unassign
    ticket_assign(case=case, actor=demo["engineer"], assignee=demo["supervisor"])
    assert Case.objects.get(pk=case.pk).assignee == demo["supervisor"]
    filters, errors = queue_filters_from({"assignee": "me"}, user=demo["engineer"])
    assert filters.assignee_id == demo["engineer"].pk and filters.mine and not errors
