"""The portal admin's account page: invite and deactivate contacts, see contracts and product versions."""

from django.core import mail

from tenants.models import Membership


def test_alice_invites_a_contact_who_gets_an_email(client, demo, committed):
    client.force_login(demo["alice"])
    with committed():
        response = client.post(
            "/portal/account/invite/",
            {
                "email": "carol@acme.test",
                "first_name": "Carol",
                "last_name": "Cole",
                "all_organizations": "on",
            },
        )
    assert response.status_code == 302
    assert Membership.objects.get(user__email="carol@acme.test").account.name == "Acme"
    assert mail.outbox[0].to == ["carol@acme.test"]


def test_a_mistake_in_the_invitation_keeps_what_was_typed(client, demo):
    client.force_login(demo["alice"])
    response = client.post("/portal/account/invite/", {"email": "not-an-address", "first_name": "Carol"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Enter a valid email address." in page
    assert 'value="Carol"' in page


def test_an_address_longer_than_a_sign_in_can_hold_is_refused_on_the_form(client, demo):
    client.force_login(demo["alice"])
    address = "a" * 60 + "@" + ".".join(["b" * 60] * 4) + ".com"  # well formed, 308 characters
    response = client.post(
        "/portal/account/invite/", {"email": address, "first_name": "Carol", "all_organizations": "on"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Ensure this value has at most 254 characters (it has 308)." in page
    assert 'value="Carol"' in page
    assert not Membership.objects.filter(user__first_name="Carol").exists()


def test_alice_deactivates_bob_who_then_cannot_file(client, demo):
    client.force_login(demo["alice"])
    bob_membership = Membership.objects.get(user=demo["bob"])
    client.post(f"/portal/account/contacts/{bob_membership.pk}/deactivate/")
    bob_membership.refresh_from_db()
    assert not bob_membership.is_active
    client.force_login(demo["bob"])
    assert client.get("/portal/cases/new/").status_code == 403


def test_a_portal_admin_cannot_deactivate_contacts_of_another_account(client, demo):
    client.force_login(demo["alice"])
    max_membership = Membership.objects.get(user=demo["max"])
    assert client.post(f"/portal/account/contacts/{max_membership.pk}/deactivate/").status_code == 404
    max_membership.refresh_from_db()
    assert max_membership.is_active


def test_a_plain_contact_has_no_account_page(client, demo):
    client.force_login(demo["bob"])
    assert client.get("/portal/account/").status_code == 404
    assert (
        client.post("/portal/account/invite/", {"email": "x@acme.test", "first_name": "X"}).status_code == 404
    )


def test_the_account_page_lists_contracts_and_supported_and_end_of_life_versions(client, demo):
    client.force_login(demo["alice"])
    page = client.get("/portal/account/").content.decode()
    assert "Standard" in page and "In force" in page
    assert "Identity Gateway" in page and "End of life" in page and "Supported" in page
    assert "bob@acme.test" in page
