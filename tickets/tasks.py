"""Background work about cases. Thin: take ids, call a service or the email helper."""

from celery import shared_task

from tickets.notifications import contacts_notify, supervisors_notify


@shared_task(acks_late=True)
def notify_contacts(*, event_id: int) -> int:
    return contacts_notify(event_id=event_id)


@shared_task(acks_late=True)
def notify_supervisors(*, event_id: int) -> int:
    return supervisors_notify(event_id=event_id)
