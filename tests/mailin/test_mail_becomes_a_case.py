"""A message to the support address becomes a case: the corpus of real-world shapes (tests/mailin/corpus)."""

import pytest

from mailin.models import InboundMessage, Outcome, Source
from mailin.services import mail_ingest
from tests.mailin.conftest import corpus, mail
from tickets.models import Channel, Severity, Status


def ingest(raw: bytes) -> InboundMessage:
    return mail_ingest(raw=raw, source=Source.PIPE)


def test_a_multipart_alternative_message_is_a_severity_3_email_case_keeping_the_severity_asked_for(demo):
    message = ingest(corpus("multipart_alternative.eml"))

    case = message.case
    assert message.outcome == Outcome.CASE
    assert case.requester == demo["bob"] and case.organization.name == "Acme"
    assert case.channel == Channel.EMAIL and case.status == Status.NEW
    assert case.subject == "VPN agent crashes on start (Severity 1)"
    assert case.requested_severity == 1 and case.severity == Severity.SEV3
    assert case.description.startswith(
        "Hello support,\n\nSince the update this morning the VPN agent crashes"
    )
    assert "<b>" not in case.description  # the text part, not the HTML one
    assert case.category.slug == "other"
    assert case.contact_time_zone == "America/Denver"  # Bob's own, with office hours as the call window


def test_an_html_only_message_is_converted_to_clean_text(demo):
    case = ingest(corpus("html_only.eml")).case

    assert "The admin console shows a blank page after sign-in." in case.description
    assert "Chrome 131" in case.description and "Firefox 133" in case.description
    assert "<" not in case.description and "alert" not in case.description and "color" not in case.description


def test_a_latin_1_message_reads_as_written(demo):
    case = ingest(corpus("latin1.eml")).case

    assert case.subject == "Problème de connexion à la console"
    assert "« Accès refusé ». Grüße aus München." in case.description


def test_an_inline_image_is_attached_as_a_file(demo):
    case = ingest(corpus("inline_image.eml")).case

    [screenshot] = case.attachments.all()
    assert screenshot.name == "screenshot.png" and screenshot.content_type == "image/png"
    assert screenshot.file.read().startswith(b"\x89PNG")
    assert "Exporting the audit log shows this error:" in case.description


def test_a_forwarded_message_keeps_what_was_forwarded(demo):
    inline = ingest(corpus("forwarded_inline.eml")).case
    attached = ingest(corpus("forwarded_attached.eml")).case

    assert "Please see below" in inline.description
    assert '"SSO assertion expired"' in inline.description
    assert "Forwarding the alert" in attached.description
    assert "failed on build-07 with exit code 1603" in attached.description
    assert [file.name for file in attached.attachments.all()] == ["agent-install.log"]


def test_an_attachment_over_the_limit_or_of_a_refused_type_is_left_out_and_named(demo, settings):
    settings.ATTACHMENT_MAX_BYTES = 1024  # the corpus's full.log has 4 KB

    case = ingest(corpus("oversized_attachment.eml")).case

    assert [file.name for file in case.attachments.all()] == ["small.log"]
    assert "Not attached" in case.description
    assert "full.log (4.0 KB): full.log is larger than the 1.0 KB limit." in case.description
    assert "fix.exe" in case.description and "we do not accept .exe files" in case.description


def test_a_message_without_a_subject_is_named_by_its_first_line(demo):
    case = ingest(corpus("no_subject.eml")).case

    assert case.subject == "Our directory sync stopped at 03:00 and has not run since."


def test_copied_colleagues_become_ccs_and_a_foreign_address_does_not(demo):
    message = ingest(
        mail(sender="bob@acme.test", cc="Alice <alice@acme.test>, Mia <mia@northwind-msp.test>, x@else.test")
    )

    assert list(message.case.cc.all()) == [demo["alice"]]


def test_the_raw_source_is_kept(demo):
    raw = corpus("latin1.eml")
    message = ingest(raw)

    assert bytes(InboundMessage.objects.get(pk=message.pk).raw) == raw


@pytest.mark.parametrize("name", ["multipart_alternative.eml", "no_subject.eml"])
def test_the_same_message_twice_is_one_case(demo, name):
    first = ingest(corpus(name))
    again = ingest(corpus(name))

    assert again.pk == first.pk
    assert InboundMessage.objects.count() == 1
    assert demo["bob"].requested_cases.count() == 1


def test_an_msp_admin_names_the_organization_with_a_plus_tag(demo):
    message = ingest(mail(sender="mia@northwind-msp.test", to="support+fabrikam-logistics@supportdesk.test"))

    assert message.case.organization.name == "Fabrikam Logistics"


def test_an_msp_admin_limited_to_other_organizations_cannot_name_one_outside_them(demo, committed):
    with committed():
        message = ingest(
            mail(sender="max@northwind-msp.test", to="support+tailspin-clinics@supportdesk.test")
        )

    assert message.outcome == Outcome.REFUSED and message.case is None
    assert "support+contoso-dental@supportdesk.test" in message.reason
    assert "tailspin" not in message.reason.lower()
