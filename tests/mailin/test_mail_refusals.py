"""Mail that must not become a case: refused senders are answered once a day at most; robots, bounces and our
own mail are never answered; a burst is cut off; a DMARC failure is held for staff, who release or discard."""

import datetime

import pytest
from django.core import mail as sent
from django.utils import timezone

from mailin.models import InboundMessage, Outcome, Source
from mailin.services import mail_discard, mail_ingest, mail_release
from tests.mailin.conftest import corpus, mail
from tickets.models import Case


def ingest(raw: bytes, now=None) -> InboundMessage:
    return mail_ingest(raw=raw, source=Source.IMAP, now=now)


def answers_to(address: str) -> list:
    return [message for message in sent.outbox if message.to == [address]]


def test_an_unknown_sender_gets_one_polite_answer_a_day(db, committed):
    now = timezone.now()
    with committed():
        first = ingest(mail(sender="stranger@else.test"), now=now)
        ingest(mail(sender="stranger@else.test"), now=now + datetime.timedelta(hours=3))
    assert first.outcome == Outcome.REFUSED and Case.objects.count() == 0
    [answer] = answers_to("stranger@else.test")
    assert "could not match your address" in answer.body
    assert answer.extra_headers["Auto-Submitted"] == "auto-replied"

    with committed():
        ingest(mail(sender="stranger@else.test"), now=now + datetime.timedelta(hours=25))
    assert len(answers_to("stranger@else.test")) == 2


@pytest.mark.parametrize(
    ("sender", "says"),
    [
        ("fred@freeco.test", "Free tier, which does not include support cases"),
        ("olga@oldco.test", "support contract ended on"),
    ],
)
def test_free_and_expired_accounts_are_told_where_to_go(demo, committed, sender, says):
    with committed():
        message = ingest(mail(sender=sender))

    assert message.outcome == Outcome.REFUSED and message.case is None
    [answer] = answers_to(sender)
    assert says in answer.body


@pytest.mark.parametrize("name", ["auto_reply.eml", "precedence_bulk.eml", "bounce_dsn.eml"])
def test_auto_replies_and_bounces_are_ignored_and_never_answered(demo, committed, name):
    with committed():
        message = ingest(corpus(name))

    assert message.outcome == Outcome.IGNORED
    assert Case.objects.count() == 0 and sent.outbox == []


def test_our_own_mail_coming_back_is_ignored(demo, committed):
    with committed():
        message = ingest(mail(sender="SupportDesk <support@supportdesk.test>"))

    assert message.outcome == Outcome.IGNORED and sent.outbox == []


def test_a_burst_from_one_sender_is_cut_off(demo, settings):
    settings.MAILIN_RATE_LIMIT_PER_HOUR = 3

    outcomes = [ingest(mail(sender="bob@acme.test", subject=f"Spam {n}")).outcome for n in range(5)]

    assert outcomes == [Outcome.CASE] * 3 + [Outcome.REFUSED] * 2
    assert demo["bob"].requested_cases.count() == 3


def test_a_dmarc_failure_is_held_and_staff_release_it_into_a_case(demo):
    message = ingest(corpus("dmarc_fail.eml"))
    assert message.outcome == Outcome.HELD and Case.objects.count() == 0

    mail_release(message=message, actor=demo["engineer"])

    message.refresh_from_db()
    assert message.outcome == Outcome.CASE and message.case.requester == demo["alice"]
    assert message.decided_by == demo["engineer"]


def test_staff_discard_a_held_message_and_nothing_comes_of_it(demo):
    message = ingest(corpus("dmarc_fail.eml"))

    mail_discard(message=message, actor=demo["engineer"])

    message.refresh_from_db()
    assert message.outcome == Outcome.DISCARDED and Case.objects.count() == 0


def test_a_dmarc_verdict_written_by_someone_else_than_our_mail_host_is_not_believed(demo):
    raw = corpus("dmarc_fail.eml").replace(b"mx.supportdesk.test;", b"mx.evil.example;")

    assert ingest(raw).outcome == Outcome.CASE


def test_bytes_that_are_no_email_are_kept_once_and_never_answered(db, committed):
    with committed():
        first = ingest(b"\x00\xff not an email at all")
        again = ingest(b"\x00\xff not an email at all")

    assert again.pk == first.pk and first.outcome == Outcome.IGNORED
    assert Case.objects.count() == 0 and sent.outbox == []
