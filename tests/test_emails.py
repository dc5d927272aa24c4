"""Emails: the subject and the text part carry what people typed; only the HTML part is escaped."""

from django.core import mail

from tenants.models import Account
from tests.tickets.helpers import file_case
from tickets.models import ResponseKind
from tickets.services import ticket_reply


def test_a_reply_about_tom_and_jerry_reads_as_typed_in_the_subject_and_text_and_escaped_in_html(
    demo, committed
):
    case = file_case("bob@acme.test", "Acme", subject="Tom & Jerry <3")
    with committed():
        ticket_reply(case=case, author=demo["engineer"], body='Try "R&D" <first>', kind=ResponseKind.ANSWER)

    [message] = mail.outbox
    assert message.subject == f"[{case.number}] Re: Tom & Jerry <3"
    assert f"Case {case.number} (Tom & Jerry <3): Erik Engel from support replied:" in message.body
    assert 'Try "R&D" <first>' in message.body
    assert "&amp;" not in message.body and "&lt;" not in message.body and "&quot;" not in message.body
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    assert "(Tom &amp; Jerry &lt;3)" in html
    assert "<3" not in html and "<first>" not in html


def test_an_escalation_names_the_account_and_the_reason_as_typed(client, demo, committed):
    Account.objects.filter(name="Acme").update(name="Smith & Sons <UK>")
    case = file_case("bob@acme.test", "Acme")
    client.force_login(demo["bob"])
    with committed():
        client.post(f"/portal/cases/{case.number}/escalate/", {"reason": "R&D needs it <today>"})

    [message] = mail.outbox
    assert message.subject == f"[{case.number}] Escalation requested by Smith & Sons <UK>"
    assert "Smith & Sons <UK>" in message.body and "R&D needs it <today>" in message.body
    assert "Smith &amp; Sons &lt;UK&gt;" in message.alternatives[0][0]
