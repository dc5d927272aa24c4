"""A portal admin hands out only what it has, and manages only contacts within its reach (issue 7, items 1, 2
and 6). Max acts for Contoso Dental and Fabrikam Logistics; Mia for all three Northwind organizations."""

import pytest
from django.core import mail

from tenants.models import Membership, Organization, User
from tests.factories import MembershipFactory
from tickets.models import Case
from tickets.scope import scope_for

CONTOSO, FABRIKAM, TAILSPIN = "Contoso Dental", "Fabrikam Logistics", "Tailspin Clinics"


def org(name: str) -> Organization:
    return Organization.objects.get(name=name)


def northwind_contact(*, role=Membership.Role.CONTACT, organizations=None, active=True) -> Membership:
    """A Northwind contact acting for these organizations (None: all of them)."""
    membership = MembershipFactory(
        account=org(CONTOSO).account,
        role=role,
        all_organizations=organizations is None,
        is_active=active,
    )
    if organizations is not None:
        membership.organizations.set([org(name) for name in organizations])
    return membership


def invite(client, email, follow=False, **fields):
    return client.post(
        "/portal/account/invite/", {"email": email, "first_name": "New", **fields}, follow=follow
    )


# --- item 1: one can only hand out what one has ----------------------------------------------------------


def test_max_invites_a_portal_admin_who_acts_only_for_what_max_chose(client, demo, committed):
    client.force_login(demo["max"])
    with committed():
        response = invite(client, "nina@northwind-msp.test", make_admin="on", organizations=[org(CONTOSO).pk])
    assert response.status_code == 302

    nina = Membership.objects.get(user__email="nina@northwind-msp.test")
    assert (nina.role, nina.all_organizations) == (Membership.Role.ADMIN, False)
    assert list(nina.organizations.values_list("name", flat=True)) == [CONTOSO]
    assert not scope_for(nina.user).cases().filter(organization__name=TAILSPIN).exists()
    assert list(scope_for(nina.user).organizations().values_list("name", flat=True)) == [CONTOSO]
    assert mail.outbox[0].to == ["nina@northwind-msp.test"]


def test_max_cannot_hand_out_tailspin_or_all_organizations(client, demo):
    client.force_login(demo["max"])

    tailspin = invite(client, "nina@northwind-msp.test", organizations=[org(CONTOSO).pk, org(TAILSPIN).pk])
    assert tailspin.status_code == 400
    assert "organizations" in tailspin.context["invite_form"].errors

    # The "all organizations" box is not offered to Max, and posting it anyway grants nothing.
    page = client.get("/portal/account/").content.decode()
    assert "all_organizations" not in page and TAILSPIN not in page
    everything = invite(client, "nina@northwind-msp.test", all_organizations="on")
    assert everything.status_code == 400
    assert everything.context["invite_form"].errors["organizations"] == ["Choose at least one organization."]

    assert not User.objects.filter(email="nina@northwind-msp.test").exists()


def test_the_service_refuses_a_limited_admin_who_asks_for_all_organizations(demo):
    from django.core.exceptions import ValidationError

    from tenants.services import contact_invite

    with pytest.raises(ValidationError) as refused:
        contact_invite(
            invited_by=demo["max"],
            account=org(CONTOSO).account,
            email="x@northwind-msp.test",
            organizations=None,
        )
    assert "organizations" in refused.value.message_dict
    assert not User.objects.filter(email="x@northwind-msp.test").exists()


def test_mia_may_still_invite_someone_for_all_organizations(client, demo):
    client.force_login(demo["mia"])
    assert invite(client, "olly@northwind-msp.test", all_organizations="on").status_code == 302
    assert Membership.objects.get(user__email="olly@northwind-msp.test").all_organizations


# --- item 2: a limited admin manages people within its reach only ------------------------------------------


def test_max_sees_only_contacts_within_his_organizations(client, demo):
    within = northwind_contact(organizations=[FABRIKAM])
    wider = northwind_contact(organizations=[CONTOSO, TAILSPIN])
    everywhere = northwind_contact(organizations=None)
    client.force_login(demo["max"])

    page = client.get("/portal/account/").content.decode()

    assert within.user.email in page and "max@northwind-msp.test" in page
    for hidden in ["mia@northwind-msp.test", wider.user.email, everywhere.user.email, TAILSPIN]:
        assert hidden not in page


def test_max_cannot_deactivate_mia_or_anyone_wider(client, demo):
    mia = Membership.objects.get(user=demo["mia"])
    wider = northwind_contact(organizations=[CONTOSO, TAILSPIN])
    client.force_login(demo["max"])
    for membership in [mia, wider]:
        assert client.get(f"/portal/account/contacts/{membership.pk}/deactivate/").status_code == 404
        assert client.post(f"/portal/account/contacts/{membership.pk}/deactivate/").status_code == 404
        membership.refresh_from_db()
        assert membership.is_active


