"""The Celery application. Workers and beat start with `celery -A supportdesk …`."""

import os

from celery import Celery

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
}
