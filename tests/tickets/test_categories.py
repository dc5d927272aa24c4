"""Categories are data (issue 8): one vocabulary of slugs in the portal form, the API and the demo, labels on
every page; admins add and retire categories; cases filed before keep theirs, and the free text cases had
before categories were data became categories."""

import datetime

import pytest
from allauth.mfa.models import Authenticator
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from rest_framework.test import APIClient

from demo.cases import STORIES
from demo.people import demo_seed
from tenants.models import Organization, User
from tests.tickets.helpers import file_case
from tickets.categories import case_categories_convert
from tickets.models import Case, Category
from tickets.services import ticket_create

ACME = "Acme"
ON_OFFER = "sign_in, mfa, directory_sync, agent, admin_console, licensing, performance, question, other"


@pytest.fixture
def bob(client, demo):
    client.force_login(demo["bob"])
    return client


@pytest.fixture
def bob_api(demo):
    client = APIClient()
    client.force_authenticate(demo["bob"])
    return client


def portal_form(category: str) -> dict:
    return {
        "organization": str(Organization.objects.get(name=ACME).pk),
        "category": category,
        "subject": "SAML login loops back to the portal",
        "description": "After the IdP redirect users land on the sign-in page again.",
        "requested_severity": "3",
        "best_time_from": "09:00",
        "best_time_to": "12:00",
        "contact_time_zone": "America/Denver",
    }


def api_form(category: str) -> dict:
    return {
        "organization": Organization.objects.get(name=ACME).pk,
        "category": category,
        "subject": "SAML login loops back to the portal",
        "description": "After the IdP redirect users land on the sign-in page again.",
        "requested_severity": 3,
        "best_time_to_contact": {"from": "09:00", "to": "12:00", "time_zone": "America/Denver"},
    }


def offered_on_the_form(client) -> list[str]:
    form = client.get("/portal/cases/new/").context["form"]
    return [str(value) for value, _ in form.fields["category"].choices if value]


# --- one vocabulary ---------------------------------------------------------------------------------------


def test_the_form_offers_the_categories_in_order_with_something_else_last(bob):
    page = bob.get("/portal/cases/new/").content.decode()
    assert offered_on_the_form(bob) == ON_OFFER.split(", ")
    assert '<option value="sign_in">Sign-in and single sign-on</option>' in page


@pytest.mark.parametrize("slug", ["sign_in", "licensing", "other"])
def test_the_form_and_the_api_accept_the_same_slug_and_show_its_label(bob, bob_api, slug):
    label = Category.objects.get(slug=slug).label

    page = bob.post("/portal/cases/new/", portal_form(slug))
    assert page.status_code == 302
    filed_on_the_page = Case.objects.get(number=page["Location"].split("/")[-2])
    api = bob_api.post("/api/v1/tickets/", api_form(slug), format="json")
    assert api.status_code == 201, api.json()

    assert filed_on_the_page.category.slug == slug
    assert (api.json()["category"], api.json()["category_label"]) == (slug, label)
    read_back = bob_api.get(api.json()["url"]).json()
    assert (read_back["category"], read_back["category_label"]) == (slug, label)
    assert f"<dt>Category</dt><dd>{label}</dd>" in bob.get(page["Location"]).content.decode()


@pytest.mark.parametrize("unknown", ["Sign-in and single sign-on", "SIGN_IN", "certificates", " sign_in"])
def test_the_form_and_the_api_refuse_the_same_unknown_slug_naming_the_category(bob, bob_api, unknown):
    page = bob.post("/portal/cases/new/", portal_form(unknown))
    api = bob_api.post("/api/v1/tickets/", api_form(unknown), format="json")

    assert page.status_code == api.status_code == 400
    assert page.context["form"].errors == {"category": ["Choose one of the categories in the list."]}
    assert api.json() == {"category": [f"Choose one of the categories: {ON_OFFER}."]}
    assert not Case.objects.exists()


