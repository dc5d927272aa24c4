"""The contract page: what the customer's tier gives (domain.md §2, §4, §6)."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from sla.selectors import tier_promise
from tenants.scope import scope_for


@login_required
def contract_page(request):
    """Every member of a customer account reads its contracts and what each tier gives; staff and people
    without an account have none (404)."""
    scope = scope_for(request.user)
    if scope.membership is None:
        raise Http404
    account = scope.membership.account
    today = timezone.localdate()
    contracts = sorted(
        account.contracts.select_related("tier").prefetch_related("products"),
        # In force first, then the latest.
        key=lambda contract: (not contract.is_valid_on(today), -contract.end_date.toordinal()),
    )
    promises = {tier.pk: tier_promise(tier=tier) for tier in {contract.tier for contract in contracts}}
    return render(
        request,
        "tenants/contract.html",
        {
            "account": account,
            "contracts": [(contract, promises[contract.tier_id]) for contract in contracts],
            "today": today,
        },
    )
