"""Reads of the SLA data for people: what a tier promises."""

from dataclasses import dataclass

from sla.models import AutoCloseRule, Policy
from sla.services import CHAT_HOURS_LABEL
from tenants.models import Tier


@dataclass(frozen=True)
class TierPromise:
    """What a tier gives, as the contract page shows it."""

    tier: Tier
    policies: list[Policy]  # one per severity, with its calendar; none for a tier without cases
    auto_close: AutoCloseRule | None
    chat_hours: str


def tier_promise(*, tier: Tier) -> TierPromise:
    """The first-response target of each severity (and the calendar it is measured in), and how long a case
    may wait on the customer before it closes by itself: the same rows that set every case's deadlines."""
    policies = list(Policy.objects.filter(tier=tier).select_related("calendar").order_by("severity"))
    auto_close = AutoCloseRule.objects.filter(tier=tier).first()
    return TierPromise(tier=tier, policies=policies, auto_close=auto_close, chat_hours=CHAT_HOURS_LABEL)
