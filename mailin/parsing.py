"""Reading one raw message: who sent it, to whom, what it says as text, its files, what kind of mail it is.

Plain Python on the standard library's `email` package (policy.default: headers decoded, charsets applied),
with two well-kept helpers: inscriptis turns an HTML-only body into text, mail-parser-reply strips the quoted
history and signature from a reply. Nothing here touches the database.
"""

import email
import email.utils
import hashlib
import mimetypes
import re
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage

from inscriptis import get_text
from mailparser_reply import EmailReplyParser

# The languages whose "On … wrote:" / "From: … Sent: …" quoting headers the reply parser knows to cut at.
REPLY_LANGUAGES = ["en", "de", "fr", "es", "it", "nl"]
CASE_NUMBER_IN_SUBJECT = re.compile(r"\[(SD-\d{4}-\d{5,})\]", re.IGNORECASE)
# "Severity 1", "Sev 2", "sev:1", "Severity: 3" in the subject or the first lines of the body.
REQUESTED_SEVERITY = re.compile(r"\bsev(?:erity)?\s*[:#=-]?\s*([123])\b", re.IGNORECASE)
DMARC_RESULT = re.compile(r"\bdmarc\s*=\s*([a-z]+)", re.IGNORECASE)
BOUNCE_SENDERS = ("mailer-daemon", "postmaster")
BULK_PRECEDENCE = ("bulk", "junk", "list", "auto_reply")


@dataclass
class File:
    name: str
    content: bytes
    content_type: str
    inline: bool = False


@dataclass
class ParsedMail:
    message_id: str
    from_address: str
    from_name: str
    to: list[str]
    cc: list[str]
    subject: str
    text: str
    files: list[File] = field(default_factory=list)
    in_reply_to: list[str] = field(default_factory=list)
    references: list[str] = field(default_factory=list)
    auto_reply: str = ""  # why it is an automatic reply, or ""
    bounce: str = ""  # why it is a bounce, or ""
    authentication_results: list[str] = field(default_factory=list)

    @property
    def case_number(self) -> str:
        """The case number the subject names ("[SD-2026-00042]"), upper case, or ""."""
        found = CASE_NUMBER_IN_SUBJECT.search(self.subject)
        return found.group(1).upper() if found else ""

    def requested_severity(self) -> int | None:
        """The severity the sender asked for in the subject or the body's first lines, if any."""
        for text in (self.subject, "\n".join(self.text.splitlines()[:10])):
            found = REQUESTED_SEVERITY.search(text)
            if found:
                return int(found.group(1))
        return None

    def dmarc_failed(self, *, authserv_id: str = "") -> bool:
        """Whether an Authentication-Results header says DMARC failed. With `authserv_id`, only the headers
        our own receiving host added count (anyone can write such a header into a message they send)."""
        for header in self.authentication_results:
            server = header.split(";", 1)[0].strip().lower()
            if authserv_id and server != authserv_id.lower():
                continue
            if any(result.lower() == "fail" for result in DMARC_RESULT.findall(header)):
                return True
        return False

    def reply_text(self) -> str:
        """The new part of a reply: the quoted history and the signature cut off (the whole text if the
        parser would leave nothing, e.g. a message that is all quote)."""
        replies = EmailReplyParser(languages=REPLY_LANGUAGES).read(self.text).replies
        return (text_clean(replies[0].body) if replies else "") or self.text


def parse(raw: bytes) -> ParsedMail:
    message = email.message_from_bytes(raw, policy=policy.default)
    from_name, from_address = _addresses(message, "From")[0] if _addresses(message, "From") else ("", "")
    files: list[File] = []
    extra_text: list[str] = []
    _collect_files(message, files, extra_text)
    text = _body_text(message)
    if extra_text:
        text = "\n\n".join([text, *extra_text]).strip()
    return ParsedMail(
        message_id=_message_id(message, raw),
        from_address=from_address.lower(),
        from_name=from_name,
        to=[address.lower() for _, address in _addresses(message, "To", "Delivered-To", "X-Original-To")],
        cc=[address.lower() for _, address in _addresses(message, "Cc")],
        subject=_header(message, "Subject"),
        text=text,
        files=files,
        in_reply_to=_ids(_header(message, "In-Reply-To")),
        references=_ids(_header(message, "References")),
        auto_reply=_auto_reply(message),
        bounce=_bounce(message, from_address),
        authentication_results=[str(value) for value in message.get_all("Authentication-Results", [])],
    )


def _header(message: EmailMessage, name: str) -> str:
    try:
        value = str(message.get(name) or "")
    except (ValueError, IndexError, TypeError, AttributeError):  # too broken for the parser: read it raw
        value = _raw_values(message, name)[0] if _raw_values(message, name) else ""
    return " ".join(value.split()).replace("\x00", "")


