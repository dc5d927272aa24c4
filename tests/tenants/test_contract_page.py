"""The contract page shows each member of an account what its tier gives: the first-response target per
severity and the hours it is counted in, the ways to reach support, how long a case may wait on them."""

from demo.people import DEMO_PASSWORD


def contract_page(client, email):
    assert client.post("/accounts/login/", {"login": email, "password": DEMO_PASSWORD}).status_code == 302
    response = client.get("/portal/contract/")
    assert response.status_code == 200
    return response.content.decode()


def test_a_standard_contact_sees_business_hour_targets_and_the_portal_and_email(client, demo):
    page = contract_page(client, "bob@acme.test")
    assert "<h2" in page and "Standard" in page and "In force" in page
    for target in ["4 h", "8 h", "Severity 3</span>: by the end of the next business day"]:
        assert target in page
    assert "Standard hours (Mon–Fri 09:00–17:00 Denver, US holidays closed)" in page
    assert "The portal" in page and "Email (a case received by email starts at severity 3)" in page
    assert "Chat, staffed" not in page and "Phone" not in page
    assert "within 15 business days" in page and "a proposed solution within 10" in page


def test_a_premium_contact_sees_round_the_clock_targets_chat_hours_and_phone(client, demo):
    page = contract_page(client, "mia@northwind-msp.test")
    for target in ["1 h", "2 h", "4 h", "24 × 7"]:
        assert target in page
    assert "Chat, staffed Mon–Fri 02:00–19:00 America/Chicago" in page
    assert "<li>Phone</li>" in page
    assert "Acme" not in page


def test_a_free_account_is_told_what_it_has_instead_of_targets(client, demo):
    page = contract_page(client, "fred@freeco.test")
    assert "Free support has no cases" in page
    assert 'href="/kb/"' in page and 'href="/status/"' in page
    assert "First response" not in page


def test_an_ended_contract_says_so(client, demo):
    page = contract_page(client, "olga@oldco.test")
    assert "Ended" in page


def test_staff_have_no_contract_page(client, demo):
    client.post("/accounts/login/", {"login": "engineer@demo.test", "password": DEMO_PASSWORD})
    assert client.get("/portal/contract/").status_code == 404
