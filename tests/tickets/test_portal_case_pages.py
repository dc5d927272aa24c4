"""The portal as a customer uses it: file, list, read, reply, decide, escalate, copy colleagues."""

import re

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tenants.models import Organization
from tests.tickets.helpers import file_case
from tickets.models import Attachment, Case, CaseEvent, EventKind, ResponseKind, Status
from tickets.services import ticket_reply

FORM = {
    "category": "sign_in",
    "subject": "SAML login loops back to the portal",
    "description": "After the **IdP** redirect users land on the sign-in page again.",
    "requested_severity": "2",
    "best_time_from": "09:00",
    "best_time_to": "12:00",
    "contact_time_zone": "America/Denver",
}


@pytest.fixture
def bob(client, demo):
    client.force_login(demo["bob"])
    return client


def acme_form(**changes):
    return {**FORM, "organization": str(Organization.objects.get(name="Acme").pk), **changes}


def test_bob_files_a_case_and_lands_on_it(bob, demo):
    log = SimpleUploadedFile("agent.log", b"ERROR saml: signature invalid\n", content_type="text/plain")
    response = bob.post("/portal/cases/new/", {**acme_form(), "attachments": [log]})
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/portal/cases/{case.number}/"
    assert (case.requester, case.severity, case.category.slug) == (demo["bob"], 2, "sign_in")
    assert case.attachments.get().name == "agent.log"
    page = bob.get(response["Location"]).content.decode()
    assert f"Case {case.number} is filed" in page
    assert "<strong>IdP</strong>" in page


def test_a_missing_subject_is_named_and_everything_typed_stays(bob, demo):
    response = bob.post("/portal/cases/new/", acme_form(subject=""))
    assert response.status_code == 400
    page = response.content.decode()
    assert "This field is required." in page
    assert "After the **IdP** redirect users land on the sign-in page again." in page
    assert 'value="09:00"' in page
    assert not Case.objects.exists()


def test_an_oversize_file_is_refused_by_name_and_the_rest_is_kept(bob, demo, settings):
    settings.ATTACHMENT_MAX_BYTES = 1024 * 1024
    big = SimpleUploadedFile("support-package.zip", b"x" * (1024 * 1024 + 1))
    response = bob.post("/portal/cases/new/", {**acme_form(), "attachments": [big]})
    assert response.status_code == 400
    page = response.content.decode()
    assert "support-package.zip is larger than the 1.0 MB limit." in page
    assert 'value="SAML login loops back to the portal"' in page
    assert not Case.objects.exists() and not Attachment.objects.exists()


def test_a_refused_kind_of_file_is_named(bob, demo):
    response = bob.post(
        "/portal/cases/new/", {**acme_form(), "attachments": [SimpleUploadedFile("fix.exe", b"MZ")]}
    )
    assert response.status_code == 400
    assert "fix.exe: we do not accept .exe files" in response.content.decode()


def test_the_form_offers_max_only_his_two_organizations_and_refuses_the_third(client, demo):
    client.force_login(demo["max"])
    page = client.get("/portal/cases/new/").content.decode()
    assert "Contoso Dental" in page and "Fabrikam Logistics" in page and "Tailspin Clinics" not in page
    tailspin = Organization.objects.get(name="Tailspin Clinics")
    response = client.post("/portal/cases/new/", {**FORM, "organization": str(tailspin.pk)})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert not Case.objects.exists()


@pytest.mark.parametrize("who", ["fred", "olga"])
def test_customers_who_may_not_file_see_why_instead_of_the_form(client, demo, who):
    client.force_login(demo[who])
    response = client.get("/portal/cases/new/")
    assert response.status_code == 403
    assert "You cannot file new cases right now" in response.content.decode()


def test_the_list_filters_by_status_severity_and_searches_number_and_subject(bob, demo):
    first = file_case("bob@acme.test", "Acme", 1, subject="VPN drops every hour")
    second = file_case("bob@acme.test", "Acme", 3, subject="Typo on the sign-in page")
    ticket_reply(case=second, author=demo["engineer"], body="Fixed", kind=ResponseKind.ANSWER)
    assert "VPN drops" in bob.get("/portal/?severity=1").content.decode()
    assert "Typo" not in bob.get("/portal/?severity=1").content.decode()
    assert "Typo" in bob.get("/portal/?status=open").content.decode()
    assert "VPN drops" not in bob.get("/portal/?status=open").content.decode()
    assert "Typo" in bob.get("/portal/?search=typo").content.decode()
    assert "VPN drops" in bob.get(f"/portal/?search={first.number}").content.decode()
    assert "No case matches these filters." in bob.get("/portal/?search=nothing-like-this").content.decode()


def test_the_list_costs_the_same_queries_for_a_few_cases_or_a_full_page(bob, demo):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert bob.get("/portal/").status_code == 200
        return len(captured)

    file_case("bob@acme.test", "Acme")
    queries()  # the first page of all also fills the status page's cache (the banner)
    few = queries()
    for i in range(30):
        file_case("bob@acme.test", "Acme", subject=f"Case {i}")
    assert queries() == few


