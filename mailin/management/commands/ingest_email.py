"""`python manage.py ingest_email < message.eml`: one message from standard input (an MTA pipe), or the
.eml files named as arguments. Exit status 0 once committed, so the MTA may drop its copy."""

import sys

from django.core.management.base import BaseCommand

from mailin.models import Source
from mailin.services import mail_ingest


class Command(BaseCommand):
    help = "Ingest a raw email from standard input (or the .eml files named) into the email channel."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="*", help=".eml files (standard input when none)")

    def handle(self, *args, files, **options):
        sources = [(path, open(path, "rb").read()) for path in files] or [("stdin", sys.stdin.buffer.read())]
        for name, raw in sources:
            message = mail_ingest(raw=raw, source=Source.PIPE)
            case = f" ({message.case.number})" if message.case else ""
            self.stdout.write(f"{name}: {message.get_outcome_display()}{case}")
