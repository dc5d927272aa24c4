"""Every text on a case has a longest length, the same in the portal, the API and the services; longer text is
refused naming the field, and the page keeps what was typed."""

import re

import pytest
from django.core.exceptions import ValidationError
from rest_framework.test import APIClient

from tenants.models import Organization
from tests.tickets.helpers import file_case
from tickets.models import (
    DESCRIPTION_MAX_LENGTH,
    ESCALATION_REASON_MAX_LENGTH,
    REPLY_MAX_LENGTH,
    TROUBLESHOOTING_MAX_LENGTH,
    Case,
    Reply,
    ResponseKind,
    Status,
)
from tickets.services import ticket_escalate, ticket_not_fixed, ticket_reply

TOO_LONG = "[" * (DESCRIPTION_MAX_LENGTH + 1)


def portal_form(**changes) -> dict:
    return {
        "organization": str(Organization.objects.get(name="Acme").pk),
        "category": "sign_in",
        "subject": "SAML login loops back to the portal",
        "description": "After the IdP redirect users land on the sign-in page again.",
        "requested_severity": "2",
        "best_time_from": "09:00",
        "best_time_to": "12:00",
        "contact_time_zone": "America/Denver",
        **changes,
    }


def api_form(**changes) -> dict:
    return {
        "organization": Organization.objects.get(name="Acme").pk,
        "category": "sign_in",
        "subject": "Users cannot sign in",
        "description": "Since 08:00 every sign-in fails with error 502.",
        "requested_severity": 2,
        "best_time_to_contact": {"from": "09:00", "to": "12:00", "time_zone": "America/Denver"},
        **changes,
    }


@pytest.fixture
def bob(client, demo):
    client.force_login(demo["bob"])
    return client


@pytest.fixture
def bob_api(demo):
    client = APIClient()
    client.force_authenticate(demo["bob"])
    return client


def test_the_case_form_tells_the_browser_the_longest_texts(bob):
    page = bob.get("/portal/cases/new/").content.decode()
    assert f'maxlength="{DESCRIPTION_MAX_LENGTH}"' in page
    assert f'maxlength="{TROUBLESHOOTING_MAX_LENGTH}"' in page


def test_a_description_of_the_longest_length_is_filed(bob):
    response = bob.post("/portal/cases/new/", portal_form(description="[" * DESCRIPTION_MAX_LENGTH))
    assert response.status_code == 302
    assert len(Case.objects.get().description) == DESCRIPTION_MAX_LENGTH


def test_a_description_one_character_too_long_is_refused_by_the_form_and_what_was_typed_stays(bob):
    response = bob.post("/portal/cases/new/", portal_form(description=TOO_LONG))
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="id_description_error"' in page
    assert f"at most {DESCRIPTION_MAX_LENGTH} characters (it has {DESCRIPTION_MAX_LENGTH + 1})" in page
    assert f"{TOO_LONG}</textarea>" in page
    assert 'value="SAML login loops back to the portal"' in page
    assert not Case.objects.exists()


@pytest.mark.parametrize(
    ("field", "limit"),
    [("description", DESCRIPTION_MAX_LENGTH), ("troubleshooting", TROUBLESHOOTING_MAX_LENGTH)],
)
def test_the_api_refuses_a_text_one_character_too_long_naming_it(bob_api, field, limit):
    response = bob_api.post("/api/v1/tickets/", api_form(**{field: "x" * (limit + 1)}), format="json")
    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert not Case.objects.exists()


def test_the_service_refuses_a_description_one_character_too_long_saying_what_to_do(demo):
    with pytest.raises(ValidationError) as refused:
        file_case("bob@acme.test", "Acme", description=TOO_LONG)
    assert refused.value.message_dict == {
        "description": [
            "Keep the description within 20,000 characters (it has 20,001); attach long logs as files."
        ]
    }
    assert not Case.objects.exists()


def test_the_service_refuses_troubleshooting_notes_one_character_too_long(demo):
    with pytest.raises(ValidationError) as refused:
        file_case("bob@acme.test", "Acme", troubleshooting="x" * (TROUBLESHOOTING_MAX_LENGTH + 1))
    assert list(refused.value.message_dict) == ["troubleshooting"]


# --- the conversation and the customer's decisions -------------------------------------------------------


@pytest.fixture
def proposed(demo):
    case = file_case("bob@acme.test", "Acme")
    ticket_reply(
        case=case,
        author=demo["engineer"],
        body="Restart the gateway.",
        kind=ResponseKind.ANSWER,
        propose_solution=True,
    )
    return case


def test_a_reply_one_character_too_long_is_refused_everywhere_and_what_was_typed_stays(demo, bob, bob_api):
    case = file_case("bob@acme.test", "Acme")
    body = "x" * (REPLY_MAX_LENGTH + 1)

    page = bob.post(f"/portal/cases/{case.number}/reply/", {"body": body})
    assert page.status_code == 400
    assert 'id="id_body_error"' in page.content.decode() and f"{body}</textarea>" in page.content.decode()

    api = bob_api.post(f"/api/v1/tickets/{case.number}/replies/", {"body": body}, format="json")
    assert api.status_code == 400 and list(api.json()) == ["body"]

    with pytest.raises(ValidationError) as refused:
        ticket_reply(case=case, author=demo["bob"], body=body)
    assert list(refused.value.message_dict) == ["body"]
    assert not Reply.objects.filter(case=case).exists()


def test_saying_not_fixed_at_too_great_length_is_refused_and_the_solution_stands(demo, bob_api, proposed):
    body = "x" * (REPLY_MAX_LENGTH + 1)
    api = bob_api.post(f"/api/v1/tickets/{proposed.number}/not-fixed/", {"body": body}, format="json")
    assert api.status_code == 400 and list(api.json()) == ["body"]

    with pytest.raises(ValidationError) as refused:
        ticket_not_fixed(case=proposed, actor=demo["bob"], body=body)
    assert list(refused.value.message_dict) == ["body"]
    proposed.refresh_from_db()
    assert proposed.status == Status.SOLUTION_PROPOSED


def test_an_escalation_reason_one_character_too_long_is_refused_everywhere(demo, bob, bob_api):
    case = file_case("bob@acme.test", "Acme")
    reason = "x" * (ESCALATION_REASON_MAX_LENGTH + 1)

    page = bob.post(f"/portal/cases/{case.number}/escalate/", {"reason": reason})
    assert page.status_code == 400 and 'id="id_reason_error"' in page.content.decode()

    api = bob_api.post(f"/api/v1/tickets/{case.number}/escalate/", {"reason": reason}, format="json")
    assert api.status_code == 400 and list(api.json()) == ["reason"]

    with pytest.raises(ValidationError) as refused:
        ticket_escalate(case=case, actor=demo["bob"], reason=reason)
    assert list(refused.value.message_dict) == ["reason"]
    case.refresh_from_db()
    assert case.escalated_at is None


def test_a_screen_reader_reads_each_fields_help_and_error_from_the_field(bob):
    """Every aria-describedby on the refused form names an element of the page (the help, the error)."""
    page = bob.post("/portal/cases/new/", portal_form(description=TOO_LONG)).content.decode()
    described = {name for value in re.findall(r'aria-describedby="([^"]*)"', page) for name in value.split()}
    assert "id_description_error" in described
    missing = {name for name in described if f'id="{name}"' not in page}
    assert not missing, f"aria-describedby names elements the page does not have: {missing}"
