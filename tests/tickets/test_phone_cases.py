"""Cases taken by phone or chat: an engineer logs a case on a Premium contact's behalf (page or API), the
channel is recorded and the contact is emailed the number; chat only in its hours; nobody else sees the
page. And the named TAM of a Premium account gets its new cases."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from rest_framework.test import APIClient

from sla.services import chat_is_open
from tenants.models import Account, Organization
from tests.tickets.helpers import file_case
from tickets.models import Case, CaseEvent, Channel, EventKind, NoticeKind, OutboundEmail, StaffNotice
from tickets.outbox import outbox_deliver

# Chat is staffed Mon–Fri 02:00–19:00 America/Chicago (UTC−6 in November).
CHAT_OPEN = datetime.datetime(2026, 11, 23, 16, 0, tzinfo=datetime.UTC)  # Monday 10:00 Chicago
CHAT_CLOSED = datetime.datetime(2026, 11, 24, 1, 30, tzinfo=datetime.UTC)  # Monday 19:30 Chicago
SATURDAY = datetime.datetime(2026, 11, 28, 16, 0, tzinfo=datetime.UTC)


@pytest.fixture
def engineer(client, demo):
    client.force_login(demo["engineer"])
    return client


def call_form(contact, organization: str, **changes):
    return {
        "contact": str(contact.pk),
        "channel": Channel.PHONE,
        "organization": str(Organization.objects.get(name=organization).pk),
        "category": "sign_in",
        "subject": "Agents cannot enrol new devices",
        "description": "Told us on the phone: enrolment fails with error 0x80.",
        "requested_severity": "2",
        "best_time_from": "08:00",
        "best_time_to": "16:00",
        "contact_time_zone": "America/Chicago",
        **changes,
    }


def test_an_engineer_logs_a_phone_case_for_a_premium_contact_who_is_emailed_the_number(engineer, demo):
    mia = demo["mia"]
    response = engineer.post("/staff/cases/new/", call_form(mia, "Fabrikam Logistics"))

    case = Case.objects.get()
    assert response.status_code == 302 and response.url == f"/portal/cases/{case.number}/"
    assert (case.channel, case.requester, case.organization.name) == (
        Channel.PHONE,
        mia,
        "Fabrikam Logistics",
    )
    created = case.events.get(kind=EventKind.CREATED)
    assert created.actor == demo["engineer"]
    assert (
        created.data["channel"] == Channel.PHONE and created.data["on_behalf_of"] == "mia@northwind-msp.test"
    )

    outbox_deliver()
    [message] = [message for message in mail.outbox if message.to == ["mia@northwind-msp.test"]]
    assert message.subject == f"[{case.number}] We logged your case: Agents cannot enrol new devices"
    assert f"Your case number is {case.number}" in message.body
    assert "from our phone conversation" in message.body


def test_the_engineer_finds_the_contact_first(engineer, demo):
    page = engineer.get("/staff/cases/new/", {"q": "northwind"}).content.decode()

    assert "mia@northwind-msp.test" in page and "max@northwind-msp.test" in page
    assert "bob@acme.test" not in page
    form = engineer.get("/staff/cases/new/", {"contact": demo["mia"].pk}).content.decode()
    assert "For <strong>Mia Moreno</strong>" in form and 'name="channel"' in form


def test_a_standard_contact_cannot_have_a_phone_case(engineer, demo):
    page = engineer.get("/staff/cases/new/", {"contact": demo["bob"].pk}).content.decode()
    assert "Acme has no phone or chat support" in page and 'name="subject"' not in page

    response = engineer.post("/staff/cases/new/", call_form(demo["bob"], "Acme"))
    assert response.status_code == 403
    assert Case.objects.count() == 0
    with pytest.raises(ValidationError) as refusal:
        file_case("bob@acme.test", "Acme", channel=Channel.PHONE, filed_by=demo["engineer"])
    assert refusal.value.message_dict == {
        "channel": ["Standard support does not include phone: only Premium accounts use it."]
    }


def test_chat_is_refused_outside_the_chat_hours_and_taken_inside_them(demo):
    for instant in [CHAT_CLOSED, SATURDAY]:
        assert not chat_is_open(now=instant)
        with pytest.raises(ValidationError) as refusal:
            file_case(
                "mia@northwind-msp.test",
                "Contoso Dental",
                channel=Channel.CHAT,
                filed_by=demo["engineer"],
                received_at=instant,
            )
        assert refusal.value.message_dict == {
            "channel": [
                "Chat is closed now: it is staffed Mon–Fri 02:00–19:00 America/Chicago. "
                "Log it as a phone case instead."
            ]
        }
    assert Case.objects.count() == 0

    case = file_case(
        "mia@northwind-msp.test",
        "Contoso Dental",
        channel=Channel.CHAT,
        filed_by=demo["engineer"],
        received_at=CHAT_OPEN,
    )
    assert case.channel == Channel.CHAT


@pytest.mark.parametrize("who", ["bob", "alice", "mia", "max"])
def test_customers_get_404_on_the_phone_case_page(client, demo, who):
    client.force_login(demo[who])
    assert client.get("/staff/cases/new/").status_code == 404
    assert client.post("/staff/cases/new/", call_form(demo["mia"], "Contoso Dental")).status_code == 404
    assert Case.objects.count() == 0


def test_a_premium_accounts_new_cases_go_to_its_named_tam(demo):
    northwind = Account.objects.get(name="Northwind MSP")
    northwind.technical_account_manager = demo["engineer2"]
    northwind.save()

    case = file_case("max@northwind-msp.test", "Contoso Dental", severity=2)

    assert case.assignee == demo["engineer2"]
    assigned = case.events.get(kind=EventKind.ASSIGNED)
    assert (assigned.actor, assigned.data["from"], assigned.data["to"]) == (None, None, "engineer2@demo.test")
    # The TAM is the one told about the new Premium case, not the engineers on duty.
    assert list(
        StaffNotice.objects.filter(kind=NoticeKind.NEW_CASE).values_list("recipient__email", flat=True)
    ) == ["engineer2@demo.test"]
    assert list(
        OutboundEmail.objects.filter(template="staff_new_case").values_list("address", flat=True)
    ) == ["engineer2@demo.test"]


def test_a_standard_account_with_a_tam_keeps_its_cases_unassigned(demo):
    acme = Account.objects.get(name="Acme")
    acme.technical_account_manager = demo["engineer2"]
    acme.save()

    case = file_case("bob@acme.test", "Acme")

    assert case.assignee is None
    assert not CaseEvent.objects.filter(case=case, kind=EventKind.ASSIGNED).exists()


def api_phone_case(organization: str, **changes) -> dict:
    return {
        "requester": "mia@northwind-msp.test",
        "channel": Channel.PHONE,
        "organization": Organization.objects.get(name=organization).pk,
        "category": "sign_in",
        "subject": "Agents cannot enrol new devices",
        "description": "Told us on the phone: enrolment fails with error 0x80.",
        "requested_severity": 2,
        "best_time_to_contact": {"from": "08:00", "to": "16:00", "time_zone": "America/Chicago"},
        **changes,
    }


def test_an_engineer_files_a_phone_case_for_a_contact_through_the_api(demo):
    api = APIClient()
    api.force_authenticate(demo["engineer"])
    response = api.post("/api/v1/tickets/", api_phone_case("Fabrikam Logistics"), format="json")

    assert response.status_code == 201, response.json()
    case = Case.objects.get(number=response.json()["number"])
    assert (case.requester, case.channel, case.organization.name) == (
        demo["mia"],
        Channel.PHONE,
        "Fabrikam Logistics",
    )
    assert case.events.get(kind=EventKind.CREATED).actor == demo["engineer"]


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"requester": "nobody@example.test"}, "requester"),
        ({"requester": None}, "requester"),
        ({"channel": Channel.PORTAL}, "channel"),
        # Bob's organization: the contact may not file for it.
        ({"organization": "Acme"}, "organization"),
    ],
)
def test_staff_api_filing_names_the_wrong_field_and_files_nothing(demo, changes, field):
    api = APIClient()
    api.force_authenticate(demo["engineer"])
    if changes.get("organization"):
        changes["organization"] = Organization.objects.get(name=changes["organization"]).pk
    form = {key: value for key, value in {**api_phone_case("Fabrikam Logistics"), **changes}.items() if value}
    response = api.post("/api/v1/tickets/", form, format="json")

    assert response.status_code == 400 and field in response.json(), response.json()
    assert not Case.objects.exists()


def test_a_customer_cannot_file_on_someone_elses_behalf_through_the_api(demo):
    api = APIClient()
    api.force_authenticate(demo["max"])
    response = api.post("/api/v1/tickets/", api_phone_case("Fabrikam Logistics"), format="json")

    case = Case.objects.get(number=response.json()["number"])
    assert case.requester == demo["max"] and case.channel == Channel.PORTAL
