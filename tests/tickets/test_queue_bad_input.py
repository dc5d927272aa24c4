"""Bad input to the queue is the engineer's mistake, never a server error: a hand-made page link, a NUL in a
case number, a view's name or a filter answers naming the problem, on PostgreSQL, where such values would
otherwise reach the database and fail there."""

import base64
import datetime
import json

import pytest
from django.utils import timezone

from tests.tickets.helpers import file_case
from tickets.models import Case, SavedView, Status
from tickets.queue import QueueFilters, queue_page
from tickets.scope import scope_for

NUL = "\x00"
MIA = "mia@northwind-msp.test"
NOT_A_LINK = "This page link is no longer valid: start again from the first page."
SEARCH_REFUSED = "search: Null characters are not allowed."


def northwind(subject, *, minutes_ago) -> Case:
    received = timezone.now() - datetime.timedelta(minutes=minutes_ago)
    case = file_case(MIA, "Contoso Dental", 3, subject=subject, received_at=received)
    Case.objects.filter(pk=case.pk).update(assignee=None)
    return case


@pytest.fixture
def engineer(client, demo):
    client.force_login(demo["engineer"])
    return client


def cursor_data(cursor: str) -> dict:
    return json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))


def hand_made(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode()


def at_offset(text: str, hours: int) -> str:
    """The same instant written with another UTC offset."""
    zone = datetime.timezone(datetime.timedelta(hours=hours))
    return datetime.datetime.fromisoformat(text).astimezone(zone).isoformat()


def numbers(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["number"] for row in response.json()["results"]]


# --- page links (cursors) -----------------------------------------------------------------------------------


@pytest.mark.parametrize("status", ["", Status.CLOSED])
def test_a_page_link_written_with_any_utc_offset_goes_on_from_the_same_case(engineer, demo, status):
    """Python reads offsets up to ±23:59, PostgreSQL at most ±15:59: the link's times are read as instants."""
    cases = [northwind(f"Case {n}", minutes_ago=60 - n) for n in range(3)]
    if status == Status.CLOSED:
        for n, case in enumerate(cases):
            Case.objects.filter(pk=case.pk).update(
                status=Status.CLOSED, closed_at=timezone.now() - datetime.timedelta(minutes=30 - n)
            )
    first = queue_page(scope=scope_for(demo["engineer"]), filters=QueueFilters(status=status), size=1)
    data = cursor_data(first.next_cursor)
    data["at"] = at_offset(data["at"], 16)
    data["k"] = [at_offset(v, -20) if isinstance(v, str) else v for v in data["k"]]

    genuine = engineer.get("/api/v1/queue/", {"status": status, "cursor": first.next_cursor})
    rewritten = engineer.get("/api/v1/queue/", {"status": status, "cursor": hand_made(data)})
    page = engineer.get("/queue/", {"status": status, "cursor": hand_made(data)})

    assert len(numbers(genuine)) == 2
    assert numbers(rewritten) == numbers(genuine)
    assert page.status_code == 200
    assert all(number in page.content.decode() for number in numbers(genuine))


# Instants Python cannot hold once moved to UTC (past year 9999 or before year 1).
OUT_OF_RANGE = ["9999-12-31T23:00:00-05:00", "0001-01-01T00:00:00+05:00"]


@pytest.mark.parametrize("time", OUT_OF_RANGE)
@pytest.mark.parametrize("where", ["at", "key"])
def test_a_page_link_with_a_time_out_of_range_is_refused_by_name(engineer, demo, time, where):
    case = northwind("Agents stopped reporting", minutes_ago=5)
    moment = "2026-06-01T00:00:00+00:00"
    data = {"at": moment, "o": "open", "d": "after", "s": 0, "k": [moment, 3, moment, 1]}
    if where == "at":
        data["at"] = time
    else:
        data["k"][0] = time

    api = engineer.get("/api/v1/queue/", {"cursor": hand_made(data)})
    page = engineer.get("/queue/", {"cursor": hand_made(data)})

    assert api.status_code == 400
    assert api.json() == {"cursor": [NOT_A_LINK]}
    assert page.status_code == 400
    assert "Filter “cursor” ignored" in page.content.decode()
    assert case.number in page.content.decode()  # the first page, shown instead


# --- bulk actions -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("not_a_number", [f"a{NUL}b", "SD-2026-" + "0" * 5000])
def test_bulk_take_names_a_case_number_no_case_can_have_as_no_such_case(engineer, demo, not_a_number):
    case = northwind("Agents stopped reporting", minutes_ago=5)

    response = engineer.post("/queue/bulk/", {"case": [not_a_number, case.number], "action": "take"})

    assert response.status_code == 302
    said = [str(message) for message in engineer.get(response["Location"]).context["messages"]]
    assert said == [
        f"Took: 1 case ({case.number}).",
        f"Not changed: 1 case: {not_a_number} (no such case).",
    ]
    assert Case.objects.get(pk=case.pk).assignee == demo["engineer"]


# --- saved views --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "form, problem",
    [
        ({"name": f"a{NUL}b", "query": "severity=1"}, "A view's name cannot hold a NUL character."),
        ({"name": "Sev 1", "query": "search=a%00b"}, SEARCH_REFUSED),
        ({"name": "Sev 1", "query": f"severity=1&search=a{NUL}b"}, SEARCH_REFUSED),
    ],
    ids=["name", "encoded in the query", "raw in the query"],
)
def test_saving_a_view_with_a_nul_says_why_and_saves_nothing(engineer, form, problem):
    response = engineer.post("/queue/views/", form)

    assert response.status_code == 302
    page = engineer.get(response["Location"])
    assert [str(message) for message in page.context["messages"]] == [problem]
    assert not SavedView.objects.exists()


def test_deleting_a_view_whose_id_no_row_can_have_is_404(engineer):
    assert engineer.post("/queue/views/99999999999999999999/delete/").status_code == 404


# --- filters ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, value",
    [("search", f"a{NUL}b"), ("search", "x" * 201), ("tier", f"premium{NUL}"), ("account", "9" * 30)],
)
def test_a_filter_the_queue_cannot_read_is_named_by_the_api_and_ignored_by_the_page(engineer, name, value):
    case = northwind("Agents stopped reporting", minutes_ago=5)

    api = engineer.get("/api/v1/queue/", {name: value})
    page = engineer.get("/queue/", {name: value})

    assert api.status_code == 400
    assert list(api.json()) == [name]
    assert page.status_code == 400
    assert f"Filter “{name}” ignored" in page.content.decode()
    assert case.number in page.content.decode()
