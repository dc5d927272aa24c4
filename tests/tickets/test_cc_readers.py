"""Case text reaches only people who may read the case (issue 7, item 3): only they can be CC'd, on every
surface, and every email is checked against the case's visibility when it is sent."""

import re

import pytest
from django.core import mail
from rest_framework.test import APIClient

from tenants.models import Membership, Organization, User
from tests.tickets.helpers import file_case
from tickets.models import ResponseKind
from tickets.services import ticket_reply

TAILSPIN = "Tailspin Clinics"


@pytest.fixture
def tailspin_case(demo):
    return file_case("mia@northwind-msp.test", TAILSPIN)


def test_the_case_form_offers_max_only_for_his_organizations(client, demo):
    client.force_login(demo["mia"])
    page = client.get("/portal/cases/new/").content.decode()
    contoso, fabrikam = (Organization.objects.get(name=n) for n in ["Contoso Dental", "Fabrikam Logistics"])
    # Max's checkbox names the organizations he acts for, so the form hides him for a Tailspin case.
    max_box = re.search(rf'<input[^>]*value="{demo["max"].pk}"[^>]*>', page).group(0)
    assert f'data-organizations="{contoso.pk} {fabrikam.pk}"' in max_box


def test_the_case_form_names_only_the_readers_own_organizations(client, demo):
    # Cleo acts for Contoso alone: Max's checkbox must not tell her that Fabrikam is one of his too.
    contoso, fabrikam = (Organization.objects.get(name=n) for n in ["Contoso Dental", "Fabrikam Logistics"])
    cleo = User.objects.create_user("cleo@northwind-msp.test", "pw-Cleo-2026", first_name="Cleo")
    membership = Membership.objects.create(user=cleo, account=contoso.account, all_organizations=False)
    membership.organizations.set([contoso])
    client.force_login(cleo)
    page = client.get("/portal/cases/new/").content.decode()
    max_box = re.search(rf'<input[^>]*value="{demo["max"].pk}"[^>]*>', page).group(0)
    assert f'data-organizations="{contoso.pk}"' in max_box
    assert str(fabrikam.pk) not in re.search(r'data-organizations="([^"]*)"', max_box).group(1).split()


def test_filing_a_tailspin_case_with_max_copied_is_refused_on_the_form(client, demo):
    client.force_login(demo["mia"])
    response = client.post(
        "/portal/cases/new/",
        {
            "organization": Organization.objects.get(name=TAILSPIN).pk,
            "category": "sign_in",
            "subject": "Clinic kiosk cannot sign in",
            "description": "Since 8:00.",
            "requested_severity": 3,
            "best_time_from": "09:00",
            "best_time_to": "17:00",
            "contact_time_zone": "America/Chicago",
            "cc": [demo["max"].pk],
        },
    )
    assert response.status_code == 400
    assert response.context["form"].errors["cc"] == [
        "Max Mueller cannot read cases of Tailspin Clinics: copy only people who act for it."
    ]
    assert 'value="Clinic kiosk cannot sign in"' in response.content.decode()


def test_the_api_refuses_max_on_a_tailspin_case(demo, tailspin_case):
    api = APIClient()
    api.force_authenticate(demo["mia"])
    response = api.put(
        f"/api/v1/tickets/{tailspin_case.number}/cc/", {"cc": ["max@northwind-msp.test"]}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {
        "cc": ["Max Mueller cannot read cases of Tailspin Clinics: copy only people who act for it."]
    }
    assert list(tailspin_case.cc.all()) == []


def test_max_cannot_name_a_colleague_beyond_his_reach(demo):
    """A Tailspin-only contact is, for Max, the same as an address nobody has."""
    from tests.factories import MembershipFactory

    tailspin_only = MembershipFactory(account=demo["mia"].membership.account, all_organizations=False)
    tailspin_only.organizations.set([Organization.objects.get(name=TAILSPIN)])
    case = file_case("max@northwind-msp.test", "Contoso Dental")
    api = APIClient()
    api.force_authenticate(demo["max"])
    answers = [
        api.put(f"/api/v1/tickets/{case.number}/cc/", {"cc": [email]}, format="json").json()
        for email in [tailspin_only.user.email, "nobody@northwind-msp.test"]
    ]
    assert (
        answers[0]
        == answers[1]
        == {"cc": ["CC contacts must be active colleagues who act for your organizations."]}
    )


def test_a_cc_who_lost_access_gets_no_more_email(demo, committed):
    case = file_case("bob@acme.test", "Acme", cc=[demo["alice"]])
    Membership.objects.filter(user=demo["alice"]).update(is_active=False)
    with committed():
        ticket_reply(case=case, author=demo["engineer"], body="Fixed in 4.2.", kind=ResponseKind.ANSWER)
    assert [message.to for message in mail.outbox] == [["bob@acme.test"]]


def test_a_cc_whose_organizations_changed_gets_no_more_email(demo, committed):
    """Max was copied on a Contoso case; Contoso is then taken from him."""
    case = file_case("mia@northwind-msp.test", "Contoso Dental", cc=[demo["max"]])
    membership = Membership.objects.get(user=demo["max"])
    membership.organizations.set([Organization.objects.get(name="Fabrikam Logistics")])
    with committed():
        ticket_reply(case=case, author=demo["engineer"], body="Patched.", kind=ResponseKind.PATCH)
    assert [message.to for message in mail.outbox] == [["mia@northwind-msp.test"]]
