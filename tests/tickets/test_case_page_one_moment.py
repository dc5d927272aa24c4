"""The case page reads the case, its events and its thread in several queries. They see one moment
(lib.snapshot), so the stamp its forms carry (last_event) is of the state the page shows: a change that lands
while the page is being read is neither shown nor stamped as seen, and a reply sent from that page is refused
as stale instead of going in on top of a change the engineer never saw."""

import threading

import pytest
from django.db import connection, connections
from rest_framework.test import APIClient

from tests.tickets.helpers import file_case
from tests.tickets.test_staff_case_conflicts import last_event_on
from tickets.models import Reply

# Committed transactions: the change made meanwhile comes from another connection, as from another engineer.
pytestmark = pytest.mark.django_db(transaction=True)


def test_a_change_landing_while_the_page_is_read_is_not_stamped_as_seen(demo, client):
    case = file_case("bob@acme.test", "Acme", 2)
    client.force_login(demo["engineer"])
    landed = []

    def priya_validates_the_severity():
        api = APIClient()
        api.force_authenticate(demo["engineer2"])
        response = api.post(
            f"/api/v1/tickets/{case.number}/severity/", {"severity": 3, "reason": "One user."}, format="json"
        )
        landed.append(response.status_code)
        connections.close_all()

    def between_reads(execute, sql, params, many, context):
        # After the page has read the case, before it reads the case's events.
        if '"tickets_caseevent"' in sql and not landed:
            meanwhile = threading.Thread(target=priya_validates_the_severity)
            meanwhile.start()
            meanwhile.join()
        return execute(sql, params, many, context)

    with connection.execute_wrapper(between_reads):
        page = client.get(f"/portal/cases/{case.number}/").content.decode()
    assert landed == [200]
    assert "Severity 2</span>" in page and "Severity 3</span>" not in page  # the case as it was read

    response = client.post(
        f"/portal/cases/{case.number}/reply/",
        {"body": "Restarting the gateway now.", "kind": "answer", "last_event": last_event_on(page)},
    )
    assert response.status_code == 409
    assert "changed while you were looking at it" in response.content.decode()
    assert not Reply.objects.filter(case=case).exists()
