"""The portal admin's page: the contacts within its reach, the account's contracts and products."""

from functools import wraps

from allauth.account.models import EmailAddress
from allauth.account.views import EmailView
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from tenants.forms import ALWAYS_SENT_EMAILS, InviteForm, SettingsForm
from tenants.models import Membership
from tenants.scope import scope_for
from tenants.services import (
    TooManyInvitations,
    contact_deactivate,
    contact_invite,
    contact_reactivate,
    user_settings_set,
)


def _portal_admin_scope(user):
    scope = scope_for(user)
    if not scope.is_portal_admin:
        raise Http404
    return scope


def _contact_or_404(scope, membership_id: int) -> Membership:
    """A contact within the admin's reach; anyone else (wider reach, another tenant) is a 404."""
    membership = scope.contacts().select_related("user", "deactivated_by").filter(pk=membership_id).first()
    if membership is None:
        raise Http404
    return membership


@login_required
def account_page(request, invite_form=None, status=200):
    scope = _portal_admin_scope(request.user)
    account = scope.membership.account
    contracts = account.contracts.select_related("tier").prefetch_related("products__versions")
    return render(
        request,
        "tenants/account.html",
        {
            "account": account,
            "memberships": scope.contacts()
            .select_related("user", "deactivated_by")
            .prefetch_related("organizations"),
            "limited_to": None if scope.acts_for_all_organizations else list(scope.organizations()),
            "contracts": contracts,
            "invite_form": invite_form or InviteForm(scope=scope),
            "today": timezone.localdate(),
        },
        status=status,
    )


@login_required
@require_POST
def contact_invite_view(request):
    scope = _portal_admin_scope(request.user)
    form = InviteForm(request.POST, scope=scope)
    status = 400
    if form.is_valid():
        email = form.cleaned_data["email"]
        try:
            contact_invite(
                invited_by=request.user,
                account=scope.membership.account,
                email=email,
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
                role=Membership.Role.ADMIN if form.cleaned_data["make_admin"] else Membership.Role.CONTACT,
                organizations=form.chosen_organizations(),
            )
        except TooManyInvitations as error:
            form.add_error(None, str(error))
            status = 429
        except ValidationError as error:
            for field, errors in getattr(error, "message_dict", {None: error.messages}).items():
                for message in errors:
                    form.add_error(field if field in form.fields else None, message)
        else:
            # The same answer whatever the address: the page never tells who already has a sign-in.
            messages.success(request, f"Invitation sent to {email}.")
            return redirect("portal_account")
    return account_page(request, invite_form=form, status=status)


def contact_route(*methods: str):
    """A page about one contact: the contact is found within the admin's reach first (a 404 for anyone else,
    whatever the method), then the method is checked (405), then the view runs with `membership`."""

    def decorate(view):
        @login_required
        @wraps(view)
        def wrapper(request, membership_id):
            scope = _portal_admin_scope(request.user)
            membership = _contact_or_404(scope, membership_id)
            if request.method not in methods:
                return HttpResponseNotAllowed(methods)
            return view(request, membership)

        return wrapper

    return decorate


@contact_route("GET", "POST")
def contact_deactivate_view(request, membership):
    """GET asks for confirmation; POST deactivates."""
    if request.method == "GET":
        if not membership.is_active:
            return redirect("portal_account")
        return render(request, "tenants/contact_deactivate.html", {"membership": membership})
    try:
        contact_deactivate(actor=request.user, membership=membership, now=timezone.now())
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            f"{membership.user.email} can no longer file or see cases. You can reactivate them below.",
        )
    return redirect("portal_account")


@contact_route("POST")
def contact_reactivate_view(request, membership):
    try:
        contact_reactivate(actor=request.user, membership=membership)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{membership.user.email} can file and see cases again.")
    return redirect("portal_account")


class EmailChangeView(EmailView):
    """allauth's email page in change mode: a new address waits, unverified, until its owner follows the
    link sent to it, and only then replaces the current one.

    allauth's change mode assumes the current address is verified; ours never went through its verification
    (contacts are invited, staff created by an admin), and with it unverified allauth would let a waiting
    address be made primary, or drop the current one. Nobody signs up here, so whoever is signed in proved
    the current address by choosing a password from a link sent to it: record it as verified first.
    """

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            EmailAddress.objects.update_or_create(
                user=request.user,
                email=request.user.email,
                defaults={"verified": True, "primary": True},
            )
        return super().dispatch(request, *args, **kwargs)


@login_required
def settings_page(request):
    """Everyone's own settings: name, phone, time zone, and for customers which case emails they get."""
    form = SettingsForm(request.POST or None, user=request.user)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                user_settings_set(
                    user=request.user,
                    first_name=data["first_name"],
                    last_name=data["last_name"],
                    phone=data["phone"],
                    time_zone=data["time_zone"],
                    case_emails_off=form.case_emails_off(),
                )
            except ValidationError as error:
                for field, errors in error.message_dict.items():
                    for message in errors:
                        form.add_error(field if field in form.fields else None, message)
            else:
                messages.success(request, "Your settings are saved.")
                return redirect("settings")
    return render(
        request,
        "tenants/settings.html",
        {"form": form, "always_sent": ALWAYS_SENT_EMAILS},
        status=status,
    )
