"""Background work about cases. Thin: take ids, call a service or the email helper."""

from celery import shared_task

from tickets.deadlines import case_deadlines_recompute
from tickets.outbox import outbox_deliver, outbox_sweep


@shared_task(acks_late=True)
def deliver_emails(*, email_ids: list[int]) -> int:
    """Thin: the nudge a change sends on commit, for the emails it queued (safe to run twice)."""
    return outbox_deliver(email_ids=email_ids)


@shared_task(acks_late=True)
def deliver_due_emails() -> int:
    """Thin: beat's minute pass over the outbox; whatever a lost nudge or a backoff left waiting."""
    return outbox_sweep()


@shared_task(acks_late=True)
def recompute_deadlines(*, calendar_ids=(), policy_ids=(), tier_ids=(), contract_ids=()):
    """Thin: new first-response deadlines for open cases after an SLA rule changed (safe to run twice)."""
    return case_deadlines_recompute(
        calendar_ids=calendar_ids, policy_ids=policy_ids, tier_ids=tier_ids, contract_ids=contract_ids
    )
