"""The IMAP mailbox for real: a throwaway Dovecot (scripts/with-test-services), messages delivered with
APPEND, polled by the code in this process, then by real `celery beat` and `celery worker` processes."""

import os
import signal
import subprocess
import sys

import pytest
from django.db import connection

from demo.people import demo_seed
from mailin.models import InboundMessage, Outcome, Source
from mailin.services import mail_ingest
from mailin.sources import mail_poll
from tests.conftest import wait_until
from tests.mailin.conftest import corpus, mail
from tickets.models import Case


def test_a_poll_turns_each_delivered_message_into_a_case_and_flags_it(demo, mailbox):
    for name in ["multipart_alternative.eml", "html_only.eml", "latin1.eml"]:
        mailbox.deliver(corpus(name))

    assert mail_poll() == 3
    assert mail_poll() == 0

    assert Case.objects.count() == 3
    assert set(InboundMessage.objects.values_list("source", "outcome")) == {(Source.IMAP, Outcome.CASE)}
    assert mailbox.count("UNSEEN") == 0 and mailbox.count("SEEN") == 3


def test_a_message_committed_by_a_poller_that_died_before_flagging_it_is_not_ingested_again(demo, mailbox):
    raw = corpus("multipart_alternative.eml")
    mailbox.deliver(raw)
    mail_ingest(
        raw=raw, source=Source.IMAP
    )  # what the dead poller had committed; the message is still unseen

    mail_poll()

    assert Case.objects.count() == 1 and InboundMessage.objects.count() == 1
    assert mailbox.count("UNSEEN") == 0


def test_processed_mail_can_be_moved_to_a_folder_instead(demo, mailbox, settings):
    settings.MAILIN_IMAP_PROCESSED_FOLDER = f"{mailbox.folder}-done"
    mailbox.imap.create(settings.MAILIN_IMAP_PROCESSED_FOLDER)
    mailbox.deliver(corpus("latin1.eml"))

    mail_poll()

    assert Case.objects.count() == 1
    assert mailbox.count("ALL") == 0 and mailbox.count("ALL", settings.MAILIN_IMAP_PROCESSED_FOLDER) == 1


# --- real worker and beat processes ---------------------------------------------------------------------


@pytest.fixture
def start_beat(start_worker, tmp_path, monkeypatch):
    """A `celery beat` process with the database scheduler, queueing the mail poll every second."""
    db = connection.settings_dict
    monkeypatch.setenv("MAILIN_POLL_EVERY", "1")
    started = []

    def start():
        env = {
            **os.environ,
            "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        }
        beat = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "supportdesk", "beat", "--loglevel", "INFO"]
            + ["--scheduler", "django_celery_beat.schedulers:DatabaseScheduler"]
            + ["--schedule", str(tmp_path / "beat-schedule")],
            env=env,
            stdout=(tmp_path / "beat.log").open("w"),
            stderr=subprocess.STDOUT,
        )
        started.append(beat)
        return beat

    yield start
    for beat in started:
        beat.terminate()
        beat.wait(timeout=30)


@pytest.mark.worker
def test_mail_delivered_to_the_mailbox_becomes_a_case_and_a_reply_threads_with_no_one_calling_the_poll(
    mailbox, start_worker, start_beat
):
    demo_seed()
    start_worker()
    start_beat()

    mailbox.deliver(corpus("multipart_alternative.eml"))
    case = wait_until(lambda: Case.objects.filter(requester__email="bob@acme.test").first())
    assert case is not None and case.channel == "email"

    mailbox.deliver(
        mail(sender="bob@acme.test", subject=f"Re: [{case.number}] VPN", body="Also on desktops.")
    )
    assert wait_until(lambda: case.replies.filter(body="Also on desktops.").exists())
    assert Case.objects.count() == 1
    assert wait_until(lambda: mailbox.count("UNSEEN") == 0)


@pytest.mark.worker
def test_a_poller_killed_mid_run_and_restarted_ingests_each_message_exactly_once(
    mailbox, start_worker, start_beat
):
    demo_seed()
    total = 120
    for n in range(total):
        mailbox.deliver(mail(sender="bob@acme.test", subject=f"Message {n:03d}"))
    worker = start_worker()
    start_beat()

    assert wait_until(lambda: InboundMessage.objects.count() >= 10, timeout=60)
    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=30)
    ingested_when_killed = InboundMessage.objects.count()
    assert ingested_when_killed < total, "the poller finished before it was killed: deliver more messages"

    start_worker()
    assert wait_until(
        lambda: InboundMessage.objects.count() == total and mailbox.count("UNSEEN") == 0, timeout=120
    )

    subjects = list(Case.objects.values_list("subject", flat=True))
    assert sorted(subjects) == [f"Message {n:03d}" for n in range(total)]  # each once: none lost, none twice
    assert InboundMessage.objects.filter(outcome=Outcome.CASE).count() == total
