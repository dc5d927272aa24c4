import imaplib
import os
import uuid
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


class Mailbox:
    """One folder of its own in the test server's support mailbox."""

    def __init__(self, folder: str):
        self.folder = folder
        self.imap = imaplib.IMAP4(os.environ["IMAP_TEST_HOST"], int(os.environ["IMAP_TEST_PORT"]))
        self.imap.login(os.environ["IMAP_TEST_USER"], os.environ["IMAP_TEST_PASSWORD"])

    def deliver(self, raw: bytes) -> None:
        status, _ = self.imap.append(
            self.folder, None, None, raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
        )
        assert status == "OK"

    def count(self, criterion: str, folder: str | None = None) -> int:
        self.imap.select(folder or self.folder)
        return len(self.imap.uid("SEARCH", None, criterion)[1][0].split())


@pytest.fixture
def mailbox(settings, monkeypatch):
    if "IMAP_TEST_PORT" not in os.environ:
        pytest.fail(
            "The IMAP tests need the test Dovecot: run them through `make test` (scripts/with-test-services)."
        )
    folder = f"test-{uuid.uuid4().hex[:8]}"
    box = Mailbox(folder)
    box.imap.create(folder)
    config = {
        "MAILIN_IMAP_HOST": os.environ["IMAP_TEST_HOST"],
        "MAILIN_IMAP_PORT": os.environ["IMAP_TEST_PORT"],
        "MAILIN_IMAP_SSL": "0",
        "MAILIN_IMAP_USER": os.environ["IMAP_TEST_USER"],
        "MAILIN_IMAP_PASSWORD": os.environ["IMAP_TEST_PASSWORD"],
        "MAILIN_IMAP_FOLDER": folder,
        "SUPPORT_EMAIL_ADDRESS": "support@supportdesk.test",
        "MAILIN_RATE_LIMIT_PER_HOUR": "1000",
    }
    for name, value in config.items():
        monkeypatch.setenv(name, value)  # for the worker and beat processes
        setattr(settings, name, {"0": False}.get(value, int(value) if value.isdigit() else value))
    yield box
    box.imap.logout()
