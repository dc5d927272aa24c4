"""Background work on real processes: emails leave through a Celery worker after commit, and concurrent
filings never share a case number."""

import threading

import pytest
from django.db import connection

from demo.people import demo_seed
from tenants.models import User
from tests.conftest import wait_until
from tests.tickets.helpers import file_case
from tickets.models import Case, ResponseKind
from tickets.services import ticket_reply


@pytest.mark.worker
def test_a_staff_reply_reaches_the_requester_by_email_through_the_worker(celery_worker):
    demo_seed()
    case = file_case("bob@acme.test", "Acme", 2, subject="Directory sync stopped")
    ticket_reply(
        case=case,
        author=User.objects.get(email="engineer@demo.test"),
        body="We restarted the connector; please check again.",
        kind=ResponseKind.ANSWER,
    )
    outbox = celery_worker.outbox
    subject = f"Subject: [{case.number}] Re: Directory sync stopped"
    # The filing confirmation goes out too: wait for the reply's own email.
    sent = wait_until(
        lambda: (
            [path for path in sorted(outbox.glob("*.log")) if subject in path.read_text()]
            if outbox.exists()
            else []
        )
    )
    assert sent, celery_worker.log_path.read_text()
    message = sent[0].read_text()
    assert "To: bob@acme.test" in message
    assert "We restarted the connector; please check again." in message


@pytest.mark.django_db(transaction=True)
def test_concurrent_filings_get_distinct_consecutive_numbers():
    demo_seed()
    numbers, errors = [], []

    def file_one(i):
        try:
            numbers.append(file_case("bob@acme.test", "Acme", subject=f"Parallel {i}").number)
        except Exception as error:  # reported below; a thread's exception would otherwise vanish
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=file_one, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(set(numbers)) == 8 == Case.objects.count()
    year = numbers[0].split("-")[1]
    assert sorted(numbers) == [f"SD-{year}-{n:05d}" for n in range(1, 9)]
