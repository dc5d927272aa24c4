from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render

from tenants.scope import scope_for
from tenants.selectors import filing_eligibility
from tickets.selectors import case_list_for_portal, case_queue


@login_required
def portal(request):
    scope = scope_for(request.user)
    if scope.is_vendor_staff:
        return redirect("queue")
    page = Paginator(case_list_for_portal(scope=scope), 25).get_page(request.GET.get("page"))
    return render(
        request,
        "tickets/portal.html",
        {
            "eligibility": filing_eligibility(user=request.user),
            "organizations": scope.organizations(),
            "page": page,
        },
    )


@login_required
def queue(request):
    scope = scope_for(request.user)
    if not scope.is_vendor_staff:
        raise Http404
    page = Paginator(case_queue(scope=scope), 50).get_page(request.GET.get("page"))
    return render(request, "tickets/queue.html", {"page": page})
