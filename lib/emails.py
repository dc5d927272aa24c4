"""One helper for every email: subject, text and HTML rendered from templates/emails/<name>_* (or, for a name
with a folder, templates/<folder>/<name>_*).

The subject and the text part are plain text: rendered without HTML escaping, so "Tom & Jerry <3" reads as
typed. Only the HTML part is escaped.
"""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template import Context, Engine
from django.template.loader import render_to_string


def _render_plain_text(name: str, context: dict) -> str:
    return Engine.get_default().get_template(name).render(Context(context, autoescape=False))


def email_message(
    *, template: str, to: list[str], context: dict, headers: dict | None = None
) -> EmailMultiAlternatives:
    """The email, rendered and ready to send: for a sender that must render before it commits to sending."""
    context = {"site_url": settings.SITE_URL, **context}
    # "case_update" is templates/emails/case_update_*; an app's own emails name their folder
    # ("mailin/emails/refused" is templates/mailin/emails/refused_*).
    path = template if "/" in template else f"emails/{template}"
    subject = " ".join(_render_plain_text(f"{path}_subject.txt", context).split())
    text = _render_plain_text(f"{path}_body.txt", context)
    html = render_to_string(f"{path}_body.html", context)
    message = EmailMultiAlternatives(subject=subject, body=text, to=to, headers=headers)
    message.attach_alternative(html, "text/html")
    return message


def send_email(*, template: str, to: list[str], context: dict, headers: dict | None = None) -> None:
    email_message(template=template, to=to, context=context, headers=headers).send()
