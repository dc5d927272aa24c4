from django.core.management.base import BaseCommand

from dashboards.services import figures_refresh


class Command(BaseCommand):
    help = "Bring the SLA dashboards' figures up to date now (beat does it every minute)."

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", help="Rewrite the figures of every case.")

    def handle(self, *args, **options):
        done = figures_refresh(everything=options["all"])
        self.stdout.write(f"Refreshed the figures of {done} cases.")