def test_deactivation_asks_first_then_an_admin_who_sees_the_contact_undoes_it(client, demo):
    bob = Membership.objects.get(user=demo["bob"])
    client.force_login(demo["alice"])

    confirm = client.get(f"/portal/account/contacts/{bob.pk}/deactivate/")
    assert confirm.status_code == 200
    assert "Deactivate Bob Baker?" in confirm.content.decode()
    bob.refresh_from_db()
    assert bob.is_active  # asking changes nothing

    client.post(f"/portal/account/contacts/{bob.pk}/deactivate/")
    bob.refresh_from_db()
    assert not bob.is_active and bob.deactivated_by == demo["alice"]
    page = client.get("/portal/account/").content.decode()
    assert "Deactivated" in page and "Reactivate bob@acme.test" in page

    client.post(f"/portal/account/contacts/{bob.pk}/reactivate/")
    bob.refresh_from_db()
    assert bob.is_active and bob.deactivated_at is None
    client.force_login(demo["bob"])
    assert client.get("/portal/cases/new/").status_code == 200


def test_max_deactivates_and_reactivates_a_contact_within_his_reach(client, demo):
    within = northwind_contact(organizations=[CONTOSO])
    client.force_login(demo["max"])
    client.post(f"/portal/account/contacts/{within.pk}/deactivate/")
    within.refresh_from_db()
    assert not within.is_active
    client.post(f"/portal/account/contacts/{within.pk}/reactivate/")
    within.refresh_from_db()
    assert within.is_active


def test_nobody_deactivates_themselves(client, demo):
    alice = Membership.objects.get(user=demo["alice"])
    client.force_login(demo["alice"])
    response = client.post(f"/portal/account/contacts/{alice.pk}/deactivate/", follow=True)
    assert "You cannot deactivate yourself." in response.content.decode()
    alice.refresh_from_db()
    assert alice.is_active


# --- item 6: the invitation form does not tell who has a sign-in ------------------------------------------


def test_the_invitation_answers_the_same_for_a_new_and_a_known_address(client, demo, committed):
    client.force_login(demo["alice"])
    answers = []
    for email in ["carol@acme.test", "mia@northwind-msp.test"]:
        with committed():
            response = invite(client, email, all_organizations="on", follow=True)
        page = response.content.decode()
        answers.append(
            (response.status_code, response.redirect_chain, f"Invitation sent to {email}." in page)
        )
    assert answers[0] == answers[1] == (200, [("/portal/account/", 302)], True)

    # Mia's sign-in is untouched and stays in Northwind; she is told someone tried.
    assert Membership.objects.get(user=demo["mia"]).account.name == "Northwind MSP"
    assert [message.to for message in mail.outbox] == [["carol@acme.test"], ["mia@northwind-msp.test"]]
    assert "already has a SupportDesk sign-in" in mail.outbox[1].body


# --- item 9: invitations are rate-limited per admin --------------------------------------------------------


def test_an_admin_is_stopped_after_the_hourly_number_of_invitations(client, demo, settings):
    settings.INVITATIONS_PER_HOUR = 3
    client.force_login(demo["alice"])
    for n in range(3):
        assert invite(client, f"person{n}@acme.test", all_organizations="on").status_code == 302

    response = invite(client, "one-too-many@acme.test", all_organizations="on")

    assert response.status_code == 429
    assert "You have sent 3 invitations in the last hour." in response.content.decode()
    assert 'value="one-too-many@acme.test"' in response.content.decode()
    assert not User.objects.filter(email="one-too-many@acme.test").exists()
    # Another admin has a budget of its own.
    client.force_login(demo["mia"])
    assert invite(client, "someone@northwind-msp.test", all_organizations="on").status_code == 302


def test_a_case_of_tailspin_stays_out_of_reach_of_maxs_invitee(demo, client):
    """The pentest's path end to end: Max's invitee never reads a Tailspin case."""
    from tests.tickets.helpers import file_case

    tailspin_case = file_case("mia@northwind-msp.test", TAILSPIN)
    client.force_login(demo["max"])
    invite(client, "nina@northwind-msp.test", make_admin="on", organizations=[org(FABRIKAM).pk])
    invitee = User.objects.get(email="nina@northwind-msp.test")
    client.force_login(invitee)
    assert client.get(f"/portal/cases/{tailspin_case.number}/").status_code == 404
    assert tailspin_case.number not in client.get("/portal/").content.decode()
    assert Case.objects.filter(pk=tailspin_case.pk).exists()
