from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    """SLA dashboards for managers and the SLA report for MSP admins: figures over cases. Built on cases."""

    name = "dashboards"
    verbose_name = "SLA dashboards"

    def ready(self):
        # Lower layers announce, the figures follow: what a case's figures depend on without being on the
        # case (its contract's tier, its policy and calendar) is noted stale for the next minute pass.
        from django.db.models.signals import post_save, pre_save

        from dashboards import receivers
        from sla.signals import rules_changed
        from tenants.models import Contract
        from tenants.signals import contract_tier_changed

        contract_tier_changed.connect(receivers.on_contract_tier_changed, dispatch_uid="dashboards.tier")
        rules_changed.connect(receivers.on_sla_rules_changed, dispatch_uid="dashboards.rules")
        pre_save.connect(receivers.contract_tier_before, sender=Contract, dispatch_uid="dashboards.contract")
        post_save.connect(receivers.contract_tier_after, sender=Contract, dispatch_uid="dashboards.contract")
