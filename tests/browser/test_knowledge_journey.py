"""Fred (Free tier) reads the knowledge base; Bob starts a case, is suggested an article and opens it; an
engineer writes, previews and publishes an article. Screenshots on a laptop (1366x900) and a phone
(390x844)."""

import re

import pytest
from playwright.sync_api import expect

from demo.people import DEMO_PASSWORD, demo_seed
from knowledge.models import Article, ArticleSuggestion, Audience
from knowledge.services import knowledge_demo_article

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LAPTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def knowledge_base(transactional_db):
    demo_seed()
    return {
        "public": knowledge_demo_article(
            title="Printer shows offline after a Windows update",
            summary="Windows marks the printer offline when its port changes.",
            body="## Steps\n\n1. Open **Services** and restart the *Print Spooler*.\n"
            "2. Remove the printer and add it again.\n\n| Windows | Fix |\n|---|---|\n| 10 | KB5005565 |\n",
            category="Printing",
        ),
        "customers": knowledge_demo_article(
            title="Printer driver for the portal kiosk",
            body="Download the signed driver from the portal and install it with the kiosk's admin account.",
            category="Printing",
            audience=Audience.CUSTOMERS,
        ),
        "internal": knowledge_demo_article(
            title="Printer escalation runbook",
            body="Page the on-call engineer.",
            category="Printing",
            audience=Audience.INTERNAL,
        ),
    }


def sign_in(page, email):
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_load_state()


def test_fred_reads_an_article(page, screenshot, knowledge_base):
    sign_in(page, "fred@freeco.test")
    page.goto("/kb/")
    page.set_viewport_size(LAPTOP)
    assert page.get_by_role("heading", name="Printing").is_visible()
    assert page.get_by_role("link", name=knowledge_base["customers"].title).is_visible()
    assert page.get_by_text(knowledge_base["internal"].title).count() == 0
    screenshot("kb-home-fred-laptop")

    page.get_by_role("searchbox", name="Search the knowledge base").fill("printing offline")
    page.get_by_role("button", name="Search").click()
    result = page.locator(".kb-result").first
    assert knowledge_base["public"].title in result.inner_text()
    assert result.locator("mark").count() >= 1
    screenshot("kb-search-fred-laptop")

    result.get_by_role("link").click()
    page.wait_for_url(re.compile(r"/kb/articles/\d+-printer-shows-offline"))
    assert page.get_by_role("heading", level=1).inner_text() == knowledge_base["public"].title
    page.get_by_role("button", name="Yes").click()
    page.get_by_text("Thank you for telling us.").wait_for()
    assert knowledge_base["public"].feedback.get().helpful
    screenshot("kb-article-fred-laptop")
    page.set_viewport_size(PHONE)
    screenshot("kb-article-fred-phone")
    page.goto("/kb/")
    screenshot("kb-home-fred-phone")


def test_bob_is_suggested_an_article_while_filing_and_opens_it(page, screenshot, knowledge_base):
    sign_in(page, "bob@acme.test")
    page.set_viewport_size(LAPTOP)
    page.goto("/portal/cases/new/")
    page.get_by_label("Subject").press_sequentially("Our printer is offline", delay=20)
    suggestions = page.locator("#kb-suggestions")
    suggestions.get_by_role("link", name=knowledge_base["public"].title).wait_for()
    assert knowledge_base["internal"].title not in suggestions.inner_text()
    screenshot("kb-suggestions-bob-laptop")
    page.set_viewport_size(PHONE)
    screenshot("kb-suggestions-bob-phone")

    with page.context.expect_page() as opened:
        suggestions.get_by_role("link", name=knowledge_base["public"].title).click()
    article_tab = opened.value
    article_tab.wait_for_load_state()
    assert knowledge_base["public"].title in article_tab.title()

    shown = ArticleSuggestion.objects.filter(user__email="bob@acme.test")
    assert set(shown.values_list("article__title", flat=True)) >= {knowledge_base["public"].title}
    assert shown.get(article=knowledge_base["public"]).opened_at is not None


def test_an_engineer_writes_previews_and_publishes_an_article(page, screenshot, knowledge_base):
    sign_in(page, "engineer@demo.test")
    page.set_viewport_size(LAPTOP)
    page.goto("/kb/manage/")
    page.get_by_role("link", name="Write an article").click()
    page.get_by_label("Title").fill("Scanner saves blank pages")
    page.get_by_label("Body").fill("## Cause\n\nThe glass is dirty.\n\n## Fix\n\nClean it with a dry cloth.")
    page.get_by_label("Category").select_option(label="Printing")
    page.get_by_label("Everyone (no sign-in needed)").check()
    page.get_by_role("button", name="Preview").click()
    # Waits for the page the Preview button posts to (a busy machine may take a moment).
    expect(page.locator(".kb-preview").get_by_role("heading", name="Cause")).to_be_visible()
    assert not Article.objects.filter(title="Scanner saves blank pages").exists()
    screenshot("kb-editor-preview-laptop")

    page.get_by_role("button", name="Publish").click()
    page.get_by_text("Article published.").wait_for()
    article = Article.objects.get(title="Scanner saves blank pages")
    assert article.is_published
    page.get_by_role("link", name="History").click()
    assert "Published" in page.locator(".kb-revisions").inner_text()
    page.set_viewport_size(PHONE)
    screenshot("kb-history-phone")
