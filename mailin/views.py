"""Staff pages of the email channel: held and refused mail (release or discard what is held), and the raw
source of any inbound message. Anyone but vendor staff gets 404, as if the pages did not exist."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render

from lib.keys import key_or_none
from lib.pagination import page_of
from mailin.models import NEEDS_A_LOOK, InboundMessage, Outcome
from mailin.services import mail_discard, mail_release

PAGE_SIZE = 50


def staff_page(view):
    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_vendor_staff:
            raise Http404
        return view(request, *args, **kwargs)

    wrapper.staff_only = True
    return wrapper


def _message_or_404(pk) -> InboundMessage:
    message = InboundMessage.objects.filter(pk=key_or_none(pk) or 0).first()
    if message is None:
        raise Http404
    return message


@staff_page
def held_mail(request):
    show = request.GET.get("show", "")
    outcomes = [show] if show in NEEDS_A_LOOK else NEEDS_A_LOOK
    rows = (
        InboundMessage.objects.filter(outcome__in=outcomes)
        .defer("raw")
        .select_related("sender", "case")
        .order_by("-received_at", "-pk")
    )
    page = page_of(rows, number=request.GET.get("page"), per_page=PAGE_SIZE)
    return render(request, "mailin/held_mail.html", {"page": page, "show": show, "Outcome": Outcome})


@staff_page
def raw_source(request, pk):
    """The message exactly as received, headers and all, as a download (never rendered: it may be HTML)."""
    message = _message_or_404(pk)
    response = HttpResponse(bytes(message.raw), content_type="message/rfc822")
    response["Content-Disposition"] = f'attachment; filename="inbound-{message.pk}.eml"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _decision(write, done: str):
    @staff_page
    def view(request, pk):
        message = _message_or_404(pk)
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        try:
            write(message=message, actor=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            message.refresh_from_db(fields=["outcome", "case"])
            messages.success(request, done.format(outcome=message.get_outcome_display().lower()))
        return redirect("mailin_held")

    return view


release = _decision(mail_release, "Released: {outcome}.")
discard = _decision(mail_discard, "Discarded.")
