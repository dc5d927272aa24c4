"""The IMAP mailbox watched with IDLE: `manage.py mail_watch` as a real process against the test Dovecot,
with no beat and no worker running; and a server without IDLE."""

import os
import signal
import socketserver
import subprocess
import sys
import threading
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from demo.people import demo_seed
from mailin.models import InboundMessage, Outcome
from mailin.sources import IMAP_BATCH, mail_poll
from tests.conftest import wait_until
from tests.mailin.conftest import corpus, mail
from tickets.models import Case


@pytest.fixture
def start_watcher(transactional_db, mailbox, tmp_path):
    """Start `manage.py mail_watch` on the test database and the test mailbox's folder; returns the process
    once it is in IDLE. Stopped after the test."""
    db = connection.settings_dict
    started = []

    def start():
        log_path = tmp_path / f"watcher-{len(started) + 1}.log"
        env = {
            **os.environ,
            "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
            "MAILIN_DROP_FOLDER": "",
            "LOG_LEVEL": "INFO",
        }
        watcher = subprocess.Popen(
            [sys.executable, "manage.py", "mail_watch"],
            env=env,
            stdout=log_path.open("w"),
            stderr=subprocess.STDOUT,
        )
        started.append(watcher)
        if not wait_until(
            lambda: "Mail watcher: IDLE on" in log_path.read_text() or watcher.poll() is not None
        ):
            pytest.fail("The watcher did not reach IDLE:\n" + log_path.read_text())
        assert watcher.poll() is None, log_path.read_text()
        return watcher

    yield start
    for watcher in started:
        if watcher.poll() is None:
            watcher.terminate()
            watcher.wait(timeout=30)


def test_mail_delivered_to_the_mailbox_becomes_a_case_within_seconds_with_only_the_watcher_running(
    mailbox, start_watcher
):
    demo_seed()
    start_watcher()

    mailbox.deliver(corpus("multipart_alternative.eml"))
    case = wait_until(lambda: Case.objects.filter(requester__email="bob@acme.test").first(), timeout=5)
    assert case is not None and case.channel == "email"

    mailbox.deliver(
        mail(sender="bob@acme.test", subject=f"Re: [{case.number}] VPN", body="Also on desktops.")
    )
    assert wait_until(lambda: case.replies.filter(body="Also on desktops.").exists(), timeout=5)
    assert Case.objects.count() == 1
    assert wait_until(lambda: mailbox.count("UNSEEN") == 0, timeout=5)


def test_a_watcher_killed_mid_batch_and_restarted_ingests_each_message_exactly_once(mailbox, start_watcher):
    demo_seed()
    total = 120
    for n in range(total):
        mailbox.deliver(mail(sender="bob@acme.test", subject=f"Message {n:03d}"))
    watcher = start_watcher()  # its first pass takes the mail that came while no one watched

    # Killed well inside a batch: some messages of it committed, none of it flagged yet.
    assert wait_until(lambda: InboundMessage.objects.count() % IMAP_BATCH >= 5, timeout=60, interval=0.01)
    watcher.send_signal(signal.SIGKILL)
    watcher.wait(timeout=30)
    ingested_when_killed = InboundMessage.objects.count()
    assert ingested_when_killed < total, "the watcher finished before it was killed: deliver more messages"
    assert mailbox.count("UNSEEN") > total - ingested_when_killed  # committed, never flagged

    start_watcher()
    assert wait_until(
        lambda: InboundMessage.objects.count() == total and mailbox.count("UNSEEN") == 0, timeout=120
    )
    subjects = list(Case.objects.values_list("subject", flat=True))
    assert sorted(subjects) == [f"Message {n:03d}" for n in range(total)]  # each once: none lost, none twice
    assert InboundMessage.objects.filter(outcome=Outcome.CASE).count() == total


def test_the_watcher_and_the_poll_running_together_ingest_each_message_once(mailbox, start_watcher):
    demo_seed()
    start_watcher()
    total = 60
    for n in range(total):
        mailbox.deliver(mail(sender="bob@acme.test", subject=f"Message {n:03d}"))
        mail_poll()  # beat's poll, racing the watcher for the same messages

    assert wait_until(
        lambda: InboundMessage.objects.count() == total and mailbox.count("UNSEEN") == 0, timeout=60
    )
    subjects = list(Case.objects.values_list("subject", flat=True))
    assert sorted(subjects) == [f"Message {n:03d}" for n in range(total)]


def test_mail_from_several_senders_becomes_one_case_each_and_each_senders_in_the_order_sent(
    mailbox, start_watcher
):
    demo_seed()
    senders = ["bob@acme.test", "alice@acme.test", "erin@enterprise.test"]
    for n in range(20):
        for sender in senders:
            mailbox.deliver(mail(sender=sender, subject=f"{sender} {n:02d}"))
    start_watcher()

    total = 20 * len(senders)
    assert wait_until(
        lambda: InboundMessage.objects.count() == total and mailbox.count("UNSEEN") == 0, timeout=60
    )
    for sender in senders:
        filed = list(
            Case.objects.filter(requester__email=sender).order_by("pk").values_list("subject", flat=True)
        )
        assert filed == [f"{sender} {n:02d}" for n in range(20)]


class _ServerWithoutIdle(socketserver.StreamRequestHandler):
    """An IMAP server that offers no IDLE: it greets, and answers every command OK."""

    def handle(self):
        self.wfile.write(b"* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] ready\r\n")
        for line in self.rfile:
            tag, _, rest = line.partition(b" ")
            command = rest.split(b" ")[0].strip().upper()
            if command == b"CAPABILITY":
                self.wfile.write(b"* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n")
            if command == b"LOGOUT":
                self.wfile.write(b"* BYE\r\n")
            self.wfile.write(tag + b" OK done\r\n")
            if command == b"LOGOUT":
                return


def test_on_a_server_without_idle_the_watcher_says_so_and_leaves_the_mail_to_the_poll(settings):
    server = socketserver.TCPServer(("127.0.0.1", 0), _ServerWithoutIdle)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.MAILIN_IMAP_HOST, settings.MAILIN_IMAP_PORT = "127.0.0.1", server.server_address[1]
    settings.MAILIN_IMAP_SSL, settings.MAILIN_IMAP_USER, settings.MAILIN_IMAP_PASSWORD = False, "u", "p"
    settings.MAILIN_POLL_EVERY = 30
    stderr = StringIO()
    try:
        call_command("mail_watch", stdout=StringIO(), stderr=stderr)
    finally:
        server.shutdown()
        server.server_close()

    assert "does not offer IMAP IDLE: beat's poll (every 30 s) fetches the mail." in stderr.getvalue()
