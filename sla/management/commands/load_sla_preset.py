from django.core.management.base import BaseCommand, CommandError

from sla.presets import PRESETS
from sla.services import sla_preset_load


class Command(BaseCommand):
    help = "Load an SLA preset (tiers, calendars, first-response policies, auto-close rules)."

    def add_arguments(self, parser):
        parser.add_argument("preset", help=f"one of: {', '.join(sorted(PRESETS))}")

    def handle(self, *args, preset, **options):
        if preset not in PRESETS:
            raise CommandError(f"Unknown preset {preset!r}; choose one of: {', '.join(sorted(PRESETS))}.")
        sla_preset_load(name=preset)
        self.stdout.write(
            self.style.SUCCESS(f"SLA preset {preset!r} loaded; open cases are being recomputed.")
        )
