"""A reply by mail joins its case: by the number in the subject or by the References of our own emails; quoted
history and signatures stripped; only people who may add to the case can; a closed case gets a follow-up.
Cross-tenant probes: nothing of another account changes."""

from django.core import mail as sent
from django.utils import timezone

from mailin.models import InboundMessage, Outcome, Source
from mailin.services import mail_ingest
from tenants.services import contact_deactivate
from tests.mailin.conftest import corpus, mail
from tests.tickets.helpers import file_case
from tickets.models import Case, CloseReason, OutboundEmail, ResponseKind, Status
from tickets.outbox import case_thread_id, outbox_deliver
from tickets.services import ticket_close, ticket_merge, ticket_reply


def ingest(raw: bytes) -> InboundMessage:
    return mail_ingest(raw=raw, source=Source.IMAP)


def support_asks(case: Case, engineer) -> None:
    ticket_reply(
        case=case,
        author=engineer,
        body="Please restart the identity service.",
        kind=ResponseKind.REQUEST_INFO,
    )


def test_an_outlook_reply_joins_its_case_by_number_without_the_quoted_history(demo):
    case = file_case("bob@acme.test", "Acme")
    support_asks(case, demo["engineer"])

    message = ingest(corpus("outlook_reply.eml", **{"SD-0000-00000": case.number}))

    case.refresh_from_db()
    assert message.outcome == Outcome.REPLY and message.case == case
    reply = case.replies.last()
    assert reply.author == demo["bob"] and not reply.is_internal
    assert reply.body == "Yes, restarting the identity service fixed it for everyone."
    assert case.status == Status.OPEN  # it was waiting on the customer
    assert case.customer_replied_at is not None


def test_a_gmail_reply_loses_its_quote_and_signature(demo):
    case = file_case("bob@acme.test", "Acme")

    ingest(corpus("gmail_reply.eml", **{"SD-0000-00000": case.number}))

    assert case.replies.last().body == "It still fails for two users on the VPN."


def test_a_reply_to_our_email_threads_by_its_references_without_a_number_in_the_subject(demo, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    case = file_case("bob@acme.test", "Acme")
    support_asks(case, demo["engineer"])
    outbox_deliver()
    [ours] = [message for message in sent.outbox if "Please restart" in message.body]

    answer = mail(
        sender="bob@acme.test",
        subject="Re: your question",
        body=(
            "Done, it works.\n\n"
            "On Mon, Nov 23, 2026 at 9:00 AM Support <support@supportdesk.test> wrote:\n> Please restart"
        ),
        headers={
            "In-Reply-To": ours.extra_headers["Message-ID"],
            "References": ours.extra_headers["References"],
        },
    )
    message = ingest(answer)

    assert message.case == case
    assert case.replies.last().body == "Done, it works."


def test_our_emails_carry_a_message_id_thread_references_and_a_reply_to_the_support_address(demo, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    case = file_case("bob@acme.test", "Acme")
    support_asks(case, demo["engineer"])
    outbox_deliver()

    to_bob = [message for message in sent.outbox if message.to == ["bob@acme.test"]]
    assert to_bob
    ids = set()
    for message in to_bob:
        headers = message.message()
        assert headers["Reply-To"] == "support@supportdesk.test"
        assert headers["References"] == headers["In-Reply-To"] == case_thread_id(case)
        assert headers["Auto-Submitted"] == "auto-generated"
        ids.add(headers["Message-ID"])
    assert len(ids) == len(to_bob)
    email = OutboundEmail.objects.filter(recipient=demo["bob"]).first()
    assert f"<outbox-{email.pk}." in " ".join(ids)


def test_a_reply_to_a_closed_case_starts_a_follow_up_that_names_it(demo):
    case = file_case("bob@acme.test", "Acme")
    ticket_close(case=case, actor=demo["bob"])

    message = ingest(
        mail(sender="bob@acme.test", subject=f"Re: [{case.number}] Users cannot sign in", body="It is back.")
    )

    follow_up = message.case
    assert message.outcome == Outcome.FOLLOW_UP
    assert follow_up != case and follow_up.continues == case
    assert follow_up.description == "It is back."
    case.refresh_from_db()
    assert case.status == Status.CLOSED and case.replies.count() == 0


def test_a_reply_to_a_merged_duplicate_joins_the_case_it_was_merged_into(demo):
    duplicate = file_case("bob@acme.test", "Acme")
    original = file_case("bob@acme.test", "Acme", subject="Sign-in broken")
    ticket_merge(case=duplicate, actor=demo["engineer"], into=original)

    message = ingest(mail(sender="bob@acme.test", subject=f"Re: [{duplicate.number}] Users cannot sign in"))

    assert message.case == original and message.outcome == Outcome.REPLY


def test_a_cc_and_a_portal_admin_may_reply_by_mail_and_a_colleague_not_copied_may_not(demo):
    case = file_case("alice@acme.test", "Acme")
    other = file_case("bob@acme.test", "Acme", subject="Bob's own")

    by_admin = ingest(mail(sender="alice@acme.test", subject=f"Re: [{other.number}]", body="Admin here."))
    by_outsider = ingest(mail(sender="bob@acme.test", subject=f"Re: [{case.number}]", body="Me too."))

    assert by_admin.case == other and other.replies.last().body == "Admin here."
    # Bob is neither requester nor copied on Alice's case: his mail becomes a case of his own.
    assert by_outsider.case != case and by_outsider.case.requester == demo["bob"]
    assert case.replies.count() == 0


def test_a_contact_of_another_account_naming_a_case_number_changes_nothing_there(demo):
    case = file_case("bob@acme.test", "Acme")
    before = Case.objects.filter(pk=case.pk).values().get()

    message = ingest(
        mail(
            sender="mia@northwind-msp.test",
            to="support+contoso-dental@supportdesk.test",
            subject=f"Re: [{case.number}] Users cannot sign in",
            cc="bob@acme.test",
        )
    )

    assert Case.objects.filter(pk=case.pk).values().get() == before
    assert case.replies.count() == 0 and case.cc.count() == 0
    assert message.case.account.name == "Northwind MSP"
    assert list(message.case.cc.all()) == []  # Bob of Acme is not copied on a Northwind case


def test_references_to_another_accounts_case_change_nothing_there(demo):
    case = file_case("bob@acme.test", "Acme")

    message = ingest(
        mail(
            sender="mia@northwind-msp.test",
            to="support+contoso-dental@supportdesk.test",
            subject="Re: hello",
            headers={"References": case_thread_id(case)},
        )
    )

    assert case.replies.count() == 0
    assert message.case.account.name == "Northwind MSP"


def test_a_deactivated_contact_replying_to_its_case_is_refused(demo, committed):
    case = file_case("bob@acme.test", "Acme")
    contact_deactivate(membership=demo["bob"].membership, actor=demo["alice"], now=timezone.now())

    with committed():
        message = ingest(mail(sender="bob@acme.test", subject=f"Re: [{case.number}]"))

    assert message.outcome == Outcome.REFUSED and case.replies.count() == 0


def test_mail_about_a_case_support_closed_leaves_it_closed(demo):
    case = file_case("bob@acme.test", "Acme")
    ticket_close(case=case, actor=demo["engineer"], reason=CloseReason.RESOLVED)

    ingest(mail(sender="bob@acme.test", subject=f"[{case.number}] thanks"))

    case.refresh_from_db()
    assert case.status == Status.CLOSED
