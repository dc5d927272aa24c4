"""The portal admin's page: the account's contacts, contracts and products."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from tenants.forms import InviteForm
from tenants.models import Membership
from tenants.scope import scope_for
from tenants.services import contact_deactivate, contact_invite


def _portal_admin_scope(user):
    scope = scope_for(user)
    if not scope.is_portal_admin:
        raise Http404
    return scope


@login_required
def account_page(request, invite_form=None, status=200):
    scope = _portal_admin_scope(request.user)
    account = scope.membership.account
    contracts = account.contracts.select_related("tier").prefetch_related("products__versions")
    today = timezone.localdate()
    return render(
        request,
        "tenants/account.html",
        {
            "account": account,
            "memberships": scope.contacts().select_related("user").prefetch_related("organizations"),
            "contracts": contracts,
            "invite_form": invite_form or InviteForm(),
            "today": today,
        },
        status=status,
    )


@login_required
@require_POST
def contact_invite_view(request):
    scope = _portal_admin_scope(request.user)
    form = InviteForm(request.POST)
    if form.is_valid():
        try:
            invited = contact_invite(
                invited_by=request.user,
                account=scope.membership.account,
                email=form.cleaned_data["email"],
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
                role=Membership.Role.ADMIN if form.cleaned_data["make_admin"] else Membership.Role.CONTACT,
            )
        except ValidationError as error:
            for field, errors in getattr(error, "message_dict", {None: error.messages}).items():
                for message in errors:
                    form.add_error(field if field in form.fields else None, message)
        else:
            messages.success(request, f"Invitation sent to {invited.email}.")
            return redirect("portal_account")
    return account_page(request, invite_form=form, status=400)


@login_required
@require_POST
def contact_deactivate_view(request, membership_id):
    scope = _portal_admin_scope(request.user)
    membership = scope.contacts().filter(pk=membership_id).first()
    if membership is None:
        raise Http404
    try:
        contact_deactivate(actor=request.user, membership=membership)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{membership.user.email} can no longer file or see cases.")
    return redirect("portal_account")
