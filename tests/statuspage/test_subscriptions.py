"""Anyone subscribes to incident emails: one email per subscriber and update, sent once by the status outbox,
each with a one-click unsubscribe link; anonymous addresses confirm from their inbox first."""

import re

import pytest
from django.core import mail
from django.test import Client

from statuspage.models import IncidentStatus, StatusEmail, StatusEmailStatus, Subscriber
from statuspage.outbox import status_outbox_deliver, status_outbox_sweep
from tests.statuspage.helpers import DEGRADED, make_components, open_incident, post_update


@pytest.fixture
def components(db):
    return make_components()


def link_in(message, path: str) -> str:
    [url] = re.findall(rf"https?://\S+?({path}\S+?/)(?=\s|$)", message.body, re.M)
    return url


def subscribe(client, email):
    return client.post("/status/subscribe/", {"email": email})


def test_an_anonymous_visitor_confirms_from_the_inbox_before_any_incident_email(
    client, demo, components, committed
):
    with committed():
        response = subscribe(client, "Ops@Example.test")
    assert response.status_code == 302
    [confirmation] = mail.outbox
    assert confirmation.to == ["ops@example.test"]
    assert "Confirm" in confirmation.subject

    with committed():
        open_incident(demo["engineer"], components)
    assert len(mail.outbox) == 1  # not confirmed: no incident email

    # Typing the address again soon after sends no second confirmation.
    with committed():
        subscribe(client, "ops@example.test")
    assert len(mail.outbox) == 1

    response = client.get(link_in(confirmation, "/status/subscribe/"))
    assert response.status_code == 302
    assert Subscriber.objects.get(email="ops@example.test").confirmed_at is not None


def test_a_signed_in_person_subscribing_their_own_address_is_subscribed_at_once(
    client, demo, components, committed
):
    client.force_login(demo["bob"])
    with committed():
        subscribe(client, "bob@acme.test")
    assert mail.outbox == []
    assert Subscriber.objects.get(email="bob@acme.test").confirmed_at is not None


def test_each_update_emails_each_subscriber_once_and_the_link_unsubscribes_in_one_click(
    demo, components, committed
):
    bob, alice = Client(), Client()
    bob.force_login(demo["bob"])
    alice.force_login(demo["alice"])
    subscribe(bob, "bob@acme.test")
    subscribe(alice, "alice@acme.test")

    with committed():
        incident = open_incident(demo["engineer"], components, title="Portal slow", body="We are on it.")
    assert sorted(message.to[0] for message in mail.outbox) == ["alice@acme.test", "bob@acme.test"]
    to_bob = next(message for message in mail.outbox if message.to == ["bob@acme.test"])
    assert to_bob.subject == "[Investigating] Portal slow"
    assert "We are on it." in to_bob.body and "Portal (degraded performance)" in to_bob.body
    unsubscribe = link_in(to_bob, "/status/unsubscribe/")
    assert to_bob.extra_headers["List-Unsubscribe"].endswith(unsubscribe + ">")
    assert to_bob.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    # Delivering again (a second worker, beat's sweep) sends nothing twice.
    assert status_outbox_deliver() == 0
    assert status_outbox_sweep() == 0
    assert len(mail.outbox) == 2
    assert set(StatusEmail.objects.values_list("status", flat=True)) == {StatusEmailStatus.SENT}

    # A GET only asks (link scanners open links); the mail client's one-click POST needs no CSRF token.
    assert Client().get(unsubscribe).status_code == 200
    assert Subscriber.objects.filter(email="bob@acme.test").exists()
    response = Client(enforce_csrf_checks=True).post(unsubscribe, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert not Subscriber.objects.filter(email="bob@acme.test").exists()
    assert Client().post(unsubscribe).status_code == 404  # used up

    mail.outbox.clear()
    with committed():
        post_update(demo["engineer"], incident, components, status=IncidentStatus.RESOLVED, body="Fixed.")
    assert [message.to for message in mail.outbox] == [["alice@acme.test"]]
    assert mail.outbox[0].subject == "[Resolved] Portal slow"
    assert "Every component is operational again." in mail.outbox[0].body


def test_an_email_still_waiting_when_its_reader_unsubscribes_is_not_sent(client, demo, components):
    client.force_login(demo["bob"])
    subscribe(client, "bob@acme.test")
    open_incident(demo["engineer"], components, states={"api": DEGRADED})  # queued, not delivered (no commit)
    Subscriber.objects.filter(email="bob@acme.test").delete()
    assert status_outbox_deliver() == 0
    assert mail.outbox == []
    assert StatusEmail.objects.get().status == StatusEmailStatus.SKIPPED


def test_a_forged_or_mangled_link_unsubscribes_nobody(client, demo, components):
    client.force_login(demo["bob"])
    subscribe(client, "bob@acme.test")
    for token in ["nonsense", "eyJpZCI6MX0:forged:sig"]:
        assert Client().post(f"/status/unsubscribe/{token}/").status_code == 404
        assert Client().get(f"/status/subscribe/{token}/").status_code == 404
    assert Subscriber.objects.filter(email="bob@acme.test").exists()


def test_a_bad_address_is_refused_on_the_form(client, db):
    response = subscribe(client, "not an address")
    assert response.status_code == 400
    assert "Enter a valid email address." in response.content.decode()
    assert not Subscriber.objects.exists()


def test_an_address_longer_than_we_can_keep_is_refused_on_the_form(client, db):
    address = "a" * 60 + "@" + ".".join(["b" * 60] * 4) + ".com"  # well formed, 308 characters
    response = subscribe(client, address)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Ensure this value has at most 254 characters (it has 308)." in page
    assert f'value="{address}"' in page
    assert not Subscriber.objects.exists()


@pytest.mark.worker
def test_a_real_worker_sends_each_update_once_to_each_subscriber(celery_worker, demo):
    from statuspage.services import subscriber_subscribe
    from statuspage.tasks import deliver_due_status_emails, deliver_status_emails
    from tests.conftest import wait_until

    components = make_components()
    for address in ["bob@acme.test", "alice@acme.test", "ops@example.test"]:
        subscriber_subscribe(email=address, confirmed=True)
    incident = open_incident(demo["engineer"], components)  # commits: 3 emails queued, the worker nudged
    post_update(demo["engineer"], incident, components, status=IncidentStatus.RESOLVED)  # 3 more
    rows = StatusEmail.objects.all()
    assert rows.count() == 6
    # The nudge again, and beat's sweep, twice each: nothing is sent twice.
    for _ in range(2):
        deliver_status_emails.delay(email_ids=list(rows.values_list("pk", flat=True)))
        deliver_due_status_emails.delay()
    done = wait_until(lambda: not rows.exclude(status=StatusEmailStatus.SENT).exists())
    assert done, celery_worker.log_path.read_text()
    wait_until(lambda: False, timeout=2)  # let the extra deliveries run out
    messages = [path.read_text() for path in celery_worker.outbox.iterdir()]
    sent = "".join(messages)
    assert sent.count("Subject: [Investigating] Portal slow") == 3
    assert sent.count("Subject: [Resolved] Portal slow") == 3
    assert set(rows.values_list("status", flat=True)) == {StatusEmailStatus.SENT}
