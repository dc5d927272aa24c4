"""Background work of the email channel. Thin: call a source or a service."""

from celery import shared_task

from mailin import services, sources


@shared_task(soft_time_limit=240, time_limit=300)
def poll_mail() -> int:
    """Thin: beat's pass over the IMAP mailbox and, on the embedded default, the drop folder; then the
    refusal answers a lost nudge left unsent. Safe to run twice: a message is ingested once by Message-ID."""
    ingested = sources.mail_poll()
    for message_id in services.mail_answers_due():
        services.mail_answer_send(message_id=message_id)
    return ingested


@shared_task(acks_late=True)
def send_answer(*, message_id: int) -> bool:
    """Thin: the polite answer to one refused message (claimed before it is sent: once at most)."""
    return services.mail_answer_send(message_id=message_id)
