"""Was this article helpful? Each person is counted once (anonymous readers: once per browser session);
answering again changes the answer, never the count."""

from django.test import Client

from knowledge.selectors import article_helpfulness


def answer(client, article, helpful):
    return client.post(f"/kb/articles/{article.pk}/helpful/", {"helpful": helpful})


def test_a_signed_in_reader_is_counted_once(two_tenants, write_article):
    article = write_article(title="Printer offline")
    bob = Client()
    bob.force_login(two_tenants["a_contact"])

    assert answer(bob, article, "yes").status_code == 302
    answer(bob, article, "yes")
    assert article_helpfulness(article=article).helpful == 1

    answer(bob, article, "no")
    counts = article_helpfulness(article=article)
    assert (counts.helpful, counts.not_helpful) == (0, 1)


def test_an_anonymous_reader_is_counted_once_per_session(write_article):
    article = write_article(title="Printer offline")
    visitor, another_visitor = Client(), Client()

    answer(visitor, article, "yes")
    answer(visitor, article, "yes")
    answer(another_visitor, article, "yes")

    assert article_helpfulness(article=article).helpful == 2


def test_the_reader_sees_their_answer_and_staff_see_the_counts(two_tenants, write_article):
    article = write_article(title="Printer offline")
    bob = Client()
    bob.force_login(two_tenants["a_contact"])
    answer(bob, article, "no")

    assert "You answered no" in bob.get(article.get_absolute_url()).content.decode()
    engineer = Client()
    engineer.force_login(two_tenants["engineer"])
    page = engineer.get(article.get_absolute_url()).content.decode()
    assert "0 yes · 1 no" in page


def test_nobody_answers_for_an_article_they_may_not_read(two_tenants, write_article):
    article = write_article(title="Escalation runbook", audience="internal")
    response = answer(Client(), article, "yes")
    assert response.status_code == 404
    assert article_helpfulness(article=article).helpful == 0
