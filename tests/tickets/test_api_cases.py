"""The case API: filing a case and reading it back, the list, the conversation, the customer's decisions and
the files, all under /api/v1/tickets/."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from tenants.models import Organization, Product, Version
from tests.factories import CaseFactory
from tickets.models import Attachment, Case, Category, Reply, Status
from tickets.services import ticket_close, ticket_create, ticket_reply

URL = "/api/v1/tickets/"


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def organization_id(name: str) -> int:
    return Organization.objects.get(name=name).pk


def case_form(organization="Acme", **changes) -> dict:
    form = {
        "organization": organization_id(organization),
        "category": "sign_in",
        "subject": "Users cannot sign in",
        "description": "Since 08:00 every sign-in fails with error 502.",
        "requested_severity": 2,
        "best_time_to_contact": {"from": "09:00", "to": "12:00", "time_zone": "America/Denver"},
    }
    form.update(changes)
    return form


def file_case(user, organization="Acme", **extra) -> Case:
    """A case filed through the service, as the portal files it."""
    fields = {
        "category": Category.objects.get(slug="sign_in"),
        "subject": "Users cannot sign in",
        "description": "Since this morning.",
        "requested_severity": 3,
        "best_time_from": datetime.time(9, 0),
        "best_time_to": datetime.time(17, 0),
        "contact_time_zone": "America/Denver",
        **extra,
    }
    return ticket_create(requester=user, organization=Organization.objects.get(name=organization), **fields)


def propose_solution(case, engineer) -> None:
    ticket_reply(
        case=case, author=engineer, body="Restart the gateway.", kind="answer", propose_solution=True
    )


def upload(name="gateway.log", content=b"502 Bad Gateway\n"):
    return SimpleUploadedFile(name, content, content_type="text/plain")


@pytest.fixture
def bob(demo):
    return client_for(demo["bob"])


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


# --- filing a case ------------------------------------------------------------------------------------------


def test_bob_files_a_case_and_reads_back_every_field_he_sent(demo, bob):
    earlier = file_case(demo["bob"], subject="Sign-in failed last week")
    ticket_close(case=earlier, actor=demo["bob"])
    gateway = Product.objects.get(name="Identity Gateway")
    form = case_form(
        product=gateway.pk,
        version=Version.objects.get(product=gateway, name="5.0").pk,
        device_id="GW-EU-01",
        operating_system="Ubuntu",
        os_version="24.04",
        contact_phone="+1 303 555 0100",
        troubleshooting="Restarted the service; cleared the cache.",
        continues=earlier.number,
        cc=["alice@acme.test"],
    )

    response = bob.post(URL, form, format="json")

    assert response.status_code == 201, response.json()
    created = response.json()
    assert created["number"].startswith("SD-")
    assert response["Location"] == created["url"] == f"/api/v1/tickets/{created['number']}/"
    assert created["status"] == "new"
    assert (created["requested_severity"], created["severity"]) == (2, 2)
    assert created["first_response_due"] is not None
    assert created["sla_state"] == "on_track"

    detail = bob.get(created["url"]).json()
    assert {field: detail[field] for field in form} == form
    assert detail["requester"] == "bob@acme.test"
    assert detail["channel"] == "portal"
    assert detail["escalated"] is False
    assert detail["version_past_end_of_support"] is False
    assert detail["organization_name"] == "Acme"
    assert detail["category_label"] == "Sign-in and single sign-on"
    assert Case.objects.get(number=created["number"]).best_time_from == datetime.time(9, 0)


def test_a_version_past_end_of_support_is_accepted_and_flagged(demo, bob):
    old = Version.objects.get(product__name="Identity Gateway", name="3.0")
    response = bob.post(URL, case_form(version=old.pk), format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["version_past_end_of_support"] is True
    assert response.json()["product"] == old.product_id


@pytest.mark.parametrize(
    "who, changes, field",
    [
        ("bob", {"subject": None}, "subject"),
        ("bob", {"subject": "   "}, "subject"),
        ("bob", {"requested_severity": 4}, "requested_severity"),
        ("max", {"organization": "Tailspin Clinics"}, "organization"),
        ("bob", {"organization": "Contoso Dental"}, "organization"),
        ("bob", {"best_time_to_contact": None}, "best_time_to_contact"),
        ("bob", {"best_time_to_contact": {"from": "9 am", "to": "noon"}}, "best_time_to_contact"),
        (
            "bob",
            {"best_time_to_contact": {"from": "09:00", "to": "12:00", "time_zone": "Mars/Olympus"}},
            "best_time_to_contact",
        ),
        (
            "bob",
            {"best_time_to_contact": {"from": "09:00", "to": "09:00", "time_zone": "America/Denver"}},
            "best_time_to_contact",
        ),
        ("bob", {"cc": ["mia@northwind-msp.test"]}, "cc"),
        ("bob", {"continues": "SD-1999-00001"}, "continues"),
    ],
)
def test_a_form_with_a_mistake_answers_400_naming_the_field_and_files_nothing(demo, who, changes, field):
    changes = dict(changes)
    organization = changes.pop("organization", "Contoso Dental" if who == "max" else "Acme")
    form = case_form(organization, **changes)
    for name in [name for name, value in changes.items() if value is None]:
        del form[name]  # None: the field is left out

    response = client_for(demo[who]).post(URL, form, format="json")

    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert not Case.objects.exists()


def test_a_version_of_another_product_answers_400_on_version(demo, bob):
    form = case_form(
        product=Product.objects.get(name="Endpoint Agent").pk,
        version=Version.objects.get(product__name="Identity Gateway", name="5.0").pk,
    )
    response = bob.post(URL, form, format="json")
    assert response.status_code == 400
    assert "version" in response.json()


@pytest.mark.parametrize(
    "who, organization, reason",
    [
        ("fred", "FreeCo", "Free tier, which does not include support cases"),
        ("olga", "OldCo", "support contract ended on"),
    ],
)
def test_free_and_expired_accounts_are_told_why_they_cannot_file(demo, who, organization, reason):
    response = client_for(demo[who]).post(URL, case_form(organization), format="json")
    assert response.status_code == 400
    assert reason in " ".join(response.json()["non_field_errors"])
    assert not Case.objects.exists()


# --- the list -----------------------------------------------------------------------------------------------


def subjects(response) -> list[str]:
    assert response.status_code == 200, response.json()
    return sorted(row["subject"] for row in response.json()["results"])


def test_bob_sees_his_own_cases_and_those_he_is_cc_d_on_while_alice_sees_all_of_acme(demo):
    acme = Organization.objects.get(name="Acme")
    CaseFactory(organization=acme, requester=demo["bob"], subject="Bob's own")
    CaseFactory(organization=acme, requester=demo["alice"], subject="Alice's, Bob in CC").cc.add(demo["bob"])
    CaseFactory(organization=acme, requester=demo["alice"], subject="Alice's alone")
    CaseFactory(organization=Organization.objects.get(name="Contoso Dental"), requester=demo["mia"])

    assert subjects(client_for(demo["bob"]).get(URL)) == ["Alice's, Bob in CC", "Bob's own"]
    assert subjects(client_for(demo["alice"]).get(URL)) == [
        "Alice's alone",
        "Alice's, Bob in CC",
        "Bob's own",
    ]


@pytest.fixture
def mias_cases(demo):
    organization = {
        name: Organization.objects.get(name=name) for name in ["Contoso Dental", "Fabrikam Logistics"]
    }
    return {
        "x-ray": CaseFactory(
            organization=organization["Contoso Dental"],
            requester=demo["mia"],
            subject="X-ray viewer cannot sign in",
            severity=1,
            requested_severity=1,
        ),
        "vpn": CaseFactory(
            organization=organization["Fabrikam Logistics"],
            requester=demo["mia"],
            subject="VPN drops every hour",
            status=Status.CLOSED,
        ),
        "printer": CaseFactory(
            organization=organization["Fabrikam Logistics"],
            requester=demo["mia"],
            subject="Label printer offline",
            status=Status.OPEN,
            severity=2,
        ),
    }


def test_mia_filters_her_list_by_status_organization_and_severity(demo, mias_cases):
    mia = client_for(demo["mia"])
    assert subjects(mia.get(URL, {"status": "closed"})) == ["VPN drops every hour"]
    assert subjects(mia.get(URL, {"status": "active"})) == [
        "Label printer offline",
        "X-ray viewer cannot sign in",
    ]
    assert subjects(mia.get(URL, {"organization": organization_id("Fabrikam Logistics")})) == [
        "Label printer offline",
        "VPN drops every hour",
    ]
    assert subjects(mia.get(URL, {"severity": 1})) == ["X-ray viewer cannot sign in"]
    assert subjects(mia.get(URL, {"status": "open", "severity": 2})) == ["Label printer offline"]


def test_mia_finds_a_case_by_its_number_or_words_of_its_subject(demo, mias_cases):
    mia = client_for(demo["mia"])
    number = mias_cases["vpn"].number
    assert subjects(mia.get(URL, {"search": number})) == ["VPN drops every hour"]
    assert subjects(mia.get(URL, {"search": number[-4:]})) == ["VPN drops every hour"]
    assert subjects(mia.get(URL, {"search": "printer"})) == ["Label printer offline"]


@pytest.mark.parametrize("params, field", [({"severity": 4}, "severity"), ({"status": "lost"}, "status")])
def test_a_bad_filter_answers_400_naming_it(demo, params, field):
    response = client_for(demo["mia"]).get(URL, params)
    assert response.status_code == 400
    assert field in response.json()


def test_the_list_comes_25_cases_a_page_newest_first(demo):
    acme = Organization.objects.get(name="Acme")
    start = datetime.datetime(2026, 11, 2, 9, 0, tzinfo=datetime.UTC)
    for day in range(30):
        CaseFactory(
            organization=acme, requester=demo["bob"], received_at=start + datetime.timedelta(hours=day)
        )
    alice = client_for(demo["alice"])

    first = alice.get(URL).json()
    assert first["count"] == 30
    assert len(first["results"]) == 25
    assert first["results"][0]["received_at"] > first["results"][-1]["received_at"]
    second = alice.get(first["next"]).json()
    assert len(second["results"]) == 5
    assert second["next"] is None


def test_the_list_costs_the_same_queries_for_5_cases_as_for_25(demo):
    acme = Organization.objects.get(name="Acme")
    alice = client_for(demo["alice"])

    def queries_for_list(cases: int) -> int:
        while Case.objects.count() < cases:
            CaseFactory(organization=acme, requester=demo["bob"])
        with CaptureQueriesContext(connection) as queries:
            response = alice.get(URL)
        assert len(response.json()["results"]) == cases
        return len(queries)

    # The reader's membership (the scope), the count, the page with organization and requester joined.
    assert queries_for_list(5) == queries_for_list(25) == 3


# --- the conversation ---------------------------------------------------------------------------------------


def test_bob_replies_and_reads_the_conversation(demo, bob):
    case = file_case(demo["bob"])
    response = bob.post(f"{URL}{case.number}/replies/", {"body": "It also fails on mobile."}, format="json")
    assert response.status_code == 201, response.json()

    conversation = bob.get(f"{URL}{case.number}/replies/").json()
    assert [(reply["author"], reply["body"], reply["from_support"]) for reply in conversation] == [
        ("Bob Baker", "It also fails on mobile.", False)
    ]


def test_bob_can_attach_files_to_a_reply(demo, bob, media):
    case = file_case(demo["bob"])
    response = bob.post(
        f"{URL}{case.number}/replies/", {"body": "Logs attached.", "file": [upload()]}, format="multipart"
    )
    assert response.status_code == 201, response.json()
    assert [attachment["name"] for attachment in response.json()["attachments"]] == ["gateway.log"]


def test_a_customer_cannot_write_an_internal_note(demo, bob):
    case = file_case(demo["bob"])
    response = bob.post(f"{URL}{case.number}/replies/", {"body": "psst", "internal": True}, format="json")
    assert response.status_code == 403
    assert response.json() == {"detail": "Only support staff can do this.", "action": "note"}
    assert not Reply.objects.exists()


def test_an_empty_reply_answers_400_on_body(demo, bob):
    case = file_case(demo["bob"])
    response = bob.post(f"{URL}{case.number}/replies/", {"body": ""}, format="json")
    assert response.status_code == 400
    assert "body" in response.json()


def test_a_customer_never_sees_internal_notes(demo, bob):
    case = file_case(demo["bob"])
    engineer = demo["engineer"]
    ticket_reply(case=case, author=engineer, body="Customer is on an old build.", internal=True)
    ticket_reply(case=case, author=engineer, body="Which build do you run?", kind="request_info")

    bobs_view = bob.get(f"{URL}{case.number}/replies/").json()
    assert [reply["body"] for reply in bobs_view] == ["Which build do you run?"]
    engineers_view = client_for(engineer).get(f"{URL}{case.number}/replies/").json()
    assert [(reply["body"], reply["internal"]) for reply in engineers_view] == [
        ("Customer is on an old build.", True),
        ("Which build do you run?", False),
    ]


def test_support_proposes_a_solution_through_the_api(demo):
    case = file_case(demo["bob"])
    response = client_for(demo["engineer"]).post(
        f"{URL}{case.number}/replies/",
        {"body": "Upgrade to 5.0.1.", "kind": "patch", "propose_solution": True},
        format="json",
    )
    assert response.status_code == 201, response.json()
    case.refresh_from_db()
    assert case.status == Status.SOLUTION_PROPOSED
    assert case.auto_close_at is not None


def test_replying_to_a_closed_case_is_refused(demo, bob):
    case = file_case(demo["bob"])
    ticket_close(case=case, actor=demo["bob"])
    response = bob.post(f"{URL}{case.number}/replies/", {"body": "One more thing"}, format="json")
    assert response.status_code == 403
    assert response.json() == {
        "detail": "This case is closed. Start a follow-up case instead.",
        "action": "reply",
    }


# --- the customer's decisions -------------------------------------------------------------------------------


@pytest.fixture
def proposed(demo):
    case = file_case(demo["bob"])
    propose_solution(case, demo["engineer"])
    return case


def test_bob_confirms_the_solution_and_the_case_closes(bob, proposed):
    response = bob.post(f"{URL}{proposed.number}/confirm/")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "closed"
    assert response.json()["close_reason"] == "confirmed"
    assert response.json()["closed_at"] is not None


def test_there_is_nothing_to_confirm_before_support_proposes_a_solution(demo, bob):
    case = file_case(demo["bob"])
    response = bob.post(f"{URL}{case.number}/confirm/")
    assert response.status_code == 403
    assert response.json() == {"detail": "There is no proposed solution to answer.", "action": "confirm"}


def test_bob_says_not_fixed_and_the_case_opens_again_with_his_words(bob, proposed):
    response = bob.post(
        f"{URL}{proposed.number}/not-fixed/", {"body": "Still 502 after restart."}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "open"
    assert response.json()["auto_close_at"] is None
    conversation = bob.get(f"{URL}{proposed.number}/replies/").json()
    assert conversation[-1]["body"] == "Still 502 after restart."


def test_bob_closes_his_case(demo, bob):
    case = file_case(demo["bob"])
    response = bob.post(f"{URL}{case.number}/close/")
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["close_reason"]) == ("closed", "customer_closed")


def test_confirming_is_the_customer_s_decision(demo, proposed):
    response = client_for(demo["engineer"]).post(f"{URL}{proposed.number}/confirm/")
    assert response.status_code == 403
    assert response.json()["detail"] == "This is the customer's decision."
    proposed.refresh_from_db()
    assert proposed.status == Status.SOLUTION_PROPOSED


def test_bob_escalates_once_with_a_reason(demo, bob):
    case = file_case(demo["bob"])
    assert "reason" in bob.post(f"{URL}{case.number}/escalate/", {}, format="json").json()

    response = bob.post(f"{URL}{case.number}/escalate/", {"reason": "Payroll run tonight."}, format="json")
    assert response.status_code == 200
    assert response.json()["escalated"] is True

    again = bob.post(f"{URL}{case.number}/escalate/", {"reason": "Still urgent."}, format="json")
    assert again.status_code == 403
    assert again.json() == {"detail": "This case is already escalated.", "action": "escalate"}


def test_bob_sets_who_is_cc_d(demo, bob):
    case = file_case(demo["bob"])
    response = bob.put(f"{URL}{case.number}/cc/", {"cc": ["alice@acme.test"]}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["cc"] == ["alice@acme.test"]
    assert bob.put(f"{URL}{case.number}/cc/", {"cc": ["mia@northwind-msp.test"]}, format="json").json() == {
        "cc": ["CC contacts must be active colleagues who act for your organizations."]
    }


# --- files --------------------------------------------------------------------------------------------------


def test_bob_attaches_files_and_lists_them_with_their_download_link(demo, bob, media):
    case = file_case(demo["bob"])
    response = bob.post(
        f"{URL}{case.number}/attachments/",
        {"file": [upload("gateway.log"), upload("screen.png", b"\x89PNG...")]},
        format="multipart",
    )
    assert response.status_code == 201, response.json()

    listed = bob.get(f"{URL}{case.number}/attachments/").json()
    assert [item["name"] for item in listed] == ["gateway.log", "screen.png"]
    assert listed[1]["content_type"] == "image/png"
    assert listed[0]["size"] == len(b"502 Bad Gateway\n")
    assert listed[0]["download_url"] == f"/portal/attachments/{listed[0]['id']}/"


@pytest.mark.parametrize(
    "files, message",
    [
        ([upload("huge.log", b"x" * 2048)], "huge.log is larger than"),
        ([upload("setup.exe")], "we do not accept .exe files"),
        ([], ""),
    ],
)
def test_a_file_we_do_not_take_answers_400_on_file_and_nothing_is_stored(
    demo, bob, media, settings, files, message
):
    settings.ATTACHMENT_MAX_BYTES = 1024
    case = file_case(demo["bob"])
    response = bob.post(f"{URL}{case.number}/attachments/", {"file": files}, format="multipart")
    assert response.status_code == 400
    assert message in " ".join(response.json()["file"])
    assert not Attachment.objects.exists()


def test_a_customer_never_sees_files_on_an_internal_note(demo, bob, media):
    case = file_case(demo["bob"])
    engineer = demo["engineer"]
    ticket_reply(
        case=case, author=engineer, body="Our notes.", internal=True, attachments=[upload("notes.txt")]
    )
    bob.post(f"{URL}{case.number}/attachments/", {"file": [upload("gateway.log")]}, format="multipart")

    assert [item["name"] for item in bob.get(f"{URL}{case.number}/attachments/").json()] == ["gateway.log"]
    engineers_view = client_for(engineer).get(f"{URL}{case.number}/attachments/").json()
    assert [item["name"] for item in engineers_view] == ["notes.txt", "gateway.log"]