def _raw_values(message: EmailMessage, name: str) -> list[str]:
    return [str(value) for key, value in message.raw_items() if key.lower() == name.lower()]


def _addresses(message: EmailMessage, *names: str) -> list[tuple[str, str]]:
    # The raw values: an address header too broken to decode still yields its addresses.
    values = [" ".join(value.split()) for name in names for value in _raw_values(message, name)]
    return [(name, address) for name, address in email.utils.getaddresses(values) if "@" in address]


def _ids(value: str) -> list[str]:
    return re.findall(r"<([^<>\s]+)>", value)


def _message_id(message: EmailMessage, raw: bytes) -> str:
    found = _ids(_header(message, "Message-ID"))
    if found:
        return found[0][:990]
    # No Message-ID (some scripts and old clients): the same bytes get the same stand-in, so a message
    # fetched twice is still recognised.
    return unreadable_message_id(raw)


def unreadable_message_id(raw: bytes) -> str:
    """A stand-in Message-ID from the bytes themselves: stable, so a repeat is still recognised."""
    return f"sha256-{hashlib.sha256(raw).hexdigest()}@no-message-id.invalid"


def _auto_reply(message: EmailMessage) -> str:
    auto_submitted = _header(message, "Auto-Submitted").lower()
    if auto_submitted and auto_submitted != "no":
        return f"Auto-Submitted: {auto_submitted}"
    for name in ("X-Autoreply", "X-Autorespond", "X-Autoresponder"):
        if message.get(name) is not None:
            return f"{name} header"
    precedence = _header(message, "Precedence").lower()
    if precedence in BULK_PRECEDENCE:
        return f"Precedence: {precedence}"
    if _header(message, "X-Autogenerated").lower() == "reply":
        return "X-Autogenerated: reply"
    return ""


def _bounce(message: EmailMessage, from_address: str) -> str:
    if message.get_content_type() == "multipart/report":
        return f"a delivery report ({message.get_param('report-type', '')})"
    if from_address.split("@")[0].lower() in BOUNCE_SENDERS:
        return f"sent by {from_address}"
    if message.get("Return-Path") is not None and _header(message, "Return-Path") in ("<>", ""):
        return "an empty return path"
    return ""


def _decoded(part: EmailMessage) -> str:
    try:
        return part.get_content()
    except (LookupError, UnicodeDecodeError, AssertionError):
        # An unknown or wrong charset: the bytes as Latin-1 lose nothing and never fail.
        payload = part.get_payload(decode=True) or b""
        return payload.decode("latin-1", errors="replace")


def _body_text(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("plain", "html"))
    if body is None:
        return ""
    content = _decoded(body)
    if body.get_content_type() == "text/html":
        content = get_text(content)
    return text_clean(content)


def text_clean(text: str) -> str:
    """Line ends, trailing spaces (but the signature delimiter's) and runs of blank lines tidied; NUL
    characters (PostgreSQL refuses them) and non-breaking spaces removed."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "").replace("\xa0", " ")
    # "-- " (with its space) is the signature delimiter the reply parser cuts at: keep it.
    lines = [line if line == "-- " else line.rstrip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _collect_files(part: EmailMessage, files: list[File], extra_text: list[str]) -> None:
    """Every leaf that is not body text becomes a file (inline images too); a forwarded message attached as
    message/rfc822 adds its text to the body and its files to the files."""
    for sub in part.iter_parts():
        content_type = sub.get_content_type()
        if content_type == "message/rfc822":
            inner = sub.get_content()
            extra_text.append(
                "---------- Forwarded message ----------\n"
                f"From: {_header(inner, 'From')}\nDate: {_header(inner, 'Date')}\n"
                f"Subject: {_header(inner, 'Subject')}\n\n{_body_text(inner)}"
            )
            _collect_files(inner, files, extra_text)
            continue
        if sub.is_multipart():
            _collect_files(sub, files, extra_text)
            continue
        name = sub.get_filename() or ""
        disposition = sub.get_content_disposition()
        if content_type in ("text/plain", "text/html") and not name and disposition != "attachment":
            continue  # body text, read by _body_text
        if content_type == "message/delivery-status":
            continue
        if not name:
            extension = mimetypes.guess_extension(content_type) or ".bin"
            name = f"{content_type.split('/')[0]}-{len(files) + 1}{extension}"
        files.append(
            File(
                name=name.replace("\x00", "")[:255],
                content=sub.get_payload(decode=True) or b"",
                content_type=content_type,
                inline=disposition == "inline" or sub.get("Content-ID") is not None,
            )
        )
