"""Background work about cases. Thin: take ids, call a service or the email helper."""

from celery import shared_task

from tickets import sweeps
from tickets.deadlines import case_deadlines_recompute
from tickets.outbox import outbox_deliver, outbox_queue_for_old_task, outbox_sweep


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


# The task names of the release before the outbox. A message queued under them before the upgrade may
# still sit in Redis: it becomes the event's outbox rows (once; a redelivery finds them there), no more.
@shared_task(acks_late=True, name="tickets.tasks.notify_contacts")
def notify_contacts(*, event_id: int) -> int:
    return outbox_queue_for_old_task(event_id=event_id, supervisors=False)


@shared_task(acks_late=True, name="tickets.tasks.notify_supervisors")
def notify_supervisors(*, event_id: int) -> int:
    return outbox_queue_for_old_task(event_id=event_id, supervisors=True)


@shared_task(acks_late=True, soft_time_limit=240, time_limit=300)
def sla_sweep() -> dict[str, int]:
    """Thin: beat's minute pass over the SLA timers and auto-close sweeps (tickets/sweeps.py; safe to run
    twice and in several workers at once)."""
    return sweeps.sla_sweep()