@pytest.mark.parametrize("value", [None, 7, ["sign_in"], {"slug": "sign_in"}, ""])
def test_the_api_refuses_a_category_that_is_not_a_slug_naming_it(bob_api, value):
    response = bob_api.post("/api/v1/tickets/", api_form(value), format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["category"]


def test_a_case_without_a_category_is_refused_everywhere(bob, bob_api, demo):
    api = api_form("")
    del api["category"]

    page = bob.post("/portal/cases/new/", portal_form(""))
    assert page.status_code == 400 and list(page.context["form"].errors) == ["category"]
    assert list(bob_api.post("/api/v1/tickets/", api, format="json").json()) == ["category"]
    with pytest.raises(ValidationError) as refused:
        ticket_create(
            requester=demo["bob"],
            organization=Organization.objects.get(name=ACME),
            category=None,
            subject="Users cannot sign in",
            description="Since this morning.",
            requested_severity=3,
            best_time_from=datetime.time(9),
            best_time_to=datetime.time(17),
            contact_time_zone="America/Denver",
        )
    assert refused.value.message_dict == {"category": ["Choose a category."]}


# --- retiring a category ----------------------------------------------------------------------------------


@pytest.fixture
def retired_licensing(demo):
    """A licensing case filed while the category was offered; then an admin retired it."""
    case = file_case("bob@acme.test", ACME, category="licensing", subject="Invoice shows 40 seats")
    Category.objects.filter(slug="licensing").update(is_active=False)
    return case


def test_a_retired_category_is_no_longer_offered_or_accepted(bob, bob_api, retired_licensing):
    assert "licensing" not in offered_on_the_form(bob)

    page = bob.post("/portal/cases/new/", portal_form("licensing"))
    api = bob_api.post("/api/v1/tickets/", api_form("licensing"), format="json")

    assert page.status_code == api.status_code == 400
    assert list(page.context["form"].errors) == ["category"]
    # The answer reads as for a slug that never existed, and lists only what is on offer.
    assert api.json() == {
        "category": [f"Choose one of the categories: {ON_OFFER.replace('licensing, ', '')}."]
    }
    assert Case.objects.count() == 1


def test_the_service_refuses_a_retired_category_naming_it(demo, retired_licensing):
    with pytest.raises(ValidationError) as refused:
        file_case("bob@acme.test", ACME, category="licensing")
    assert refused.value.message_dict == {
        "category": ["“Licensing and billing” is no longer offered: choose another category."]
    }


def test_cases_filed_under_a_retired_category_keep_showing_its_label(bob, bob_api, retired_licensing):
    page = bob.get(f"/portal/cases/{retired_licensing.number}/").content.decode()
    api = bob_api.get(f"/api/v1/tickets/{retired_licensing.number}/").json()

    assert "<dt>Category</dt><dd>Licensing and billing</dd>" in page
    assert (api["category"], api["category_label"]) == ("licensing", "Licensing and billing")


# --- the admin --------------------------------------------------------------------------------------------


@pytest.fixture
def admin_client(client, demo):
    Authenticator.objects.create(user=demo["admin"], type=Authenticator.Type.TOTP, data={"secret": "unused"})
    client.force_login(demo["admin"])
    return client


def test_an_admin_adds_a_category_and_it_is_offered_at_once(admin_client, demo, bob_api):
    response = admin_client.post(
        "/admin/tickets/category/add/",
        {"label": "Mobile app", "slug": "mobile_app", "is_active": "on", "position": "85"},
    )
    assert response.status_code == 302, response.context["adminform"].form.errors

    admin_client.force_login(demo["bob"])
    assert offered_on_the_form(admin_client)[-3:] == ["question", "mobile_app", "other"]
    filed = bob_api.post("/api/v1/tickets/", api_form("mobile_app"), format="json")
    assert filed.status_code == 201 and filed.json()["category_label"] == "Mobile app"


def test_an_admin_retires_a_category_rather_than_deleting_one_that_cases_use(admin_client, retired_licensing):
    licensing = Category.objects.get(slug="licensing")

    admin_client.post(f"/admin/tickets/category/{licensing.pk}/delete/", {"post": "yes"})

    assert Category.objects.filter(pk=licensing.pk).exists()
    change_page = admin_client.get(f"/admin/tickets/category/{licensing.pk}/change/").content.decode()
    assert 'name="slug"' not in change_page  # clients post the slug: it stays once saved


# --- the migration from free text -------------------------------------------------------------------------

BEFORE_THE_FILL = [("tickets", "0005_categories")]


@pytest.mark.django_db(transaction=True)
def test_the_migration_gives_every_old_case_the_category_its_text_names_or_something_else():
    demo_seed()  # people and organizations: the tickets migrations leave them alone
    bob, acme = User.objects.get(email="bob@acme.test"), Organization.objects.get(name=ACME)
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE_THE_FILL)  # cases have their old text (legacy_category) and no category yet
    try:
        apps = executor.loader.project_state(BEFORE_THE_FILL).apps
        OldCase, OldCategory = apps.get_model("tickets", "Case"), apps.get_model("tickets", "Category")

        def old_case(number, text):
            OldCase.objects.create(
                number=number,
                account_id=acme.account_id,
                organization_id=acme.pk,
                requester_id=bob.pk,
                legacy_category=text,
                subject="Old case",
                description="Filed before categories were data.",
                requested_severity=3,
                severity=3,
                best_time_from=datetime.time(9),
                best_time_to=datetime.time(17),
                contact_time_zone="America/Denver",
            )

        old_case("SD-OLD-1", "Sign-in and single sign-on")  # a label, as the portal stored it
        old_case("SD-OLD-2", "Agent")  # a slug, in another case
        old_case("SD-OLD-3", " directory sync (ldap / ad) ")  # a label in another case, with spaces
        old_case("SD-OLD-4", "Certificates")  # a category the portal never offered
        old_case("SD-OLD-5", "Certificates")
        old_case("SD-OLD-6", "")
        OldCategory.objects.filter(slug="other").delete()  # an admin could have: the fill makes it again

        unmatched = case_categories_convert(Case=OldCase, Category=OldCategory)

        assert dict(OldCase.objects.values_list("number", "category__slug")) == {
            "SD-OLD-1": "sign_in",
            "SD-OLD-2": "agent",
            "SD-OLD-3": "directory_sync",
            "SD-OLD-4": "other",
            "SD-OLD-5": "other",
            "SD-OLD-6": "other",
        }
        assert unmatched == {"Certificates": "other", "": "other"}
        assert OldCategory.objects.values("label", "is_active").get(slug="other") == {
            "label": "Something else",
            "is_active": True,
        }
        old_case("SD-OLD-7", "MULTI-FACTOR AUTHENTICATION")  # left for the migration itself
    finally:
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())

    assert Case.objects.get(number="SD-OLD-7").category.slug == "mfa"
    assert Case.objects.get(number="SD-OLD-1").category.label == "Sign-in and single sign-on"


def test_the_demo_cases_name_their_categories_by_slug(demo):
    assert {story.category for story in STORIES} <= set(Category.objects.values_list("slug", flat=True))
