"""Charlie should have no access to Alice's people: every route about one contact answers 404, for every
method, to a person of narrower reach or another tenant, exactly as for a contact that does not exist, and
changes nothing. The routes are found by walking the URL patterns, so a new contact route is covered."""

import pytest
from django.forms.models import model_to_dict
from django.urls import URLPattern, URLResolver, get_resolver

from tenants.models import Membership, Organization, User
from tests.factories import MembershipFactory

METHODS = ["get", "post", "put", "patch", "delete"]


def contact_routes(patterns=None, prefix=""):
    """Every URL pattern that takes a contact (membership_id), as a path template."""
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            yield from contact_routes(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern) and "membership_id" in entry.pattern.converters:
            yield prefix + str(entry.pattern).replace("<int:membership_id>", "{id}")


ROUTES = sorted(set(contact_routes()))


def test_the_walk_finds_the_contact_routes():
    assert ROUTES == [
        "portal/account/contacts/{id}/deactivate/",
        "portal/account/contacts/{id}/reactivate/",
    ]


@pytest.fixture
def contacts(demo):
    northwind = demo["mia"].membership.account
    tailspin_only = MembershipFactory(account=northwind, all_organizations=False, is_active=False)
    tailspin_only.organizations.set([Organization.objects.get(name="Tailspin Clinics")])
    plain = MembershipFactory(account=northwind, all_organizations=True)
    return {
        "mia": demo["mia"].membership,
        "bob": demo["bob"].membership,
        "tailspin_only": tailspin_only,
        "northwind_contact": plain.user,
    }


# (whose contact, who tries): narrower reach, a plain contact, another tenant, staff outside the portal.
OUTSIDERS = [
    ("mia", "max"),
    ("mia", "northwind_contact"),
    ("mia", "alice"),
    ("mia", "engineer"),
    ("tailspin_only", "max"),
    ("tailspin_only", "erin"),
    ("bob", "mia"),
    ("bob", "max"),
    ("bob", "bob"),
]


def snapshot(membership: Membership):
    membership = Membership.objects.get(pk=membership.pk)
    user = User.objects.get(pk=membership.user_id)
    return (
        model_to_dict(membership, exclude=["organizations"]),
        sorted(membership.organizations.values_list("pk", flat=True)),
        model_to_dict(user, exclude=["groups", "user_permissions"]),
    )


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("target, who", OUTSIDERS)
def test_a_contact_beyond_reach_is_404_and_unchanged(client, demo, contacts, route, method, target, who):
    membership = contacts[target]
    person = contacts[who] if who in contacts and isinstance(contacts[who], User) else demo[who]
    client.force_login(person)  # first: signing in stamps the person's own last_login
    before = snapshot(membership)

    response = getattr(client, method)("/" + route.format(id=membership.pk))

    assert response.status_code == 404
    assert snapshot(membership) == before
    # The same answer as for a contact that does not exist.
    assert getattr(client, method)("/" + route.format(id=999999)).status_code == 404


@pytest.mark.parametrize("route", ROUTES)
def test_an_admin_reaches_its_own_contacts_on_every_route(client, demo, contacts, route):
    """The other side: the same routes work for Mia on the Tailspin-only contact (not a 404)."""
    client.force_login(demo["mia"])
    response = client.post("/" + route.format(id=contacts["tailspin_only"].pk))
    assert response.status_code == 302