def test_customers_never_see_internal_notes(bob, demo):
    case = file_case("bob@acme.test", "Acme")
    ticket_reply(case=case, author=demo["engineer"], body="Customer is on 3.0, EOL", internal=True)
    ticket_reply(
        case=case,
        author=demo["engineer"],
        body="Could you send the agent log?",
        kind=ResponseKind.REQUEST_INFO,
    )
    page = bob.get(f"/portal/cases/{case.number}/").content.decode()
    assert "Could you send the agent log?" in page
    assert "Customer is on 3.0, EOL" not in page
    assert "Support is waiting for your answer." in page


def test_a_customer_reply_to_a_request_for_information_reopens_the_case(bob, demo):
    case = file_case("bob@acme.test", "Acme")
    ticket_reply(case=case, author=demo["engineer"], body="Which browser?", kind=ResponseKind.REQUEST_INFO)
    assert Case.objects.get(pk=case.pk).auto_close_at is not None
    response = bob.post(f"/portal/cases/{case.number}/reply/", {"body": "Firefox 140"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.OPEN and case.auto_close_at is None


def test_an_empty_reply_is_refused_and_nothing_is_added(bob, demo):
    case = file_case("bob@acme.test", "Acme")
    response = bob.post(f"/portal/cases/{case.number}/reply/", {"body": " "})
    assert response.status_code == 400
    assert not case.replies.exists()


def test_confirming_a_proposed_solution_closes_the_case(bob, demo):
    case = file_case("bob@acme.test", "Acme")
    ticket_reply(
        case=case,
        author=demo["engineer"],
        body="Upgrade to 5.0",
        kind=ResponseKind.PATCH,
        propose_solution=True,
    )
    assert "Support proposed a solution" in bob.get(f"/portal/cases/{case.number}/").content.decode()
    bob.post(f"/portal/cases/{case.number}/confirm/")
    case.refresh_from_db()
    assert (case.status, case.close_reason) == (Status.CLOSED, "confirmed")
    page = bob.get(f"/portal/cases/{case.number}/").content.decode()
    assert f"/portal/cases/new/?continues={case.number}" in page


def test_not_fixed_reopens_and_records_what_still_happens(bob, demo):
    case = file_case("bob@acme.test", "Acme")
    ticket_reply(
        case=case,
        author=demo["engineer"],
        body="Clear cache",
        kind=ResponseKind.ANSWER,
        propose_solution=True,
    )
    bob.post(f"/portal/cases/{case.number}/not-fixed/", {"body": "Still loops"})
    case.refresh_from_db()
    assert case.status == Status.OPEN
    assert case.replies.filter(body="Still loops", author=demo["bob"]).exists()


def test_a_follow_up_case_names_the_closed_one(bob, demo):
    old = file_case("bob@acme.test", "Acme")
    bob.post(f"/portal/cases/{old.number}/close/")
    assert f'value="{old.number}"' in bob.get(f"/portal/cases/new/?continues={old.number}").content.decode()
    bob.post("/portal/cases/new/", acme_form(continues=old.number))
    follow_up = Case.objects.exclude(pk=old.pk).get()
    assert follow_up.continues == old


def test_a_closed_case_takes_no_more_replies(bob, demo):
    case = file_case("bob@acme.test", "Acme")
    bob.post(f"/portal/cases/{case.number}/close/")
    response = bob.post(f"/portal/cases/{case.number}/reply/", {"body": "One more thing"})
    assert response.status_code == 403
    assert "This case is closed. Start a follow-up case instead." in response.content.decode()


def test_asking_to_escalate_flags_the_case_and_emails_the_supervisors(bob, demo, committed):
    case = file_case("bob@acme.test", "Acme")
    with committed():
        bob.post(f"/portal/cases/{case.number}/escalate/", {"reason": "Payroll runs tonight"})
    case.refresh_from_db()
    assert case.escalated_at is not None and case.escalation_reason == "Payroll runs tonight"
    assert [message.to for message in mail.outbox] == [["supervisor@demo.test"]]
    assert f"[{case.number}] Escalation requested by Acme" == mail.outbox[0].subject


def test_a_staff_reply_emails_the_requester_and_the_cc_but_an_internal_note_does_not(bob, demo, committed):
    case = file_case("bob@acme.test", "Acme")
    bob.post(f"/portal/cases/{case.number}/cc/", {"cc": [demo["alice"].pk]})
    with committed():
        ticket_reply(case=case, author=demo["engineer"], body="Looking at it", internal=True)
    assert mail.outbox == []
    with committed():
        ticket_reply(
            case=case, author=demo["engineer"], body="Please try **again** now", kind=ResponseKind.ANSWER
        )
    assert sorted(message.to[0] for message in mail.outbox) == ["alice@acme.test", "bob@acme.test"]
    message = mail.outbox[0]
    assert message.subject == f"[{case.number}] Re: Users cannot sign in"
    assert "Please try again now" in message.body  # the text part reads as text, not Markdown
    assert "<strong>again</strong>" in message.alternatives[0][0]
    assert re.search(rf"/portal/cases/{case.number}/", message.body)


def test_the_cc_list_accepts_only_contacts_of_the_same_account(bob, demo):
    case = file_case("bob@acme.test", "Acme")
    bob.post(f"/portal/cases/{case.number}/cc/", {"cc": [demo["mia"].pk]})
    assert not case.cc.exists()
    bob.post(f"/portal/cases/{case.number}/cc/", {"cc": [demo["alice"].pk]})
    assert list(case.cc.all()) == [demo["alice"]]
    assert CaseEvent.objects.filter(case=case, kind=EventKind.CC_CHANGED).count() == 1


def test_attachments_download_as_files_that_the_browser_will_not_sniff(bob, demo):
    case = file_case("bob@acme.test", "Acme", attachments=[SimpleUploadedFile("trace.har", b'{"log": {}}')])
    attachment = case.attachments.get()
    response = bob.get(f"/portal/attachments/{attachment.pk}/")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="trace.har"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == b'{"log": {}}'
    assert "trace.har" not in attachment.file.name  # stored under a generated name


def test_an_attachment_on_an_internal_note_is_not_downloadable_by_the_customer(bob, demo):
    case = file_case("bob@acme.test", "Acme")
    note = ticket_reply(
        case=case,
        author=demo["engineer"],
        body="Our repro",
        internal=True,
        attachments=[SimpleUploadedFile("repro.log", b"internal")],
    )
    assert bob.get(f"/portal/attachments/{note.attachments.get().pk}/").status_code == 404


def test_the_list_pages_through_older_cases_keeping_the_filters(bob, demo):
    for i in range(30):
        file_case("bob@acme.test", "Acme", subject=f"Printer {i:02d}")
    first = bob.get("/portal/?search=Printer").content.decode()
    assert first.count('class="subject-link"') == 25
    assert 'href="?search=Printer&amp;page=2" rel="next"' in first
    second = bob.get("/portal/?search=Printer&page=2").content.decode()
    assert second.count('class="subject-link"') == 5
    assert "Printer 00" in second and 'rel="next"' not in second


def test_an_engineer_proposes_a_solution_from_the_case_page(client, demo):
    case = file_case("bob@acme.test", "Acme")
    client.force_login(demo["engineer"])
    response = client.post(f"/portal/cases/{case.number}/reply/", {"body": "Update to 5.0", "kind": "patch"})
    assert response.status_code == 302
    client.post(
        f"/portal/cases/{case.number}/reply/",
        {"body": "Fixed in 5.0.1", "kind": "patch", "propose_solution": "on"},
    )
    case.refresh_from_db()
    assert case.status == Status.SOLUTION_PROPOSED and case.first_responded_at is not None
    missing_kind = client.post(f"/portal/cases/{case.number}/reply/", {"body": "And another thing"})
    assert missing_kind.status_code == 400
    assert "Choose what kind of response this is." in missing_kind.content.decode()


def test_an_engineer_validates_the_severity_and_the_deadline_follows(client, demo):
    import datetime
    from zoneinfo import ZoneInfo

    denver = ZoneInfo("America/Denver")
    case = file_case(
        "bob@acme.test", "Acme", 3, received_at=datetime.datetime(2026, 11, 25, 15, 0, tzinfo=denver)
    )
    client.force_login(demo["engineer"])
    assert "Validate severity" in client.get(f"/portal/cases/{case.number}/").content.decode()
    no_reason = client.post(f"/portal/cases/{case.number}/severity/", {"severity": "1", "reason": ""})
    assert no_reason.status_code == 400
    response = client.post(
        f"/portal/cases/{case.number}/severity/", {"severity": "1", "reason": "All users down"}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.severity == 1
    assert case.first_response_due == datetime.datetime(2026, 11, 27, 11, 0, tzinfo=denver)


def test_customers_cannot_validate_severity(bob, demo):
    case = file_case("bob@acme.test", "Acme", 3)
    assert "Validate severity" not in bob.get(f"/portal/cases/{case.number}/").content.decode()
    # A staff-only route: the customer learns nothing from it, exactly as for a case that does not exist.
    response = bob.post(f"/portal/cases/{case.number}/severity/", {"severity": "1", "reason": "Please"})
    assert response.status_code == 404
    case.refresh_from_db()
    assert case.severity == 3


def test_asking_to_escalate_twice_is_refused_with_a_message(bob, demo):
    case = file_case("bob@acme.test", "Acme")
    bob.post(f"/portal/cases/{case.number}/escalate/", {"reason": "Payroll runs tonight"})
    response = bob.post(f"/portal/cases/{case.number}/escalate/", {"reason": "Still urgent"}, follow=True)
    assert "This case is already escalated." in response.content.decode()
    assert CaseEvent.objects.filter(case=case, kind=EventKind.ESCALATED).count() == 1


def test_an_escalation_without_a_reason_keeps_the_form_open(bob, demo):
    case = file_case("bob@acme.test", "Acme")
    response = bob.post(f"/portal/cases/{case.number}/escalate/", {"reason": ""})
    assert response.status_code == 400
    assert "<details open>" in response.content.decode()
    case.refresh_from_db()
    assert case.escalated_at is None
