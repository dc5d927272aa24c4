"""`python manage.py mail_watch`: watch the IMAP mailbox with IDLE and ingest new mail as it arrives
(mailin/watcher.py). Runs until stopped, beside beat's poll (the safety net); without an IMAP mailbox, or on a
server without IDLE, it says so and stops with status 0, leaving the work to the poll."""

import signal
import sys

from django.conf import settings
from django.core.management.base import BaseCommand

from mailin.watcher import IDLE_RENEW, IdleUnsupported, mail_watch


def _stop(signum, frame):
    sys.exit(0)  # unwinds like Ctrl-C: an ingest in progress rolls back and is fetched again later


class Command(BaseCommand):
    help = "Watch the IMAP mailbox with IDLE and ingest new mail as it arrives (beside beat's poll)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--renew", type=float, default=IDLE_RENEW, help="seconds between two IDLE renewals (default 600)"
        )

    def handle(self, *args, renew, **options):
        if not settings.MAILIN_IMAP_HOST:
            self.stderr.write("No IMAP mailbox (MAILIN_IMAP_HOST is empty): nothing to watch.")
            return
        signal.signal(signal.SIGTERM, _stop)
        self.stdout.write(
            f"Watching {settings.MAILIN_IMAP_FOLDER} at {settings.MAILIN_IMAP_HOST} (Ctrl-C stops).",
            ending="\n",
        )
        self.stdout.flush()
        try:
            mail_watch(renew_every=renew)
        except IdleUnsupported as unsupported:
            self.stderr.write(str(unsupported))
        except KeyboardInterrupt:
            self.stdout.write("Stopped.")
