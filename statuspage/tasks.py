"""Background work of the status page. Thin: take ids, call the outbox."""

from celery import shared_task

from statuspage.outbox import status_outbox_deliver, status_outbox_sweep


@shared_task(acks_late=True)
def deliver_status_emails(*, email_ids: list[int]) -> int:
    """Thin: the nudge an incident update or a subscription sends on commit, for its emails (safe twice)."""
    return status_outbox_deliver(email_ids=email_ids)


@shared_task(acks_late=True)
def deliver_due_status_emails() -> int:
    """Thin: beat's minute pass over the status outbox."""
    return status_outbox_sweep()
