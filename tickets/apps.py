from django.apps import AppConfig


class TicketsConfig(AppConfig):
    name = "tickets"
    verbose_name = "Cases"

    def ready(self):
        # Lower layers announce, cases follow: deadlines are recomputed when SLA rules or a contract's tier
        # change.
        from sla.signals import rules_changed
        from tenants.signals import contract_tier_changed
        from tickets import deadlines

        rules_changed.connect(deadlines.on_sla_rules_changed, dispatch_uid="tickets.deadlines.rules")
        contract_tier_changed.connect(
            deadlines.on_contract_tier_changed, dispatch_uid="tickets.deadlines.tier"
        )
