"""`manage.py create_api_token EMAIL` prints a token; `Authorization: Token <key>` signs that person in."""

import io

import pytest
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from tenants.models import Organization
from tests.factories import CaseFactory

URL = "/api/v1/tickets/"


def create_api_token(email: str) -> str:
    out = io.StringIO()
    call_command("create_api_token", email, stdout=out)
    return out.getvalue().strip()


@pytest.fixture
def bobs_case(demo):
    return CaseFactory(organization=Organization.objects.get(name="Acme"), requester=demo["bob"])


def test_the_printed_token_signs_bob_in(bobs_case):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {create_api_token('bob@acme.test')}")

    response = client.get(URL)

    assert response.status_code == 200
    assert [row["number"] for row in response.json()["results"]] == [bobs_case.number]


def test_running_it_again_prints_the_same_token(demo):
    token = create_api_token("bob@acme.test")
    assert len(token) == 40
    assert create_api_token("bob@acme.test") == token
    assert create_api_token("Bob@Acme.test") == token


def test_an_unknown_email_is_a_clear_error(demo):
    with pytest.raises(CommandError, match="No one signs in with nobody@acme.test"):
        create_api_token("nobody@acme.test")


def test_a_deactivated_person_gets_no_token(demo):
    demo["bob"].is_active = False
    demo["bob"].save(update_fields=["is_active"])
    with pytest.raises(CommandError, match="deactivated"):
        create_api_token("bob@acme.test")


@pytest.mark.parametrize("credentials", [{}, {"HTTP_AUTHORIZATION": "Token not-a-real-token"}])
def test_without_a_valid_token_or_session_the_api_answers_nothing(bobs_case, credentials):
    client = APIClient()
    client.credentials(**credentials)
    for response in [client.get(URL), client.get(f"{URL}{bobs_case.number}/")]:
        assert response.status_code in (401, 403)
        assert bobs_case.number not in response.content.decode()


def test_a_signed_in_browser_session_works_too_and_its_writes_need_the_csrf_token(demo, bobs_case):
    browser = APIClient(enforce_csrf_checks=True)
    browser.force_login(demo["bob"])
    assert browser.get(f"{URL}{bobs_case.number}/").status_code == 200

    response = browser.post(f"{URL}{bobs_case.number}/escalate/", {"reason": "Urgent"}, format="json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]


def test_a_token_client_needs_no_csrf_token(demo, bobs_case):
    client = APIClient(enforce_csrf_checks=True)
    client.credentials(HTTP_AUTHORIZATION=f"Token {create_api_token('bob@acme.test')}")
    response = client.post(f"{URL}{bobs_case.number}/escalate/", {"reason": "Urgent"}, format="json")
    assert response.status_code == 200
    assert response.json()["escalated"] is True
