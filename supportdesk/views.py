from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect

from tenants.scope import scope_for


@login_required
def home(request):
    """Staff start at the queue; customers at the portal."""
    if scope_for(request.user).is_vendor_staff:
        return redirect("queue")
    return redirect("portal")


def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
