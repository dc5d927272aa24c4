"""`python manage.py watch_mail_folder`: ingest .eml files dropped into the drop folder (MAILIN_DROP_FOLDER,
var/mail/inbox on the embedded default) as they arrive, until Ctrl-C. `make run` does not need it (beat's
mail poll scans the folder too); it is for trying the channel without a worker."""

import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from mailin.sources import folder_scan


class Command(BaseCommand):
    help = "Watch the drop folder and ingest the .eml files dropped into it."

    def add_arguments(self, parser):
        parser.add_argument("--every", type=float, default=2.0, help="seconds between two looks")
        parser.add_argument("--once", action="store_true", help="one look, then stop")

    def handle(self, *args, every, once, **options):
        if not settings.MAILIN_DROP_FOLDER:
            raise CommandError(
                "No drop folder: set MAILIN_DROP_FOLDER (the default when no IMAP host is set)."
            )
        folder = Path(settings.MAILIN_DROP_FOLDER)
        self.stdout.write(f"Watching {folder} for .eml files (Ctrl-C stops).")
        while True:
            folder_scan(folder=folder)
            if once:
                return
            time.sleep(every)
