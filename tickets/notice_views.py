"""Staff pages about what staff are told: the notices (unread first) and which notices one gets. Staff only:
anyone else gets a 404, as for a page that does not exist."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import F
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect, render

from lib.pagination import page_of
from tickets.models import NoticeKind, StaffNotice, StaffNoticePreference
from tickets.phone_forms import NoticePreferenceForm
from tickets.scope import scope_for
from tickets.services.notices import staff_notice_open, staff_notice_preference_set, staff_notices_read_all

PAGE_SIZE = 50


def staff_page(view):
    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not scope_for(request.user).is_vendor_staff:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


@staff_page
def notices(request):
    """The signed-in person's notices: unread first, then newest first; each links to its case."""
    rows = (
        StaffNotice.objects.filter(recipient=request.user)
        .select_related("case", "event__actor")
        .order_by(F("read_at").desc(nulls_first=True), "-created_at", "-pk")
    )
    page = page_of(rows, number=request.GET.get("page"), per_page=PAGE_SIZE)
    return render(request, "tickets/notices.html", {"page": page})


@staff_page
def notice_open(request, notice_id):
    """Opening a notice reads it and goes to its case."""
    try:
        notice = staff_notice_open(user=request.user, notice_id=notice_id)
    except StaffNotice.DoesNotExist:
        raise Http404 from None
    return redirect("case_detail", number=notice.case.number)


@staff_page
def notices_read_all(request):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    count = staff_notices_read_all(user=request.user)
    messages.success(request, f"{count} notice{'s' if count != 1 else ''} marked read.")
    return redirect("notices")


@staff_page
def notice_preferences(request):
    """Which notices this person gets, by email and in the app (all of them until they choose)."""
    preference = StaffNoticePreference.objects.filter(user=request.user).first()
    kept = [kind for kind in NoticeKind.values if preference is None or preference.wants(kind)]
    if request.method == "POST":
        form = NoticePreferenceForm(request.POST)
        if form.is_valid():
            staff_notice_preference_set(user=request.user, kinds=set(form.cleaned_data["kinds"]))
            messages.success(request, "Your notice preferences are saved.")
            return redirect("notice_preferences")
    else:
        form = NoticePreferenceForm(initial={"kinds": kept})
    return render(
        request, "account/notice_preferences.html", {"form": form}, status=400 if form.is_bound else 200
    )
