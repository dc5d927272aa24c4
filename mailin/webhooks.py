"""The inbound webhook for hosted mail services, through django-anymail (its signature checks, its parsing):
POST /mail/inbound/<service>/. Each view answers 404 until its secret is configured: MAILIN_WEBHOOK_SECRET
(HTTP basic auth, "user:password", checked by anymail for every service) and, for Mailgun, its webhook
signing key too. A message that arrives is handed to `mail_ingest` as raw bytes, like any other source."""

from anymail.signals import inbound
from anymail.webhooks.mailgun import MailgunInboundWebhookView
from anymail.webhooks.postmark import PostmarkInboundWebhookView
from anymail.webhooks.sendgrid import SendGridInboundWebhookView
from django.conf import settings
from django.http import Http404
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from mailin.models import Source
from mailin.services import mail_ingest


def _configured(service: str) -> bool:
    if not settings.MAILIN_WEBHOOK_SECRET:
        return False
    if service == "mailgun":
        return bool(settings.ANYMAIL.get("MAILGUN_WEBHOOK_SIGNING_KEY"))
    return True


def _guarded(service: str, view_class):
    view = view_class.as_view()

    @csrf_exempt
    def guarded(request, *args, **kwargs):
        if not _configured(service):
            raise Http404  # an open webhook would let anyone on the web file cases
        return view(request, *args, **kwargs)

    return guarded


def on_inbound(sender, event, esp_name, **kwargs):
    """anymail's inbound signal: the parsed message, back to bytes, into the one ingestion path."""
    mail_ingest(raw=event.message.as_bytes(), source=Source.WEBHOOK)


inbound.connect(on_inbound, dispatch_uid="mailin.webhooks.on_inbound")

urlpatterns = [
    path("mail/inbound/mailgun/", _guarded("mailgun", MailgunInboundWebhookView), name="mailin_mailgun"),
    path("mail/inbound/postmark/", _guarded("postmark", PostmarkInboundWebhookView), name="mailin_postmark"),
    path("mail/inbound/sendgrid/", _guarded("sendgrid", SendGridInboundWebhookView), name="mailin_sendgrid"),
]
