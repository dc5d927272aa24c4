"""Staff pages: a case taken by phone or chat, filed on a contact's behalf (domain.md §8). Staff only: anyone
else gets a 404, as for a page that does not exist. Thin: the same ticket_create as the portal."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone

from sla.services import CHAT_HOURS_LABEL, chat_is_open
from tenants.models import User
from tenants.selectors import colleagues_for, filing_eligibility
from tickets.forms import SEVERITY_HELP
from tickets.phone_forms import ContactSearchForm, PhoneCaseForm
from tickets.scope import scope_for
from tickets.services import ticket_create
from tickets.services.filing import STAFF_CHANNELS
from tickets.views import _add_service_errors

CONTACTS_SHOWN = 20


def _contacts_matching(text: str):
    """Active contacts whose name, email or account matches `text` (at most CONTACTS_SHOWN)."""
    contacts = User.objects.filter(is_active=True, membership__is_active=True).select_related(
        "membership__account"
    )
    for word in text.split()[:5]:
        contacts = contacts.filter(
            Q(email__icontains=word)
            | Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
            | Q(membership__account__name__icontains=word)
        )
    return contacts.order_by("membership__account__name", "first_name", "email")[:CONTACTS_SHOWN]


def _contact_or_none(value):
    try:
        return User.objects.select_related("membership__account").get(
            pk=int(value), is_active=True, membership__isnull=False
        )
    except (TypeError, ValueError, User.DoesNotExist):
        return None


@login_required
def case_phone(request):
    """Log a case taken by phone or chat: choose the contact (?contact=<id>, found by ?q=), then the form."""
    if not scope_for(request.user).is_vendor_staff:
        raise Http404
    now = timezone.now()
    contact = _contact_or_none(request.POST.get("contact") or request.GET.get("contact"))
    chat = {"open": chat_is_open(now=now), "hours": CHAT_HOURS_LABEL}
    if contact is None:
        search = ContactSearchForm(request.GET)
        text = search.cleaned_data["q"].strip() if search.is_valid() else ""
        return render(
            request,
            "tickets/case_phone.html",
            {"search": search, "contacts": _contacts_matching(text) if text else None, "chat": chat},
        )

    eligibility = filing_eligibility(user=contact)
    if not eligibility.can_file:
        return render(
            request,
            "tickets/case_phone.html",
            {"contact": contact, "eligibility": eligibility, "chat": chat},
            status=403,
        )
    contact_scope = scope_for(contact)
    channels = [channel for channel in STAFF_CHANNELS if channel in eligibility.contract.tier.channels]
    if not channels:
        # Nothing to fill in: the page says why, and where the contact can file instead.
        return render(
            request,
            "tickets/case_phone.html",
            {"contact": contact, "eligibility": eligibility, "channels": channels, "chat": chat},
            status=403 if request.method == "POST" else 200,
        )
    form_kwargs = {
        "organizations": contact_scope.organizations(),
        "contract": eligibility.contract,
        "colleagues": colleagues_for(scope=contact_scope).exclude(pk=contact.pk),
        "time_zone": contact.time_zone,
    }
    if request.method == "POST":
        form = PhoneCaseForm(request.POST, request.FILES, **form_kwargs)
        if form.is_valid():
            data = form.cleaned_data
            continues = None
            if data["continues"]:
                continues = contact_scope.cases().filter(number=data["continues"].strip()).first()
                if continues is None:
                    form.add_error("continues", f"{contact.display_name} has no case with that number.")
            if form.is_valid():
                try:
                    case = ticket_create(
                        requester=contact,
                        continues=continues,
                        **form.case_fields(),
                        channel=data["channel"],
                        filed_by=request.user,
                    )
                except ValidationError as error:
                    _add_service_errors(form, error)
                else:
                    messages.success(
                        request,
                        f"Case {case.number} is logged for {contact.display_name}; "
                        f"they are emailed the number.",
                    )
                    return redirect("case_detail", number=case.number)
    else:
        form = PhoneCaseForm(initial={"contact_phone": contact.phone}, **form_kwargs)
    return render(
        request,
        "tickets/case_phone.html",
        {
            "contact": contact,
            "eligibility": eligibility,
            "channels": channels,
            "form": form,
            "chat": chat,
            "severity_help": SEVERITY_HELP,
            "max_mb": settings.ATTACHMENT_MAX_BYTES // (1024 * 1024),
        },
        status=400 if form.is_bound else 200,
    )
