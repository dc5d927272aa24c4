"""The sign-in pages look like the product: "Cancel" is not the main button, the recovery codes have a way on,
and no page asks for a favicon that is not there."""

from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

from demo.people import DEMO_PASSWORD


def sign_in(client, email):
    return client.post("/accounts/login/", {"login": email, "password": DEMO_PASSWORD}, follow=True)


def test_cancel_on_the_two_factor_step_is_a_secondary_button(client, demo):
    TOTP.activate(demo["admin"], generate_totp_secret())
    response = sign_in(client, "admin@demo.test")
    assert response.redirect_chain[-1][0] == "/accounts/2fa/authenticate/"
    page = response.content.decode()
    assert '<button class="button" type="submit">' in page  # sign in: the one that stands out
    assert 'class="button button-secondary" form="logout-from-stage" type="submit">' in page  # cancel


def test_the_recovery_codes_page_leads_back_into_supportdesk(client, demo):
    TOTP.activate(demo["admin"], generate_totp_secret())
    RecoveryCodes.activate(demo["admin"])
    client.force_login(demo["admin"])
    session = client.session
    session["account_authentication_methods"] = []  # force_login records no sign-in
    session.save()
    sign_in_page = client.get("/accounts/2fa/recovery-codes/", follow=True)
    assert sign_in_page.redirect_chain[-1][0].startswith("/accounts/reauthenticate/")
    page = client.post(sign_in_page.redirect_chain[-1][0], {"password": DEMO_PASSWORD}, follow=True)
    content = page.content.decode()
    assert "Unused codes" in content
    assert '<a class="button" href="/">Done: go to SupportDesk</a>' in content


def test_the_favicon_is_linked_from_every_page_and_at_the_address_browsers_guess(client, db):
    page = client.get("/accounts/login/").content.decode()
    assert '<link rel="icon" href="/static/favicon' in page
    response = client.get("/favicon.ico", follow=True)
    assert response.redirect_chain[0][0].startswith("/static/favicon")
    assert response.status_code == 200
