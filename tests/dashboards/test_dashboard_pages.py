"""The dashboards are for supervisors and admins; the SLA report is for portal admins, within their reach."""

import csv
import datetime
import io

import pytest
from allauth.mfa.models import Authenticator
from django.utils import timezone

from dashboards.services import figures_refresh
from tests.test_content_security_policy import assert_strict_page
from tests.tickets.helpers import file_case
from tickets.models import ResponseKind
from tickets.services import ticket_reply

DASHBOARD_PATHS = ["/dashboards/", "/dashboards/attainment.csv", "/dashboards/volume.csv"]
REPORT_PATHS = ["/portal/reports/sla/", "/portal/reports/sla/print/", "/portal/reports/sla.csv"]


def strict_page(client, path) -> str:
    """The page's text, once it answered 200 under our Content-Security-Policy with nothing inline."""
    assert_strict_page(client, path)
    return client.get(path).content.decode()


@pytest.fixture
def cases(demo):
    """A case in each of Northwind's three organizations and one at Acme, the Tailspin one answered late."""
    now = timezone.now()
    filed = {
        org: file_case(
            email, org, severity=2, subject=f"Trouble at {org}", received_at=now - datetime.timedelta(days=2)
        )
        for email, org in [
            ("mia@northwind-msp.test", "Contoso Dental"),
            ("mia@northwind-msp.test", "Fabrikam Logistics"),
            ("mia@northwind-msp.test", "Tailspin Clinics"),
            ("alice@acme.test", "Acme"),
        ]
    }
    ticket_reply(
        case=filed["Tailspin Clinics"],
        author=demo["engineer"],
        body="Late.",
        kind=ResponseKind.ANSWER,
        now=now,
    )
    figures_refresh(now=now)
    return filed


@pytest.mark.parametrize("who", ["engineer", "bob", "alice", "max"])
def test_engineers_and_customers_get_404_on_the_dashboards(client, demo, who):
    client.force_login(demo[who])
    for path in DASHBOARD_PATHS:
        assert client.get(path).status_code == 404, path


def test_a_supervisor_sees_every_section_and_its_csv(client, demo, cases):
    client.force_login(demo["supervisor"])
    page = strict_page(client, "/dashboards/?period=7")
    for heading in [
        "First-response SLA attainment",
        "Breaches",
        "At risk now",
        "Backlog now",
        "Volume",
        "Engineers",
    ]:
        assert heading in page
    assert "Period figures as of" in page
    assert 'href="/queue/?breaching_within=60"' in page
    assert "<svg" in page
    answer = client.get("/dashboards/attainment.csv?period=7")
    rows = list(csv.reader(io.StringIO(answer.content.decode())))
    assert rows[0][:5] == ["tier", "severity", "received", "met", "missed"]
    premium = [row for row in rows[1:] if row[0] == "Premium" and row[1] == "2"]
    assert premium and premium[0][2:5] == ["3", "0", "3"]  # all three Northwind cases breached or late
    assert client.get("/dashboards/nothing.csv").status_code == 404


def test_a_filter_that_does_not_read_is_left_out_and_said(client, demo, cases):
    client.force_login(demo["supervisor"])
    response = client.get("/dashboards/?severity=9&period=dates&start=2026-01-02&end=2025-01-01")
    assert response.status_code == 200
    page = response.content.decode()
    assert "The period ends before it starts." in page
    assert "Select a valid choice" in page


def test_the_admin_role_sees_the_dashboards(client, demo, cases):
    Authenticator.objects.create(user=demo["admin"], type=Authenticator.Type.TOTP, data={"secret": "unused"})
    client.force_login(demo["admin"])
    assert client.get("/dashboards/").status_code == 200


def test_max_never_sees_tailspin_clinics_in_the_report(client, demo, cases):
    client.force_login(demo["max"])
    for path in REPORT_PATHS:
        response = client.get(path + "?period=30")
        assert response.status_code == 200, path
        text = response.content.decode()
        assert "Contoso Dental" in text and "Fabrikam Logistics" in text
        assert "Tailspin" not in text, path
        assert cases["Tailspin Clinics"].number not in text
        assert "Acme" not in text
    rows = list(csv.reader(io.StringIO(client.get("/portal/reports/sla.csv").content.decode())))
    assert [row[0] for row in rows[1:]] == ["Contoso Dental", "Fabrikam Logistics"]
    assert [row[1] for row in rows[1:]] == ["1", "1"]


def test_mia_sees_every_organization_of_northwind(client, demo, cases):
    client.force_login(demo["mia"])
    page = strict_page(client, "/portal/reports/sla/")
    assert "Tailspin Clinics" in page and "Acme" not in page
    assert cases["Tailspin Clinics"].number in page  # answered late: a breach
    rows = list(csv.reader(io.StringIO(client.get("/portal/reports/sla.csv").content.decode())))
    assert sum(int(row[1]) for row in rows[1:]) == 3


@pytest.mark.parametrize("who", ["bob", "engineer", "supervisor"])
def test_contacts_who_are_not_portal_admins_and_staff_get_404_on_the_report(client, demo, who):
    client.force_login(demo[who])
    for path in REPORT_PATHS:
        assert client.get(path).status_code == 404, path


def test_signed_out_visitors_are_sent_to_sign_in(client, db):
    for path in DASHBOARD_PATHS + REPORT_PATHS:
        response = client.get(path)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], path


def test_the_dashboard_reads_a_fixed_number_of_queries(client, demo, cases):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(demo["supervisor"])

    def queries() -> int:
        with CaptureQueriesContext(connection) as context:
            assert client.get("/dashboards/?period=90").status_code == 200
        return len(context.captured_queries)

    queries()  # the first page of a session reads a few things once
    before = queries()
    for org in ["Contoso Dental", "Fabrikam Logistics", "Tailspin Clinics"]:
        file_case("mia@northwind-msp.test", org, severity=1, subject="More")
    figures_refresh()
    assert queries() == before
