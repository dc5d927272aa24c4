"""Splitting a case that reports several issues and merging a duplicate: the SLA, the files and the audit
trail come out right, and customers see what they may."""

import datetime
import re

import pytest
from allauth.mfa.models import Authenticator
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from tests.tickets.helpers import file_case
from tickets.actions import CaseAction
from tickets.models import Case, CaseEvent, CloseReason, EventKind, ResponseKind, Status
from tickets.services import case_action, ticket_assign, ticket_merge, ticket_reply, ticket_split


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def api_for(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


def two_issue_case():
    received = datetime.datetime(2026, 11, 23, 9, 0, tzinfo=datetime.UTC)
    return file_case(
        "mia@northwind-msp.test",
        "Tailspin Clinics",
        2,
        subject="VPN drops and printers vanish",
        received_at=received,
        attachments=[SimpleUploadedFile("vpn.log", b"tunnel down\n")],
    )


def test_split_cases_keep_the_original_received_time_deadline_files_and_link_back(demo):
    original = two_issue_case()
    engineer = demo["engineer"]
    with case_action(actor=engineer, case=original, action=CaseAction.SPLIT) as locked:
        made = ticket_split(
            case=locked,
            actor=engineer,
            issues=[
                {"subject": "VPN drops every hour", "description": "The tunnel drops."},
                {"subject": "Printers vanish", "description": "Printers disappear from the list."},
            ],
        )
    assert [case.subject for case in made] == ["VPN drops every hour", "Printers vanish"]
    for new in made:
        new = Case.objects.get(pk=new.pk)
        assert new.received_at == original.received_at
        assert new.first_response_due == original.first_response_due
        assert (new.severity, new.organization_id, new.requester_id, new.contract_id) == (
            original.severity,
            original.organization_id,
            original.requester_id,
            original.contract_id,
        )
        assert new.split_from_id == original.pk
        assert new.status == Status.NEW
        assert [file.name for file in new.attachments.all()] == ["vpn.log"]
        assert new.attachments.get().file.read() == b"tunnel down\n"
        assert new.events.get(kind=EventKind.SPLIT_FROM).data["split_from"] == original.number
    split = original.events.get(kind=EventKind.SPLIT)
    assert split.actor == engineer
    assert split.data["cases"] == [case.number for case in made]
    original.refresh_from_db()
    assert original.status == Status.NEW  # the engineer chose to keep it


def test_split_can_close_the_original_and_the_customer_reads_the_new_cases(demo):
    original = two_issue_case()
    response = api_for(demo["engineer"]).post(
        f"/api/v1/tickets/{original.number}/split/",
        {
            "cases": [
                {"subject": "VPN drops", "description": "Hourly."},
                {"subject": "Printers", "description": "Gone."},
            ],
            "close_original": True,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    numbers = [row["number"] for row in response.json()]
    assert len(numbers) == 2
    original.refresh_from_db()
    assert (original.status, original.close_reason) == (Status.CLOSED, CloseReason.RESOLVED)
    for number in numbers:
        mine = api_for(demo["mia"]).get(f"/api/v1/tickets/{number}/")
        assert mine.status_code == 200
        assert mine.json()["split_from"] == original.number
        assert mine.json()["first_response_due"] == response.json()[0]["first_response_due"]


def test_a_split_with_an_issue_missing_its_description_creates_nothing(demo):
    original = two_issue_case()
    response = api_for(demo["engineer"]).post(
        f"/api/v1/tickets/{original.number}/split/",
        {"cases": [{"subject": "VPN", "description": "Hourly."}, {"subject": "Printers", "description": ""}]},
        format="json",
    )
    assert response.status_code == 400
    assert Case.objects.count() == 1


def test_split_on_the_page_shows_the_new_numbers(demo, client):
    original = two_issue_case()
    client.force_login(demo["engineer"])
    page = client.get(f"/portal/cases/{original.number}/")
    assert "Split" in page.content.decode()
    response = client.post(
        f"/portal/cases/{original.number}/split/",
        {
            "subject_1": "VPN drops",
            "description_1": "Hourly.",
            "subject_2": "Printers",
            "description_2": "Gone.",
        },
        follow=True,
    )
    made = list(Case.objects.filter(split_from=original).order_by("pk"))
    assert len(made) == 2
    assert f"Split into {made[0].number}, {made[1].number}" in response.content.decode()


def test_merge_closes_the_duplicate_and_the_survivor_shows_its_thread_and_files(demo, client):
    survivor = file_case("bob@acme.test", "Acme", 3, subject="Sign-in fails")
    duplicate = file_case(
        "alice@acme.test",
        "Acme",
        1,
        subject="Nobody can sign in",
        attachments=[SimpleUploadedFile("idp.log", b"cert expired\n")],
    )
    ticket_reply(case=duplicate, author=demo["alice"], body="Still down after a restart.")
    ticket_reply(case=duplicate, author=demo["engineer"], body="Checking the IdP.", internal=True)
    due = survivor.first_response_due
    engineer = demo["engineer"]
    with case_action(actor=engineer, case=duplicate, action=CaseAction.MERGE) as locked:
        ticket_merge(case=locked, actor=engineer, into=survivor)

    duplicate.refresh_from_db()
    survivor.refresh_from_db()
    assert (duplicate.status, duplicate.close_reason) == (Status.CLOSED, CloseReason.MERGED)
    assert duplicate.merged_into_id == survivor.pk
    assert survivor.first_response_due == due and survivor.status == Status.NEW
    assert duplicate.events.get(kind=EventKind.MERGED).data == {"into": survivor.number}
    assert survivor.events.get(kind=EventKind.MERGED_IN).data == {"duplicate": duplicate.number}
    assert duplicate.attachments.get().name == "idp.log"  # the files stay on the duplicate

    client.force_login(demo["engineer"])
    page = client.get(f"/portal/cases/{survivor.number}/").content.decode()
    assert "Merged from" in page and duplicate.number in page
    assert "Still down after a restart." in page and "Checking the IdP." in page
    assert "idp.log" in page
    # Alice, portal admin of Acme, reads both; the internal note stays hidden from her.
    client.force_login(demo["alice"])
    page = client.get(f"/portal/cases/{survivor.number}/").content.decode()
    assert "Still down after a restart." in page and "idp.log" in page
    assert "Checking the IdP." not in page
    download = client.get(f"/portal/attachments/{duplicate.attachments.get().pk}/")
    assert download.status_code == 200


def test_the_admin_shows_a_merge_but_does_not_edit_it(demo, client):
    survivor = file_case("bob@acme.test", "Acme", 3, subject="Sign-in fails")
    duplicate = file_case("alice@acme.test", "Acme", 1, subject="Nobody can sign in")
    engineer = demo["engineer"]
    with case_action(actor=engineer, case=duplicate, action=CaseAction.MERGE) as locked:
        ticket_merge(case=locked, actor=engineer, into=survivor)
    admin = demo["admin"]
    Authenticator.objects.create(user=admin, type=Authenticator.Type.TOTP, data={"secret": "unused-in-test"})
    client.force_login(admin)

    page = client.get(f"/admin/tickets/case/{duplicate.pk}/change/").content.decode()
    assert survivor.number in page  # the link, shown
    # Not editable: no field for it, and no list of every case to choose from (a million at our size).
    assert 'name="merged_into"' not in page and 'name="split_from"' not in page
    assert 'name="continues"' not in page
    assert not re.search(rf"<option[^>]*>{survivor.number}", page)


def test_merge_stays_within_one_account(demo):
    acme = file_case("bob@acme.test", "Acme")
    northwind = file_case("mia@northwind-msp.test", "Tailspin Clinics")
    response = api_for(demo["engineer"]).post(
        f"/api/v1/tickets/{acme.number}/merge/", {"into": northwind.number}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()) == ["into"]
    acme.refresh_from_db()
    assert acme.status == Status.NEW and acme.merged_into is None


def test_merge_through_the_api_and_the_audit_trail_names_who_and_what(demo):
    survivor = file_case("bob@acme.test", "Acme")
    duplicate = file_case("bob@acme.test", "Acme")
    api = api_for(demo["engineer"])
    response = api.post(
        f"/api/v1/tickets/{duplicate.number}/merge/", {"into": survivor.number}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["merged_into"] == survivor.number
    assert response.json()["close_reason"] == "merged"
    trail = api.get(f"/api/v1/tickets/{duplicate.number}/events/").json()
    merged = [event for event in trail if event["kind"] == "merged"]
    assert merged[0]["actor"] == "engineer@demo.test"
    assert merged[0]["data"] == {"into": survivor.number}
    closed = [event for event in trail if event["kind"] == "status_changed"][-1]
    assert closed["data"]["to"] == "closed" and closed["data"]["reason"] == "merged"


def test_a_reopened_duplicate_is_no_longer_merged_and_the_trail_keeps_the_merge(demo):
    survivor = file_case("bob@acme.test", "Acme")
    duplicate = file_case("bob@acme.test", "Acme")
    ticket_reply(case=duplicate, author=demo["engineer"], body="Hi", kind=ResponseKind.ANSWER)
    api = api_for(demo["engineer"])
    api.post(f"/api/v1/tickets/{duplicate.number}/merge/", {"into": survivor.number}, format="json")
    response = api.post(
        f"/api/v1/tickets/{duplicate.number}/reopen/", {"reason": "Not the same problem."}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["merged_into"] is None
    assert response.json()["status"] == "open"
    assert response.json()["sla_state"] == "met"  # answered before: stays answered
    reopened = CaseEvent.objects.get(case=duplicate, kind=EventKind.REOPENED)
    assert reopened.data["merged_into"] == survivor.number and reopened.data["close_reason"] == "merged"
    assert CaseEvent.objects.filter(case=duplicate, kind=EventKind.MERGED).exists()


def test_merge_and_continuation_stay_within_one_organization(demo):
    # Max acts for Contoso and Fabrikam, not Tailspin: a link to a Tailspin case would show him its number
    # and send him to a case he cannot read.
    fabrikam = file_case("max@northwind-msp.test", "Fabrikam Logistics")
    tailspin = file_case("mia@northwind-msp.test", "Tailspin Clinics")
    api = api_for(demo["engineer"])
    merge = api.post(f"/api/v1/tickets/{fabrikam.number}/merge/", {"into": tailspin.number}, format="json")
    assert merge.status_code == 400
    assert merge.json()["into"] == ["Merge only into a case of the same organization."]
    api.post(f"/api/v1/tickets/{tailspin.number}/close/", {"reason": "resolved"}, format="json")
    link = api.post(f"/api/v1/tickets/{fabrikam.number}/link/", {"continues": tailspin.number}, format="json")
    assert link.status_code == 400 and list(link.json()) == ["continues"]
    fabrikam.refresh_from_db()
    assert fabrikam.status == Status.NEW and fabrikam.merged_into is None and fabrikam.continues is None


def test_the_duplicates_requester_is_copied_on_the_survivor_and_reads_the_conversation_there(demo, client):
    survivor = file_case("alice@acme.test", "Acme", subject="Agents offline")
    duplicate = file_case("bob@acme.test", "Acme", subject="Agents gone quiet")
    ticket_reply(case=duplicate, author=demo["bob"], body="Twelve agents silent since 02:00.")
    client.force_login(demo["bob"])
    assert client.get(f"/portal/cases/{survivor.number}/").status_code == 404  # Alice's case, not his

    engineer = demo["engineer"]
    with case_action(actor=engineer, case=duplicate, action=CaseAction.MERGE) as locked:
        ticket_merge(case=locked, actor=engineer, into=survivor)

    assert list(survivor.cc.all()) == [demo["bob"]]
    copied = survivor.events.get(kind=EventKind.CC_CHANGED).data
    assert copied == {"from": [], "to": ["bob@acme.test"], "reason": "merged"}
    page = client.get(f"/portal/cases/{survivor.number}/")
    assert page.status_code == 200
    assert "Twelve agents silent since 02:00." in page.content.decode()


def test_a_merged_case_merged_again_brings_every_thread_to_the_last_survivor(demo, client):
    first = file_case("bob@acme.test", "Acme", subject="Sign-in fails")
    second = file_case("bob@acme.test", "Acme", subject="Sign-in still fails")
    last = file_case("alice@acme.test", "Acme", subject="Nobody can sign in")
    ticket_reply(case=first, author=demo["bob"], body="The first report of it.")
    engineer = demo["engineer"]
    with case_action(actor=engineer, case=first, action=CaseAction.MERGE) as locked:
        ticket_merge(case=locked, actor=engineer, into=second)
    with case_action(actor=engineer, case=second, action=CaseAction.MERGE) as locked:
        ticket_merge(case=locked, actor=engineer, into=last)

    assert set(Case.objects.filter(merged_into=last)) == {first, second}
    moved = first.events.filter(kind=EventKind.MERGED).order_by("pk").last().data
    assert moved == {"into": last.number, "through": second.number}
    client.force_login(demo["engineer"])
    page = client.get(f"/portal/cases/{last.number}/").content.decode()
    assert "The first report of it." in page and first.number in page and second.number in page


def test_the_parts_of_a_split_case_stay_with_its_assignee(demo):
    original = two_issue_case()
    engineer = demo["engineer2"]
    with case_action(actor=engineer, case=original, action=CaseAction.ASSIGN) as locked:
        ticket_assign(case=locked, actor=engineer, assignee=engineer)
    with case_action(actor=engineer, case=original, action=CaseAction.SPLIT) as locked:
        made = ticket_split(
            case=locked,
            actor=engineer,
            issues=[
                {"subject": "VPN drops", "description": "Hourly."},
                {"subject": "Printers", "description": "Gone."},
            ],
        )
    assert [Case.objects.get(pk=new.pk).assignee for new in made] == [engineer, engineer]
    assert made[0].events.get(kind=EventKind.SPLIT_FROM).data["assignee"] == "engineer2@demo.test"
