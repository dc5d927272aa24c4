"""Benchmark: messages ingested per second from a real IMAP mailbox (issue 13).

Run through the test services: ``scripts/with-test-services .venv/bin/python bench/bench_mailin.py`` (``make
bench`` does). Needs PostgreSQL in DATABASE_URL and the throwaway Dovecot (IMAP_TEST_*): it creates its own
database (``supportdesk_bench_mailin``), migrates, loads the demo people, files 100 cases, and APPENDs
BENCH_MAILIN_MESSAGES messages (default 10,000) to a fresh folder of the mailbox: seven in ten new requests
from three contacts, two in ten replies to the filed cases by their number, one in ten auto-replies. Then it
times the poll (mailin.sources.mail_poll, what beat's task runs) until the folder has nothing unseen, and
checks that every message was ingested once.

Goal: at least 50 messages a second on these machines.
"""

import imaplib
import os
import sys
import time
import uuid
from email.message import EmailMessage

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from harness import run_in_bench_database  # noqa: E402

BENCH_DB = "supportdesk_bench_mailin"
MESSAGES = int(os.environ.get("BENCH_MAILIN_MESSAGES", "10000"))
SENDERS = ["bob@acme.test", "alice@acme.test", "erin@enterprise.test"]


def message(n: int, numbers: list[str]) -> bytes:
    mail = EmailMessage()
    mail["To"] = "support@supportdesk.test"
    mail["Message-ID"] = f"<bench-{n}@client.test>"
    kind = n % 10
    mail["From"] = "bob@acme.test" if 7 <= kind < 9 else SENDERS[n % len(SENDERS)]
    if kind < 7:
        mail["Subject"] = f"Request {n}: the agent stops after the update"
        mail.set_content(f"Hello,\n\nRequest {n}: since the update the agent stops.\n\nThanks\n")
    elif kind < 9:
        mail["Subject"] = f"Re: [{numbers[n % len(numbers)]}] Users cannot sign in"
        mail.set_content(f"It still fails ({n}).\n\nOn Mon, Nov 23, 2026 Support wrote:\n> Please restart.\n")
    else:
        mail["Subject"] = "Automatic reply: out of office"
        mail["Auto-Submitted"] = "auto-replied"
        mail.set_content("I am out of the office.")
    return mail.as_bytes().replace(b"\n", b"\r\n")


def run() -> None:
    folder = f"bench-{uuid.uuid4().hex[:8]}"
    os.environ.update(
        {
            "MAILIN_IMAP_HOST": os.environ["IMAP_TEST_HOST"],
            "MAILIN_IMAP_PORT": os.environ["IMAP_TEST_PORT"],
            "MAILIN_IMAP_SSL": "0",
            "MAILIN_IMAP_USER": os.environ["IMAP_TEST_USER"],
            "MAILIN_IMAP_PASSWORD": os.environ["IMAP_TEST_PASSWORD"],
            "MAILIN_IMAP_FOLDER": folder,
            "MAILIN_DROP_FOLDER": "",
            "SUPPORT_EMAIL_ADDRESS": "support@supportdesk.test",
            "MAILIN_RATE_LIMIT_PER_HOUR": str(MESSAGES + 1),
            "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
            "LOG_LEVEL": "WARNING",
        }
    )
    import django

    django.setup()
    from django.core.management import call_command

    from demo.people import demo_seed
    from mailin import sources
    from mailin.models import InboundMessage
    from tests.tickets.helpers import file_case

    call_command("migrate", verbosity=0)
    demo_seed()
    numbers = [file_case("bob@acme.test", "Acme").number for _ in range(100)]

    imap = sources.imap_connect()
    imap.create(folder)
    started = time.perf_counter()
    for n in range(MESSAGES):
        status, _ = imap.append(folder, None, None, message(n, numbers))
        assert status == "OK"
    print(f"Delivered {MESSAGES:,} messages to the mailbox in {time.perf_counter() - started:.1f} s.")

    started = time.perf_counter()
    polls = 0
    while sources.mail_poll():
        polls += 1
    elapsed = time.perf_counter() - started
    imap.select(folder)
    unseen = len(imap.uid("SEARCH", None, "UNSEEN")[1][0].split())
    imap.delete(folder)
    imap.logout()

    ingested = InboundMessage.objects.count()
    assert ingested == MESSAGES and unseen == 0, f"{ingested} ingested, {unseen} left unseen"
    outcomes = dict(InboundMessage.objects.values_list("outcome").annotate(n=django.db.models.Count("pk")))
    print(f"Ingested {ingested:,} messages in {polls} polls, {elapsed:.1f} s: {outcomes}")
    print(f"Messages ingested per second: {MESSAGES / elapsed:,.0f} (goal: at least 50)")
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    print(f"(load average at the end: {load} on {os.cpu_count()} CPUs)")


if __name__ == "__main__":
    try:
        if "IMAP_TEST_PORT" not in os.environ:
            sys.exit(
                "The mail-in benchmark needs the test Dovecot: run it through scripts/with-test-services."
            )
        run_in_bench_database(BENCH_DB, run)
    except imaplib.IMAP4.error as error:
        sys.exit(f"IMAP: {error}")
