import time

from django.core.management.base import BaseCommand, CommandError

from demo.dataset import DatasetExists, dataset_generate


class Command(BaseCommand):
    help = (
        "Generate a large, realistic dataset (accounts, people, cases, replies, events) for benchmarks: "
        "COPY on PostgreSQL, bulk inserts elsewhere. Once per database. See demo/dataset.py."
    )

    def add_arguments(self, parser):
        parser.add_argument("--cases", type=int, required=True, help="How many cases, e.g. 1000000.")
        parser.add_argument("--accounts", type=int, required=True, help="How many accounts, e.g. 10000.")
        parser.add_argument("--seed", type=int, default=20261122, help="Same seed and sizes, same data.")
        parser.add_argument(
            "--open-share", type=float, default=0.03, help="Share of the cases still open (default 0.03)."
        )

    def handle(self, *args, cases, accounts, seed, open_share, **options):
        started = time.monotonic()
        try:
            summary = dataset_generate(
                cases=cases, accounts=accounts, seed=seed, open_share=open_share, stream=self.stderr._out
            )
        except (DatasetExists, ValueError) as error:
            raise CommandError(str(error)) from error
        summary.pop("now")
        timings = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in summary.pop("timings").items())
        by_status = ", ".join(
            f"{status} {count:,}" for status, count in sorted(summary.pop("by status").items())
        )
        self.stdout.write(", ".join(f"{count:,} {name}" for name, count in summary.items()) + ".")
        self.stdout.write(f"Cases by status: {by_status}.")
        self.stdout.write(
            self.style.SUCCESS(f"Dataset generated in {time.monotonic() - started:.1f} s ({timings}).")
        )
