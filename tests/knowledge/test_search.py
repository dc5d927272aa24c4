"""Search on a small corpus, on PostgreSQL full-text search: a title hit ranks above a body hit, English
stemming finds other forms of a word, and snippets highlight what matched (escaped, never raw HTML)."""

import pytest
from django.test import Client

from knowledge.search import article_search, search_snippets
from knowledge.visibility import articles_visible_to


@pytest.fixture
def corpus(write_article):
    return {
        "title": write_article(
            title="Printer shows offline after a Windows update",
            body="Restart the spooler service, then remove and add the device again.",
        ),
        "body": write_article(
            title="Badge readers at the front desk",
            body="The badge reader connects like a label printer: over USB, with the vendor's driver.",
        ),
        "other": write_article(
            title="Resetting a user's MFA enrollment",
            body="Open the user, choose Reset MFA, and ask them to enrol again at their next sign-in.",
        ),
        "stemmed": write_article(
            title="Duplex printing prints only one side",
            body="Turn on two-sided printing in the driver's preferences.",
        ),
        "hostile": write_article(
            title="Script tags in exported reports",
            body="An export containing <script>alert(1)</script> is shown as text in the report viewer.",
        ),
    }


def titles(text, **options):
    return [article.title for article in article_search(articles_visible_to(None), text, **options)]


def test_a_title_hit_ranks_above_a_body_hit(corpus):
    found = titles("printer")
    assert found.index(corpus["title"].title) < found.index(corpus["body"].title)
    assert corpus["other"].title not in found


def test_stemming_finds_other_forms_of_a_word(corpus):
    assert corpus["stemmed"].title in titles("printed")
    assert corpus["stemmed"].title in titles("prints")
    assert corpus["other"].title in titles("enrolling")


def test_every_word_must_match_in_a_search_but_one_title_word_is_enough_for_suggestions(corpus):
    assert titles("printer spooler") == [corpus["title"].title]
    suggested = titles("Our printers went offline overnight", suggest=True)
    assert suggested == [corpus["title"].title]
    # A subject's words found only in bodies suggest nothing: titles are what a subject resembles.
    assert titles("spooler", suggest=True) == []


def test_snippets_mark_the_matches_and_escape_the_rest(corpus):
    articles = list(article_search(articles_visible_to(None), "script export"))
    snippets = search_snippets(articles=articles, text="script export")

    snippet = snippets[corpus["hostile"].pk]
    assert "<mark>" in snippet
    assert "<script" not in snippet
    assert "alert(1)" in snippet  # the text stays; ts_headline drops the tag itself


def test_the_search_page_shows_highlighted_snippets(corpus):
    page = Client().get("/kb/search/", {"q": "spooler"}).content.decode()
    assert corpus["title"].title in page
    assert "<mark>spooler</mark>" in page


def test_a_search_of_nothing_but_punctuation_finds_nothing_and_does_not_fail(corpus):
    response = Client().get("/kb/search/", {"q": "!!! & | ( :*"})
    assert response.status_code == 200
    assert titles("!!! & | ( :*") == []
    assert titles("the and of", suggest=True) == []


def test_a_nul_in_a_search_is_dropped(corpus):
    response = Client().get("/kb/search/", {"q": "spooler\x00"})
    assert response.status_code == 200
    assert "<mark>spooler</mark>" in response.content.decode()

    response = Client().get("/api/v1/articles/", {"search": "spooler\x00"})
    assert response.status_code == 200
    assert [row["title"] for row in response.json()["results"]] == [corpus["title"].title]
