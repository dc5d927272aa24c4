from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

import pytest

CORPUS = Path(__file__).parent / "corpus"
SUPPORT = "support@supportdesk.test"


@pytest.fixture(autouse=True)
def support_address(settings):
    settings.SUPPORT_EMAIL_ADDRESS = SUPPORT
    settings.MAILIN_AUTHSERV_ID = "mx.supportdesk.test"
    settings.MAILIN_DROP_FOLDER = ""
    settings.MAILIN_IMAP_HOST = ""


def corpus(name: str, **replace: str) -> bytes:
    """A message of the corpus, with placeholders replaced (e.g. the case number a reply answers)."""
    raw = (CORPUS / name).read_bytes()
    for old, new in replace.items():
        raw = raw.replace(old.encode(), new.encode())
    return raw


def mail(
    *,
    sender: str,
    subject: str = "Users cannot sign in",
    body: str = "Since this morning nobody can sign in.",
    to: str = SUPPORT,
    cc: str = "",
    headers: dict | None = None,
    files: list[tuple[str, bytes, str]] = (),
) -> bytes:
    """A plain message as a mail client sends it."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    if cc:
        message["Cc"] = cc
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain="client.test")
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body)
    for name, content, content_type in files:
        maintype, subtype = content_type.split("/")
        message.add_attachment(content, maintype=maintype, subtype=subtype, filename=name)
    return message.as_bytes()
