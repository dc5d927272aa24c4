"""Staff write articles in the product: a draft, a preview, publishing, every change kept as a revision with
who and when, and an address that survives a new title (the old one redirects)."""

from django.test import Client

from knowledge.models import Article, ArticleRevision, ArticleSentOnCase, Audience
from knowledge.services import article_sent_on_case, article_update, category_get_or_create
from tests.tickets.helpers import file_case


def staff_client(two_tenants):
    client = Client()
    client.force_login(two_tenants["engineer"])
    return client


def form(category, **changes):
    data = {
        "title": "Printer shows offline",
        "summary": "When Windows says the printer is offline.",
        "body": "## Steps\n\n1. Restart the spooler.\n2. <script>alert(1)</script> is not run.",
        "category": category.pk,
        "audience": Audience.PUBLIC,
    }
    return {**data, **changes}


def test_a_preview_renders_without_saving(two_tenants):
    category = category_get_or_create(name="Printing")
    response = staff_client(two_tenants).post("/kb/manage/new/", {**form(category), "preview": "1"})

    page = response.content.decode()
    assert response.status_code == 200
    assert "<h2>Steps</h2>" in page
    assert "<script>alert(1)</script>" not in page
    assert not Article.objects.exists()


def test_a_draft_is_published_and_every_change_is_a_revision(two_tenants):
    engineer, supervisor = two_tenants["engineer"], two_tenants["supervisor"]
    category = category_get_or_create(name="Printing")
    client = staff_client(two_tenants)

    client.post("/kb/manage/new/", {**form(category), "save": "1"})
    article = Article.objects.get()
    assert not article.is_published
    assert Client().get(article.get_absolute_url()).status_code == 404

    client.post(f"/kb/manage/{article.pk}/", {**form(category, body="Restart the spooler."), "publish": "1"})
    article.refresh_from_db()
    assert article.is_published
    assert Client().get(article.get_absolute_url()).status_code == 200

    other = Client()
    other.force_login(supervisor)
    other.post(f"/kb/manage/{article.pk}/", {**form(category, title="Printer is offline"), "save": "1"})

    revisions = list(
        article.revisions.order_by("edited_at", "pk").values_list("change", "edited_by", "title")
    )
    assert revisions == [
        (ArticleRevision.Change.CREATED, engineer.pk, "Printer shows offline"),
        (ArticleRevision.Change.EDITED, engineer.pk, "Printer shows offline"),
        (ArticleRevision.Change.PUBLISHED, engineer.pk, "Printer shows offline"),
        (ArticleRevision.Change.EDITED, supervisor.pk, "Printer is offline"),
    ]
    history = client.get(f"/kb/manage/{article.pk}/history/").content.decode()
    assert "Printer is offline" in history and "Published" in history


def test_a_save_that_changes_nothing_leaves_no_revision(two_tenants, write_article):
    article = write_article(title="Printer shows offline", body="Restart the spooler.")
    before = article.revisions.count()
    article_update(
        article=article,
        actor=two_tenants["engineer"],
        title=article.title,
        body=article.body,
        category=article.category,
        audience=article.audience,
    )
    assert article.revisions.count() == before


def test_a_new_title_keeps_old_links_working(two_tenants, write_article):
    article = write_article(title="Printer shows offline", body="Restart the spooler.")
    old_url = article.get_absolute_url()
    article = article_update(
        article=article,
        actor=two_tenants["engineer"],
        title="Printer is offline after an update",
        body=article.body,
        category=article.category,
        audience=article.audience,
    )

    response = Client().get(old_url)
    assert response.status_code == 301
    assert response["Location"] == f"/kb/articles/{article.pk}-printer-is-offline-after-an-update/"
    assert Client().get(f"/kb/articles/{article.pk}/").status_code == 301
    assert Client().get(response["Location"]).status_code == 200


def test_bad_input_is_shown_on_the_form(two_tenants):
    category = category_get_or_create(name="Printing")
    response = staff_client(two_tenants).post("/kb/manage/new/", {**form(category, title="  "), "save": "1"})
    assert response.status_code == 400
    assert (
        "This field is required" in response.content.decode() or "needs a title" in response.content.decode()
    )
    assert not Article.objects.exists()


def test_the_article_shows_how_many_cases_it_was_sent_on(two_tenants, write_article):
    article = write_article(title="Printer shows offline")
    engineer = two_tenants["engineer"]
    first = file_case(two_tenants["a_contact"].email, "Acme Dental")
    second = file_case(two_tenants["a_contact"].email, "Acme Dental")

    article_sent_on_case(article=article, case=first, actor=engineer)
    article_sent_on_case(article=article, case=first, actor=engineer)
    article_sent_on_case(article=article, case=second, actor=engineer)

    assert ArticleSentOnCase.objects.filter(article=article).count() == 2
    assert "2 cases" in staff_client(two_tenants).get(article.get_absolute_url()).content.decode()


def test_the_reply_picker_offers_only_published_articles_customers_can_read(two_tenants, write_article):
    public = write_article(title="Printer shows offline")
    customers = write_article(title="Printer driver", audience=Audience.CUSTOMERS)
    write_article(title="Printer runbook", audience=Audience.INTERNAL)
    write_article(title="Printer firmware", publish=False)

    answer = staff_client(two_tenants).get("/kb/manage/articles.json", {"q": "printer"}).json()

    assert {row["id"] for row in answer["results"]} == {public.pk, customers.pk}


def test_a_mistake_in_an_edit_is_shown_again_and_changes_nothing(two_tenants, write_article):
    article = write_article(title="Printer shows offline")
    response = staff_client(two_tenants).post(
        f"/kb/manage/{article.pk}/", {**form(article.category, body="Kept", audience="everyone")}
    )
    assert response.status_code == 400
    assert "Select a valid choice." in response.content.decode()
    assert "Kept" in response.content.decode()
    article.refresh_from_db()
    assert article.body == "Steps to follow."


def test_a_nul_typed_in_the_reply_picker_is_dropped(two_tenants, write_article):
    public = write_article(title="Printer shows offline")
    client = staff_client(two_tenants)

    response = client.get("/kb/manage/articles.json", {"q": "printer\x00"})

    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [public.pk]
