"""Deflection: the new-case form suggests articles as the subject is typed; an opened suggestion followed by
no case from that person within 30 minutes is a deflected case. The engineer can see on a case which
articles its form suggested (knowledge.selectors.articles_shown_for)."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from knowledge.models import ArticleSuggestion
from knowledge.selectors import articles_shown_for, deflected_form_sessions
from knowledge.services import suggestion_record_opened, suggestions_record_shown
from tests.tickets.helpers import file_case
from tickets.models import Case

MINUTE = datetime.timedelta(minutes=1)


@pytest.fixture
def printer_article(write_article):
    return write_article(title="Printer shows offline", body="Restart the spooler.")


def file_case_at(user, when):
    """A case filed by `user` at `when` (through the portal's service, then moved back in time)."""
    case = file_case(user.email, "Acme Dental")
    Case.objects.filter(pk=case.pk).update(created_at=when)
    case.refresh_from_db()
    return case


def suggest(client, subject, session):
    return client.get("/kb/suggestions/", {"q": subject, "session": session}).json()["results"]


def test_opening_a_suggestion_is_recorded_for_its_form_session(two_tenants, printer_article):
    bob = Client()
    bob.force_login(two_tenants["a_contact"])

    results = suggest(bob, "printer offline again", "form1")
    assert [result["title"] for result in results] == [printer_article.title]
    assert bob.get(results[0]["url"], follow=True).status_code == 200

    row = ArticleSuggestion.objects.get(form_session="form1")
    assert row.user == two_tenants["a_contact"]
    assert row.opened_at is not None


def test_opening_an_article_never_suggested_in_that_session_counts_nothing(two_tenants, printer_article):
    bob = Client()
    bob.force_login(two_tenants["a_contact"])
    bob.get(printer_article.get_absolute_url() + "?suggested=made-up")
    assert not ArticleSuggestion.objects.exists()


def test_a_mangled_suggestion_hint_is_ignored_and_the_article_still_opens(two_tenants, printer_article):
    bob = Client()
    bob.force_login(two_tenants["a_contact"])
    suggest(bob, "printer offline again", "form1")

    for hint in ["\x00", "form1\x00", "form 1"]:
        assert bob.get(printer_article.get_absolute_url(), {"suggested": hint}).status_code == 200
        assert suggest(bob, "printer offline again", hint)[0]["url"] == printer_article.get_absolute_url()

    assert list(ArticleSuggestion.objects.values_list("form_session", "opened_at")) == [("form1", None)]


def test_deflection_counting(two_tenants, printer_article, write_article):
    """Four form sessions: opened and left (deflected), opened and filed anyway (not deflected), shown but
    never opened (not deflected), opened a minute ago (not decided yet)."""
    bob, alice = two_tenants["a_contact"], two_tenants["a_admin"]
    other = write_article(title="Printer driver")
    now = timezone.now()
    hour_ago = now - 60 * MINUTE

    suggestions_record_shown(user=bob, form_session="left", articles=[printer_article, other], now=hour_ago)
    suggestion_record_opened(user=bob, form_session="left", article=printer_article, now=hour_ago + MINUTE)
    suggestion_record_opened(user=bob, form_session="left", article=other, now=hour_ago + 2 * MINUTE)

    suggestions_record_shown(user=alice, form_session="filed", articles=[printer_article], now=hour_ago)
    suggestion_record_opened(user=alice, form_session="filed", article=printer_article, now=hour_ago + MINUTE)
    file_case_at(alice, hour_ago + 10 * MINUTE)

    suggestions_record_shown(user=bob, form_session="ignored", articles=[printer_article], now=hour_ago)

    suggestions_record_shown(user=bob, form_session="undecided", articles=[other], now=now - MINUTE)
    suggestion_record_opened(user=bob, form_session="undecided", article=other, now=now - MINUTE)

    deflected = deflected_form_sessions(since=now - 24 * 60 * MINUTE, until=now, now=now)
    assert list(deflected) == [{"user_id": bob.pk, "form_session": "left"}]
    assert deflected.count() == 1

    # Half an hour later the undecided session has been left too.
    later = now + 31 * MINUTE
    assert deflected_form_sessions(since=now - 24 * 60 * MINUTE, until=later, now=later).count() == 2


def test_a_case_filed_after_the_window_does_not_undo_a_deflection(two_tenants, printer_article):
    bob = two_tenants["a_contact"]
    now = timezone.now()
    start = now - 3 * 60 * MINUTE
    suggestions_record_shown(user=bob, form_session="s", articles=[printer_article], now=start)
    suggestion_record_opened(user=bob, form_session="s", article=printer_article, now=start)
    file_case_at(bob, start + 45 * MINUTE)

    assert deflected_form_sessions(since=start - MINUTE, until=now, now=now).count() == 1


def test_the_engineer_sees_which_articles_the_form_suggested(two_tenants, printer_article, write_article):
    bob = two_tenants["a_contact"]
    other = write_article(title="Printer driver")
    old = write_article(title="Badge reader")
    now = timezone.now()
    suggestions_record_shown(user=bob, form_session="yesterday", articles=[old], now=now - 24 * 60 * MINUTE)
    suggestions_record_shown(
        user=bob, form_session="f", articles=[printer_article, other], now=now - 5 * MINUTE
    )
    suggestion_record_opened(user=bob, form_session="f", article=other, now=now - 4 * MINUTE)

    case = file_case_at(bob, now)

    shown = articles_shown_for(case)
    assert [(item.article, item.opened_at is not None) for item in shown] == [
        (printer_article, False),
        (other, True),
    ]
