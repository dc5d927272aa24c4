"""What staff see of mail in (held and refused mail, each message's raw source, from the case page too), what
customers do not (404), the inbound webhook with its signature check, and `manage.py ingest_email`."""

import hashlib
import hmac
import io
import sys
import time
from base64 import b64encode

import pytest
from django.core.management import call_command
from django.urls import reverse

from mailin.models import InboundMessage, Outcome, Source
from mailin.services import mail_ingest
from tests.fixtures import two_tenants_build
from tests.mailin.conftest import corpus, mail
from tickets.models import Case


def ingest(raw: bytes) -> InboundMessage:
    return mail_ingest(raw=raw, source=Source.IMAP)


@pytest.fixture
def engineer(client, demo):
    client.force_login(demo["engineer"])
    return client


def test_staff_see_held_and_refused_mail_and_release_a_held_message_from_the_page(engineer, demo):
    held = ingest(corpus("dmarc_fail.eml"))
    refused = ingest(mail(sender="stranger@else.test", subject="Hello?"))
    ingest(corpus("multipart_alternative.eml"))

    page = engineer.get(reverse("mailin_held"))

    text = page.content.decode()
    assert "Please add my new colleague as a contact" in text and "DMARC failed" in text
    assert "Hello?" in text and "Unknown sender" in text
    assert "VPN agent crashes" not in text  # became a case: nothing to look at
    assert text.count(">Release<") == 1  # only the held one

    response = engineer.post(reverse("mailin_release", args=[held.pk]), follow=True)
    assert "Released: new case." in response.content.decode()
    held.refresh_from_db()
    assert held.outcome == Outcome.CASE
    assert engineer.post(reverse("mailin_discard", args=[refused.pk])).status_code == 302
    refused.refresh_from_db()
    assert refused.outcome == Outcome.REFUSED  # only held mail is released or discarded


def test_staff_download_the_raw_source_from_the_case_page(engineer, demo):
    raw = corpus("latin1.eml")
    message = ingest(raw)

    case_page = engineer.get(reverse("case_detail", args=[message.case.number])).content.decode()
    link = reverse("mailin_raw", args=[message.pk])
    assert f'href="{link}"' in case_page

    download = engineer.get(link)
    assert download["Content-Type"] == "message/rfc822"
    assert "attachment" in download["Content-Disposition"]
    assert b"".join(download) == raw


@pytest.mark.parametrize("who", ["bob", "alice", "mia"])
def test_customers_get_404_on_every_mail_page_and_no_link_on_their_case_page(client, demo, who):
    message = ingest(corpus("dmarc_fail.eml"))
    filed = ingest(corpus("multipart_alternative.eml"))
    client.force_login(demo[who])

    for url in [
        reverse("mailin_held"),
        reverse("mailin_raw", args=[message.pk]),
        reverse("mailin_raw", args=[filed.pk]),
    ]:
        assert client.get(url).status_code == 404
    for url in [reverse("mailin_release", args=[message.pk]), reverse("mailin_discard", args=[message.pk])]:
        assert client.post(url).status_code == 404
    message.refresh_from_db()
    assert message.outcome == Outcome.HELD
    if who in ("bob", "alice"):  # Bob's case, which Alice (his portal admin) sees too
        page = client.get(reverse("case_detail", args=[filed.case.number])).content.decode()
        assert "Raw source" not in page and "/staff/mail/" not in page


def test_a_visitor_is_sent_to_sign_in(client, db):
    assert client.get(reverse("mailin_held"))["Location"].startswith("/accounts/login/")


def test_mail_between_two_tenants_never_crosses(db, settings):
    world = two_tenants_build()
    a, b = world["a_contact"], world["b_contact"]
    theirs = ingest(mail(sender=b.email, subject="Harbor issue")).case
    before = Case.objects.filter(pk=theirs.pk).values().get()

    probe = ingest(
        mail(sender=a.email, subject=f"Re: [{theirs.number}] Harbor issue", cc=world["b_contact_2"].email)
    )

    assert Case.objects.filter(pk=theirs.pk).values().get() == before
    assert theirs.replies.count() == 0
    assert probe.case.account == world.accounts["a"]
    assert list(probe.case.cc.all()) == []


# --- the inbound webhook (anymail, Mailgun's signed raw-MIME form) ------------------------------------------


def _mailgun_post(
    client, raw: bytes, *, key: str, auth: str = "mail:hook-secret", signature: str | None = None
):
    timestamp, token = str(int(time.time())), "a" * 50
    signature = (
        signature or hmac.new(key.encode(), f"{timestamp}{token}".encode(), hashlib.sha256).hexdigest()
    )
    return client.post(
        reverse("mailin_mailgun"),
        {"body-mime": raw.decode(), "timestamp": timestamp, "token": token, "signature": signature},
        HTTP_AUTHORIZATION="Basic " + b64encode(auth.encode()).decode(),
    )


@pytest.fixture
def webhook(settings):
    settings.MAILIN_WEBHOOK_SECRET = "mail:hook-secret"
    settings.ANYMAIL = {"WEBHOOK_SECRET": "mail:hook-secret", "MAILGUN_WEBHOOK_SIGNING_KEY": "signing-key"}


def test_a_signed_webhook_delivery_becomes_a_case(client, demo, webhook):
    response = _mailgun_post(client, corpus("multipart_alternative.eml"), key="signing-key")

    assert response.status_code == 200
    message = InboundMessage.objects.get()
    assert message.source == Source.WEBHOOK and message.case.requester == demo["bob"]


def test_a_webhook_delivery_with_a_wrong_signature_or_password_changes_nothing(client, demo, webhook):
    assert _mailgun_post(client, corpus("multipart_alternative.eml"), key="guessed").status_code == 400
    wrong_password = _mailgun_post(client, corpus("html_only.eml"), key="signing-key", auth="mail:guess")
    assert wrong_password.status_code == 400

    assert InboundMessage.objects.count() == 0 and Case.objects.count() == 0


def test_the_webhook_does_not_exist_until_its_secrets_are_set(client, demo, settings):
    settings.MAILIN_WEBHOOK_SECRET = ""

    response = _mailgun_post(client, corpus("multipart_alternative.eml"), key="")

    assert response.status_code == 404 and Case.objects.count() == 0


# --- manage.py ingest_email and the drop folder -------------------------------------------------------


def test_ingest_email_reads_a_message_from_standard_input(demo, monkeypatch):
    raw = corpus("html_only.eml")
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(raw)))
    out = io.StringIO()

    call_command("ingest_email", stdout=out)

    message = InboundMessage.objects.get()
    assert message.source == Source.PIPE and bytes(message.raw) == raw
    assert f"New case ({message.case.number})" in out.getvalue()


def test_the_drop_folder_turns_a_dropped_file_into_a_case_and_moves_it_away(demo, settings, tmp_path):
    inbox = tmp_path / "mail" / "inbox"
    inbox.mkdir(parents=True)
    (inbox / "hello.eml").write_bytes(corpus("latin1.eml"))
    settings.MAILIN_DROP_FOLDER = str(inbox)

    call_command("watch_mail_folder", "--once", stdout=io.StringIO())

    message = InboundMessage.objects.get()
    assert message.source == Source.FOLDER and message.outcome == Outcome.CASE
    assert list(inbox.iterdir()) == []
    assert [path.name for path in (tmp_path / "mail" / "processed").iterdir()] == [f"{message.pk}-hello.eml"]
