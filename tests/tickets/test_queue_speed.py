"""What the queue's speed work must keep true: the views' counts are live after every write, a view on the SLA
state counts and lists the same cases, the requester search can read its trigram indexes (tickets 0013), and
the search finds a case by its number's tail, its requester or its subject on both tabs, reading the number
index of tickets 0014.

Cases are filed for Northwind MSP (Premium, 24 × 7: a Sev 1 is due within the hour).
"""

import datetime

from django.db import connection
from django.utils import timezone

from tenants.models import User
from tests.tickets.helpers import file_case
from tickets.models import Case, CloseReason, SavedView, Status
from tickets.queue import REQUESTER_IDS_MAX, numbers_matching, queue_views, requesters_matching
from tickets.scope import scope_for
from tickets.services import ticket_assign, ticket_escalate, ticket_status_set

MIA = "mia@northwind-msp.test"


def unassigned_case(subject: str, severity: int = 3) -> Case:
    case = file_case(MIA, "Contoso Dental", severity, subject=subject)
    # A named TAM may take new Premium cases; these tests decide who has each case themselves.
    Case.objects.filter(pk=case.pk).update(assignee=None)
    case.refresh_from_db()
    return case


def counts(user) -> dict[str, int | None]:
    return {view.name: view.count for view in queue_views(scope=scope_for(user), user=user)}


def test_the_view_counts_follow_each_write_at_once(demo):
    engineer = demo["engineer"]
    case = unassigned_case("Payroll export fails", severity=1)
    unassigned_case("Printer offline")
    start = counts(engineer)
    assert start["All open"] == 2 and start["Unassigned"] == 2 and start["My cases"] == 0
    assert start["Breaching within 1 hour"] == 1 and start["Escalations"] == 0

    ticket_assign(case=case, actor=engineer, assignee=engineer)
    taken = counts(engineer)
    assert (taken["Unassigned"], taken["My cases"], taken["All open"]) == (1, 1, 2)

    ticket_escalate(case=Case.objects.get(pk=case.pk), actor=demo["mia"], reason="Payroll runs tonight.")
    assert counts(engineer)["Escalations"] == 1

    ticket_status_set(
        case=Case.objects.get(pk=case.pk), actor=engineer, status=Status.CLOSED, reason=CloseReason.RESOLVED
    )
    closed = counts(engineer)
    assert (closed["All open"], closed["My cases"], closed["Escalations"]) == (1, 0, 0)
    assert closed["Breaching within 1 hour"] == 0 and closed["Closed"] is None


def test_views_on_the_sla_state_count_and_list_the_same_cases(client, demo):
    engineer = demo["engineer"]
    at_risk = unassigned_case("Nearly due")
    on_track = unassigned_case("Plenty of time")
    now = timezone.now()
    Case.objects.filter(pk=at_risk.pk).update(
        first_response_at_risk_at=now - datetime.timedelta(minutes=1),
        first_response_due=now + datetime.timedelta(minutes=20),
    )
    Case.objects.filter(pk=on_track.pk).update(
        first_response_at_risk_at=now + datetime.timedelta(hours=1),
        first_response_due=now + datetime.timedelta(hours=2),
    )
    SavedView.objects.create(owner=engineer, name="At risk", query="sla_state=at_risk")
    SavedView.objects.create(owner=engineer, name="On track", query="sla_state=on_track")

    views = counts(engineer)
    assert views["At risk"] == 1 and views["On track"] == 1
    client.force_login(engineer)
    for state, case in (("at_risk", at_risk), ("on_track", on_track)):
        rows = client.get("/api/v1/queue/", {"sla_state": state}).json()["results"]
        assert [row["number"] for row in rows] == [case.number]
        assert rows[0]["sla_state"] == state


def test_the_requester_search_can_read_its_trigram_indexes(db):
    # With sequential and plain index scans priced out, PostgreSQL reads the trigram indexes whenever they
    # match the expressions the search writes: if the search or tickets 0013 changes alone, they drop out.
    sql, params = requesters_matching("bob b").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "user_email_trgm" in plan and "user_full_name_trgm" in plan


def found(client, **params) -> list[str]:
    response = client.get("/api/v1/queue/", params)
    assert response.status_code == 200, response.content
    return [row["number"] for row in response.json()["results"]]


def test_the_search_finds_a_case_by_number_tail_requester_or_subject_on_both_tabs(client, demo):
    engineer = demo["engineer"]
    client.force_login(engineer)
    case = unassigned_case("Payroll export fails")
    other = unassigned_case("Printer offline")
    tail = case.number.split("-")[-1]
    for text in (case.number, case.number.lower(), tail, f"-{tail}"):
        assert found(client, search=text) == [case.number], text
    assert set(found(client, search="mia moreno")) == {case.number, other.number}
    # Like characters are text: "%" and "_" match only themselves.
    assert found(client, search="%") == [] and found(client, search="_") == []

    ticket_status_set(case=case, actor=engineer, status=Status.CLOSED, reason=CloseReason.RESOLVED)
    assert found(client, status="closed", search=tail) == [case.number]
    assert found(client, status="closed", search="Mia Moreno") == [case.number]
    assert found(client, status="closed", search="payroll EXPORT") == [case.number]
    assert found(client, search=tail) == []


def test_a_search_matching_many_people_still_finds_their_cases(client, demo):
    # Past REQUESTER_IDS_MAX matching people, the requesters go to the query as a subquery, not a list.
    User.objects.bulk_create(
        User(email=f"moreno{n}@example.test", first_name="Ana", last_name="Moreno")
        for n in range(REQUESTER_IDS_MAX + 1)
    )
    client.force_login(demo["engineer"])
    case = unassigned_case("Payroll export fails")
    assert found(client, search="Moreno") == [case.number]


def test_the_number_search_can_read_its_index(db):
    # With sequential and plain index scans priced out, PostgreSQL reads tickets 0014's index whenever it
    # matches the expression the search writes: if the search or the migration changes alone, it drops out.
    sql, params = Case.objects.filter(numbers_matching("00042")).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "case_number_tail" in plan
