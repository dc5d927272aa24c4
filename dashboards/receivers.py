"""Receivers that keep the figures following what changes under cases without touching them.

A case's figures (dashboards.models.CaseFigure) read its contract's tier, and its first-response time is open
time of that tier's policy calendar. A contract moved to another tier, or a changed policy or calendar, does
not move the cases' `updated_at`, so the minute pass would not see it: these receivers note it
(dashboards.services `stale_figures_note`, one row) and the next pass rewrites the cases concerned.

A contract's tier is noted however it is saved: from tenants' announcement (the admin sends it) and from the
contract's own save (a shell, a script, a data migration), compared with the tier it had before.
"""

from dashboards.services import stale_figures_note


def on_contract_tier_changed(sender, *, contract_ids=(), **kwargs) -> None:
    """tenants.signals.contract_tier_changed (sent after commit)."""
    stale_figures_note(contract_ids=contract_ids)


def on_sla_rules_changed(sender, *, calendar_ids=(), policy_ids=(), tier_ids=(), **kwargs) -> None:
    """sla.signals.rules_changed (sent after commit): response times and outcomes follow the new rules."""
    stale_figures_note(calendar_ids=calendar_ids, policy_ids=policy_ids, tier_ids=tier_ids)


def contract_tier_before(sender, *, instance, raw=False, **kwargs) -> None:
    """pre_save of a Contract: remember the tier it has in the database."""
    if raw or instance.pk is None:
        return
    instance._figures_tier_before = (
        type(instance).objects.filter(pk=instance.pk).values_list("tier_id", flat=True).first()
    )


def contract_tier_after(sender, *, instance, created=False, raw=False, **kwargs) -> None:
    """post_save of a Contract: a new tier makes its cases' figures stale (in the same transaction)."""
    before = getattr(instance, "_figures_tier_before", None)
    if raw or created or before is None or before == instance.tier_id:
        return
    stale_figures_note(contract_ids=[instance.pk])
