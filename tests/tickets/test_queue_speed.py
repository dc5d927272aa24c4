"""What the queue's speed work must keep true: the views' counts are live after every write, a view on the SLA
state counts and lists the same cases, and the requester search can read its trigram indexes (tickets 0013).

Cases are filed for Northwind MSP (Premium, 24 × 7: a Sev 1 is due within the hour).
"""

import datetime

from django.db import connection
from django.utils import timezone

from tests.tickets.helpers import file_case
from tickets.models import Case, CloseReason, SavedView, Status
from tickets.queue import queue_views, requesters_matching
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
