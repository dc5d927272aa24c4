"""The Celery application. Workers and beat start with `celery -A supportdesk …`."""

import os

from celery import Celery
from django.conf import settings

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "supportdesk.settings")

app = Celery("supportdesk")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Periodic work. The DatabaseScheduler copies these entries into django-celery-beat's tables when beat starts.
app.conf.beat_schedule = {
    "deliver-due-emails": {
        "task": "tickets.tasks.deliver_due_emails",
        "schedule": 60.0,
        # A pass queued while no worker ran is worth nothing once the next one is queued (the
        # DatabaseScheduler's spelling of `expires`).
        "options": {"expire_seconds": 55},
    },
    # The status page's own outbox (statuspage/outbox.py): incident emails a lost nudge left waiting.
    "deliver-due-status-emails": {
        "task": "statuspage.tasks.deliver_due_status_emails",
        "schedule": 60.0,
        "options": {"expire_seconds": 55},
    },
    # The email channel (mailin/sources.py): the IMAP mailbox and, on the embedded default, the drop folder
    # under var/mail/inbox. MAILIN_POLL_EVERY shortens it for tests.
    "mail-poll": {
        "task": "mailin.tasks.poll_mail",
        "schedule": float(settings.MAILIN_POLL_EVERY),
        "options": {"expire_seconds": max(1, settings.MAILIN_POLL_EVERY - 1)},
    },
    # The SLA dashboards' figures (dashboards/services.py): changed and pending cases, every minute.
    "dashboards-refresh": {
        "task": "dashboards.tasks.refresh_figures",
        "schedule": 60.0,
        "options": {"expire_seconds": 55},
    },
    # The SLA timers and auto-close sweeps (tickets/sweeps.py): stored instants scanned every minute, never
    # Celery countdowns. SLA_SWEEP_EVERY shortens it for tests.
    "sla-sweep": {
        "task": "tickets.tasks.sla_sweep",
        "schedule": float(settings.SLA_SWEEP_EVERY),
        "options": {"expire_seconds": max(1, settings.SLA_SWEEP_EVERY - 5)},
    },
}
