import datetime

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect
from django.utils import timezone

from tenants.scope import scope_for
from tickets.sweeps import sla_sweep_last_run

# Beat queues the SLA sweep every minute: several missed passes mean beat or every worker is down.
BEAT_STALE_AFTER = datetime.timedelta(minutes=5)


@login_required
def home(request):
    """Staff start at the queue; customers at the portal."""
    if scope_for(request.user).is_vendor_staff:
        return redirect("queue")
    return redirect("portal")


def healthz(request):
    """The database answers (else this fails); and whether beat's SLA sweep ran lately, for the operator.
    A stale beat does not fail the check: the web server is fine, the background work is what needs a look."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    last_run = sla_sweep_last_run()
    recent = last_run is not None and timezone.now() - last_run < BEAT_STALE_AFTER
    return JsonResponse(
        {
            "status": "ok",
            "beat": {
                "status": "ok" if recent else "stale",
                "last_sla_sweep": last_run.isoformat() if last_run else None,
            },
        }
    )
