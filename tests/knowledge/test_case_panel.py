"""The knowledge base on the staff case page: an engineer's "knowledge-base link" reply counts the articles it
links as sent on the case (page and API alike: the reply write announces it), and the page shows which
articles the customer's form suggested and which were sent. Customers see none of it."""

from django.test import Client
from rest_framework.test import APIClient

from knowledge.models import ArticleSentOnCase, Audience
from knowledge.services import suggestions_record_shown
from tests.tickets.helpers import file_case


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_knowledge_base_link_reply_counts_each_customer_article_it_links_once(two_tenants, write_article):
    printer = write_article(title="Printer shows offline")
    runbook = write_article(title="Printer runbook", audience=Audience.INTERNAL)
    case = file_case(two_tenants["a_contact"].email, "Acme Dental")
    engineer = signed_in(two_tenants["engineer"])
    body = (
        f"Please follow [this article](http://testserver{printer.get_absolute_url()}); "
        f"see also /kb/articles/{runbook.pk}/ and /kb/articles/{printer.pk}/."
    )

    response = engineer.post(f"/portal/cases/{case.number}/reply/", {"body": body, "kind": "kb_link"})

    assert response.status_code == 302
    # The internal runbook would be a dead link for the customer: not counted.
    assert list(ArticleSentOnCase.objects.values_list("article__title", flat=True)) == [printer.title]
    page = engineer.get(f"/portal/cases/{case.number}/").content.decode()
    assert "Sent on this case" in page and printer.title in page


def test_other_replies_and_internal_notes_count_nothing(two_tenants, write_article):
    printer = write_article(title="Printer shows offline")
    case = file_case(two_tenants["a_contact"].email, "Acme Dental")
    api = APIClient()
    api.force_authenticate(two_tenants["engineer"])
    link = f"/kb/articles/{printer.pk}/"

    api.post(f"/api/v1/tickets/{case.number}/replies/", {"body": link, "kind": "answer"}, format="json")
    api.post(
        f"/api/v1/tickets/{case.number}/replies/",
        {"body": link, "kind": "kb_link", "internal": True},
        format="json",
    )
    assert not ArticleSentOnCase.objects.exists()

    answer = api.post(
        f"/api/v1/tickets/{case.number}/replies/", {"body": link, "kind": "kb_link"}, format="json"
    )
    assert answer.status_code == 201
    assert ArticleSentOnCase.objects.get().case == case


def test_the_engineer_sees_what_the_form_suggested_and_the_customer_does_not(two_tenants, write_article):
    printer = write_article(title="Printer shows offline")
    bob = two_tenants["a_contact"]
    suggestions_record_shown(user=bob, form_session="form1", articles=[printer])
    case = file_case(bob.email, "Acme Dental")

    staff_page = signed_in(two_tenants["engineer"]).get(f"/portal/cases/{case.number}/").content.decode()
    assert "Suggested before filing" in staff_page and printer.title in staff_page
    assert "data-kb-picker" in staff_page

    customer_page = signed_in(bob).get(f"/portal/cases/{case.number}/").content.decode()
    assert "Suggested before filing" not in customer_page and "data-kb-picker" not in customer_page
