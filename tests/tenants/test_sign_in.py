"""Signing in with django-allauth: every demo person, the right start page, rate limits, reset, MFA."""

import re

import pytest
from allauth.account.authentication import AUTHENTICATION_METHODS_SESSION_KEY
from django.core import mail
from django.core.exceptions import ValidationError

from demo.people import DEMO_PASSWORD
from tenants.models import Membership, User
from tenants.services import contact_invite

CUSTOMERS = ["alice", "bob", "mia", "max", "fred", "olga", "erin"]


def sign_in(client, email, password=DEMO_PASSWORD):
    return client.post("/accounts/login/", {"login": email, "password": password})


@pytest.mark.parametrize("who", CUSTOMERS)
def test_every_demo_customer_signs_in_and_lands_on_the_portal(client, demo, who):
    response = sign_in(client, demo[who].email)
    assert response.status_code == 302
    response = client.get("/", follow=True)
    assert response.redirect_chain[-1][0] == "/portal/"
    assert demo[who].membership.account.name in response.content.decode()


@pytest.mark.parametrize("who", ["engineer", "engineer2", "supervisor"])
def test_every_demo_engineer_and_supervisor_lands_on_the_queue(client, demo, who):
    sign_in(client, demo[who].email)
    response = client.get("/", follow=True)
    assert response.redirect_chain[-1][0] == "/queue/"
    assert "<h1>Queue</h1>" in response.content.decode()


def test_staff_admin_must_set_up_two_factor_before_anything_else(client, demo):
    sign_in(client, "admin@demo.test")
    for path in ["/", "/queue/", "/admin/"]:
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/2fa/totp/activate/")
    # Straight after signing in, the set-up does not ask for the password just typed (tenants/adapters.py).
    response = client.get("/accounts/2fa/totp/activate/")
    assert response.status_code == 200
    assert "Authenticator code" in response.content.decode()


def test_allauth_asks_for_the_password_again_once_the_sign_in_is_old(client, demo):
    sign_in(client, "admin@demo.test")
    session = client.session
    records = session[AUTHENTICATION_METHODS_SESSION_KEY]
    records[-1]["at"] -= 3600  # signed in an hour ago
    session[AUTHENTICATION_METHODS_SESSION_KEY] = records
    session.save()
    response = client.get("/accounts/2fa/totp/activate/", follow=True)
    assert response.redirect_chain[-1][0].startswith("/accounts/reauthenticate/")
    response = client.post(response.redirect_chain[-1][0], {"password": DEMO_PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0].startswith("/accounts/2fa/totp/activate/")
    assert "Authenticator code" in response.content.decode()


def test_wrong_password_is_refused_and_keeps_the_email_typed(client, demo):
    response = sign_in(client, "bob@acme.test", "not-his-password")
    assert response.status_code == 200
    page = response.content.decode()
    assert "The email address and/or password you specified are not correct." in page
    assert 'value="bob@acme.test"' in page
    assert client.get("/portal/").status_code == 302  # still signed out


def test_repeated_failed_sign_ins_are_rate_limited(client, demo):
    for _ in range(5):
        sign_in(client, "bob@acme.test", "guess")
    response = sign_in(client, "bob@acme.test", DEMO_PASSWORD)
    assert response.status_code == 200
    assert "Too many failed login attempts" in response.content.decode()
    assert client.get("/portal/").status_code == 302


def test_the_portal_and_queue_need_a_sign_in(client, db):
    for path in ["/", "/portal/", "/queue/"]:
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_a_customer_cannot_open_the_queue(client, demo):
    sign_in(client, "alice@acme.test")
    assert client.get("/queue/").status_code == 404


def test_password_reset_mails_a_link_that_sets_a_new_password(client, demo):
    response = client.post("/accounts/password/reset/", {"email": "bob@acme.test"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"http://\S+/accounts/password/reset/key/\S+", mail.outbox[0].body).group(0)
    path = link.split("testserver", 1)[-1] if "testserver" in link else "/" + link.split("/", 3)[3]
    form_page = client.get(path, follow=True)
    response = client.post(
        form_page.redirect_chain[-1][0] if form_page.redirect_chain else path,
        {"password1": "a-brand-new-pass-99", "password2": "a-brand-new-pass-99"},
    )
    assert response.status_code == 302
    assert sign_in(client, "bob@acme.test", "a-brand-new-pass-99").status_code == 302
    assert client.get("/portal/").status_code == 200


def test_an_invited_contact_chooses_a_password_from_the_email_and_signs_in(
    client, demo, django_capture_on_commit_callbacks
):
    alice = demo["alice"]
    with django_capture_on_commit_callbacks(execute=True):
        contact_invite(
            invited_by=alice, account=alice.membership.account, email="carol@acme.test", first_name="Carol"
        )
    invited = User.objects.get(email="carol@acme.test")
    assert invited.membership.role == Membership.Role.CONTACT
    assert mail.outbox[0].to == ["carol@acme.test"]
    assert "Alice Archer invited you to Acme" in mail.outbox[0].subject
    path = "/" + re.search(r"http://\S+", mail.outbox[0].body).group(0).split("/", 3)[3]
    form_page = client.get(path, follow=True)
    response = client.post(
        form_page.redirect_chain[-1][0], {"password1": "carols-own-pass-7", "password2": "carols-own-pass-7"}
    )
    assert response.status_code == 302
    assert sign_in(client, "carol@acme.test", "carols-own-pass-7").status_code == 302
    assert "Acme" in client.get("/portal/").content.decode()


def test_a_contact_cannot_invite_people_to_his_account(demo):
    bob = demo["bob"]
    with pytest.raises(ValidationError, match="Only a portal admin"):
        contact_invite(invited_by=bob, account=bob.membership.account, email="eve@acme.test")


def test_a_portal_admin_cannot_invite_people_into_another_account(demo):
    alice, mia = demo["alice"], demo["mia"]
    with pytest.raises(ValidationError, match="Only a portal admin"):
        contact_invite(invited_by=alice, account=mia.membership.account, email="eve@northwind-msp.test")


def test_django_admin_has_no_password_form_of_its_own(client, demo):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    response = client.post("/admin/login/", {"username": "admin@demo.test", "password": DEMO_PASSWORD})
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert client.get("/admin/").status_code == 302  # still signed out
