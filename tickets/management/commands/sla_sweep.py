import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from tickets.sweeps import sla_sweep


class Command(BaseCommand):
    help = (
        "Run one pass of the SLA timers and auto-close sweeps now (at-risk warnings, breaches, reminders, "
        "auto-closes), as beat does every minute. Safe to run beside the workers and to run twice."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--now",
            help="Act as if it were this instant (ISO-8601 with an offset, e.g. 2026-12-10T10:00:00-07:00): "
            "replay a pass after an outage, or move the clock in a test.",
        )

    def handle(self, *args, now=None, **options):
        at = timezone.now()
        if now:
            try:
                at = datetime.datetime.fromisoformat(now)
            except ValueError:
                raise CommandError(f"--now {now!r} is not an ISO-8601 date and time.") from None
            if timezone.is_naive(at):
                raise CommandError(f"--now {now!r} needs a UTC offset, e.g. {now}+00:00 or {now}-07:00.")
        done = sla_sweep(now=at)
        self.stdout.write(
            f"SLA sweep at {at.isoformat()}: {done['at_risk']} warned at risk, {done['breached']} breached, "
            f"{done['reminded']} reminded, {done['closed']} auto-closed."
        )
