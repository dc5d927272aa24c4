"""Who reads which article, on every surface: the knowledge base's pages (home, article, search), the new-case
form's suggestions and the API. Every audience meets every kind of article; an article someone may not read
answers 404 exactly like one that does not exist, and never shows up in a list.

Audiences: a visitor who has not signed in, a Free-tier customer, a paying customer, a customer whose contract
has ended, a deactivated contact (treated as not signed in) and an engineer.
"""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from knowledge.models import Audience

ANONYMOUS = "anonymous"
KINDS = ["public", "customers", "internal", "draft"]
# Who reads which kind of article.
READS = {
    ANONYMOUS: {"public"},
    "b_contact_deactivated": {"public"},
    "free_admin": {"public", "customers"},
    "a_contact": {"public", "customers"},
    "expired_admin": {"public", "customers"},
    "engineer": {"public", "customers", "internal", "draft"},
}
AUDIENCES = list(READS)
MISSING_ID = 2_000_000_000


@pytest.fixture
def articles(write_article):
    """One article of each kind, each titled with a word that only it has, and one shared word."""
    return {
        "public": write_article(title="Printer offline: quick fixes", body="Zebra printer steps."),
        "customers": write_article(
            title="Printer driver for the portal", body="Zebra printer driver.", audience=Audience.CUSTOMERS
        ),
        "internal": write_article(
            title="Printer escalation runbook", body="Zebra printer runbook.", audience=Audience.INTERNAL
        ),
        "draft": write_article(title="Printer firmware notes", body="Zebra printer firmware.", publish=False),
    }


def client_for(tenants, who, kind=Client):
    client = kind()
    if who != ANONYMOUS:
        client.force_login(tenants[who])
    return client


@pytest.mark.parametrize("who", AUDIENCES)
@pytest.mark.parametrize("kind", KINDS)
def test_article_page_opens_only_for_its_readers(two_tenants, articles, who, kind):
    client = client_for(two_tenants, who)
    article = articles[kind]

    response = client.get(article.get_absolute_url())
    missing = client.get(f"/kb/articles/{MISSING_ID}-printer/")

    if kind in READS[who]:
        assert response.status_code == 200
        assert article.title in response.content.decode()
    else:
        assert response.status_code == 404
        assert missing.status_code == 404
        assert article.title not in response.content.decode()


@pytest.mark.parametrize("who", AUDIENCES)
def test_home_and_search_list_only_what_the_reader_may_read(two_tenants, articles, who):
    client = client_for(two_tenants, who)
    home = client.get("/kb/").content.decode()
    search = client.get("/kb/search/", {"q": "zebra printer"}).content.decode()

    for kind, article in articles.items():
        readable = kind in READS[who]
        assert (article.title in home) is readable, (kind, "home")
        assert (article.title in search) is readable, (kind, "search")


@pytest.mark.parametrize("who", [who for who in AUDIENCES if who != ANONYMOUS])
def test_suggestions_offer_only_what_the_reader_may_read(two_tenants, articles, who):
    client = client_for(two_tenants, who)
    response = client.get("/kb/suggestions/", {"q": "zebra printer is offline", "session": "f1"})

    assert response.status_code == 200
    titles = {result["title"] for result in response.json()["results"]}
    assert titles == {articles[kind].title for kind in READS[who]}


def test_suggestions_are_for_signed_in_people(articles):
    response = Client().get("/kb/suggestions/", {"q": "zebra printer"})
    assert response.status_code == 401


@pytest.mark.parametrize("who", AUDIENCES)
def test_api_lists_searches_and_opens_only_what_the_reader_may_read(two_tenants, articles, who):
    client = client_for(two_tenants, who, APIClient)

    listed = {row["id"] for row in client.get("/api/v1/articles/").json()["results"]}
    found = {row["id"] for row in client.get("/api/v1/articles/", {"search": "zebra"}).json()["results"]}
    missing = client.get(f"/api/v1/articles/{MISSING_ID}/")

    readable = {articles[kind].pk for kind in READS[who]}
    assert listed == readable
    assert found == readable
    for kind, article in articles.items():
        response = client.get(f"/api/v1/articles/{article.pk}/")
        if kind in READS[who]:
            assert response.status_code == 200
            assert response.json()["title"] == article.title
        else:
            assert response.status_code == 404
            assert response.json() == missing.json()


def test_an_article_taken_back_to_draft_disappears_for_customers(two_tenants, articles):
    from knowledge.services import article_unpublish

    article_unpublish(article=articles["public"], actor=two_tenants["engineer"])
    client = client_for(two_tenants, "a_contact")

    assert client.get(articles["public"].get_absolute_url()).status_code == 404
    assert articles["public"].title not in client.get("/kb/search/", {"q": "zebra"}).content.decode()


@pytest.mark.parametrize("who", ["a_contact", "free_admin", ANONYMOUS])
def test_editor_pages_are_staff_only(two_tenants, articles, who):
    client = client_for(two_tenants, who)
    article = articles["public"]
    for url in [
        "/kb/manage/",
        "/kb/manage/new/",
        f"/kb/manage/{article.pk}/",
        f"/kb/manage/{article.pk}/history/",
        "/kb/manage/articles.json",
    ]:
        response = client.get(url)
        if who == ANONYMOUS:
            assert response.status_code == 302 and "/accounts/login/" in response["Location"], url
        else:
            assert response.status_code == 404, url
    response = client.post(f"/kb/manage/{article.pk}/unpublish/")
    assert response.status_code == (302 if who == ANONYMOUS else 404)
    article.refresh_from_db()
    assert article.is_published
