"""The admin role has no API tokens: a token would skip its two-factor sign-in (issue 7, item 7)."""

import io

import pytest
from django.core.management import CommandError, call_command
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient


def test_no_token_is_minted_for_the_admin_role(demo):
    with pytest.raises(CommandError, match="admin@demo.test has the admin role"):
        call_command("create_api_token", "admin@demo.test", stdout=io.StringIO())
    assert not Token.objects.filter(user=demo["admin"]).exists()


def test_a_token_minted_before_someone_became_admin_is_refused(demo):
    token = Token.objects.create(user=demo["engineer"])
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert api.get("/api/v1/tickets/").status_code == 200

    demo["engineer"].staff_role = "admin"
    demo["engineer"].save(update_fields=["staff_role"])

    response = api.get("/api/v1/tickets/")
    assert response.status_code == 401
    assert "The admin role has no API tokens" in response.json()["detail"]
