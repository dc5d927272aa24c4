from celery import shared_task

from sla.services import sla_recompute_open_cases


@shared_task(acks_late=True)
def recompute_deadlines(*, calendar_ids=(), policy_ids=(), tier_ids=(), contract_ids=()):
    """Thin: new first-response deadlines for open cases after an SLA rule changed (safe to run twice)."""
    return sla_recompute_open_cases(
        calendar_ids=calendar_ids, policy_ids=policy_ids, tier_ids=tier_ids, contract_ids=contract_ids
    )
