from django.core.management.base import BaseCommand

from dashboards.services import figures_refresh
from demo.cases import demo_cases_seed
from demo.people import DEMO_PASSWORD, demo_seed
from demo.workspace import demo_workspace_seed


class Command(BaseCommand):
    help = "Load the demo people, cases, macros, articles and status page. Safe to run again."

    def handle(self, *args, **options):
        people = demo_seed()
        cases = demo_cases_seed()
        demo_workspace_seed()
        figures_refresh()  # the SLA dashboards' figures, before beat's first pass
        if cases:
            self.stdout.write(f"Filed {cases} demo cases.")
        self.stdout.write(
            self.style.SUCCESS(f"Demo data ready. Every demo user's password is {DEMO_PASSWORD}:")
        )
        for user in people:
            membership = getattr(user, "membership", None)
            role = (
                user.get_staff_role_display()
                if user.staff_role
                else (f"{membership.get_role_display()} of {membership.account.name}" if membership else "")
            )
            self.stdout.write(f"  {user.email:<28} {role}")
