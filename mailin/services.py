"""Mail in: one ingestion path for every source (IMAP, webhook, pipe, drop folder).

`mail_ingest(raw=…, source=…)` does everything for one message in one transaction:
1. Record it, keyed by its Message-ID. The same message a second time (a poller that died after the commit
   and before flagging it, a webhook retried) finds its row and changes nothing.
2. Classify: our own mail, bounces and auto-replies are ignored (never answered: no loop); a DMARC failure
   reported by our receiving host is held for staff; an unknown sender, a deactivated contact or an account
   that may not file is refused, with one polite answer a day at most per address; a burst from one sender
   past MAILIN_RATE_LIMIT_PER_HOUR is refused without an answer.
3. Act through the case services: a reply joins the case its subject ([SD-…]) or References name, through
   the same door as the portal (`case_action(…, CaseAction.REPLY)`); a reply to a closed case files a
   follow-up naming it; anything else files a new case (channel email, severity 3).
Sources flag or move the message only after this has committed (mailin/sources.py).
"""

import datetime
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.text import slugify

from lib.emails import email_message
from mailin.models import InboundMessage, Outcome
from mailin.parsing import ParsedMail, parse, unreadable_message_id
from tenants.models import Organization, User
from tenants.selectors import contacts_acting_for, filing_eligibility
from tickets.actions import CaseAction, CaseActionRefused
from tickets.models import DESCRIPTION_MAX_LENGTH, REPLY_MAX_LENGTH, Case, Category, Channel, Status
from tickets.outbox import case_id_from_message_ids, is_our_message_id
from tickets.scope import Scope, scope_for
from tickets.services import ticket_create, ticket_reply
from tickets.services.common import attachment_check, case_action

logger = logging.getLogger(__name__)

# What an email case is filed under: the catch-all category (staff recategorise at triage).
EMAIL_CATEGORY = "other"
# An email says nothing about when to call: office hours in the contact's own time zone until it does.
EMAIL_CALL_WINDOW = (datetime.time(9, 0), datetime.time(17, 0))
ANSWER_EVERY = datetime.timedelta(days=1)
RATE_WINDOW = datetime.timedelta(hours=1)
NO_TEXT = "(The email had no text.)"
REFUSED_TEMPLATE = "mailin/emails/refused"


@dataclass
class Refusal:
    """Why a sender is turned away (staff read it) and what the answer tells them (empty: no answer)."""

    reason: str
    answer: str = ""


@transaction.atomic
def mail_ingest(*, raw: bytes, source: str, now: datetime.datetime | None = None) -> InboundMessage:
    """Ingest one message (see the module docstring); returns its row, the existing one for a repeat.

    Runs in one transaction: the row, the case or reply, the emails it queues commit together. A message our
    code cannot handle (a bug, a file the storage refuses) is still recorded, as held with the error, so
    staff see it and a poller does not fetch it forever."""
    now = now or timezone.now()
    try:
        mail = parse(raw)
    except Exception as error:  # bytes the email package cannot read: kept, held, never fetched forever
        logger.exception("Could not parse an inbound message")
        message, created = InboundMessage.objects.get_or_create(
            message_id=unreadable_message_id(raw),
            defaults={"source": source, "raw": raw, "outcome": Outcome.HELD, "received_at": now},
        )
        if created:
            _settle(message, Outcome.HELD, f"Could not be read: {type(error).__name__}: {error}"[:2000])
        return message
    message = InboundMessage(
        message_id=mail.message_id,
        source=source,
        raw=raw,
        from_address=mail.from_address[:254],
        subject=mail.subject[:998],
        outcome=Outcome.HELD,
        received_at=now,
    )
    if not _record(message):
        return InboundMessage.objects.get(message_id=mail.message_id)
    try:
        with transaction.atomic():
            _decide(message, mail, now=now)
    except Exception as error:  # recorded for staff, never retried on its own (see the docstring)
        logger.exception("Could not ingest inbound message %s", message.pk)
        message.answer_due = False
        _settle(message, Outcome.HELD, f"Could not be processed: {type(error).__name__}: {error}"[:2000])
    return message


def _record(message: InboundMessage) -> bool:
    """Insert the row of a message unless its Message-ID is recorded already; True when inserted.

    `get_or_create` in one round trip instead of four (select, savepoint, insert, release): INSERT … ON
    CONFLICT DO NOTHING RETURNING id. The unique index decides, also when two ingests of one message race:
    the second waits for the first to commit, then inserts nothing."""
    fields = [field for field in InboundMessage._meta.concrete_fields if not field.primary_key]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    sql = (
        f"INSERT INTO {quote(InboundMessage._meta.db_table)} ({columns}) "  # noqa: S608 (our names)
        f"VALUES ({', '.join(['%s'] * len(fields))}) ON CONFLICT (message_id) DO NOTHING RETURNING id"
    )
    values = [field.get_db_prep_save(field.pre_save(message, add=True), connection) for field in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        inserted = cursor.fetchone()
    if inserted is None:
        return False
    message.pk = inserted[0]
    message._state.adding, message._state.db = False, connection.alias  # as Model.from_db leaves it
    return True


def _decide(message: InboundMessage, mail: ParsedMail, *, now: datetime.datetime, release=False) -> None:
    ignored = _why_ignored(mail)
    if ignored:
        _settle(message, Outcome.IGNORED, ignored)
        return
    if not release and mail.dmarc_failed(authserv_id=settings.MAILIN_AUTHSERV_ID):
        _settle(message, Outcome.HELD, "DMARC failed: the sender's domain does not vouch for this message.")
        return
    sender = User.objects.filter(email__iexact=mail.from_address).select_related("membership").first()
    message.sender = sender
    refusal = _sender_refusal(sender, mail, now=now) or _rate_refusal(message, now=now)
    if refusal is None:
        refusal = _thread_or_file(message, mail, sender, now=now)
    if refusal is not None:
        _refuse(message, refusal, now=now)


def _why_ignored(mail: ParsedMail) -> str:
    support = settings.SUPPORT_EMAIL_ADDRESS.lower()
    if (support and mail.from_address == support) or is_our_message_id(mail.message_id):
        return "Our own mail, come back."
    if mail.bounce:
        return f"A bounce: {mail.bounce}."
    if mail.auto_reply:
        return f"An automatic reply: {mail.auto_reply}."
    if not mail.from_address:
        return "No sender address."
    return ""


def _sender_refusal(sender: User | None, mail: ParsedMail, *, now) -> Refusal | None:
    if sender is None:
        return Refusal(
            "Unknown sender: no contact has this address.",
            "We could not match your address to a customer contact, so we did not open a case. If your "
            "company has a support contract, ask its portal admin to invite you; meanwhile the knowledge "
            f"base and status page are open to everyone at {settings.SITE_URL}/.",
        )
    if sender.is_vendor_staff:
        return Refusal("Sent by vendor staff: staff work on cases in the app, not by mail in.")
    membership = getattr(sender, "membership", None)
    if not sender.is_active or membership is None or not membership.is_active:
        return Refusal(
            "Deactivated contact.",
            "Your access to your company's support account has been deactivated, so we did not open a "
            "case. Ask a portal admin of your company to reactivate you.",
        )
    return None


def _rate_refusal(message: InboundMessage, *, now) -> Refusal | None:
    recent = (
        InboundMessage.objects.filter(
            from_address=message.from_address, received_at__gt=now - RATE_WINDOW, received_at__lte=now
        )
        .exclude(pk=message.pk)
        .count()
    )
    if recent >= settings.MAILIN_RATE_LIMIT_PER_HOUR:
        return Refusal(
            f"Rate limited: more than {settings.MAILIN_RATE_LIMIT_PER_HOUR} messages from this address "
            "in an hour."
        )
    return None


def _thread_or_file(message: InboundMessage, mail: ParsedMail, sender: User, *, now) -> Refusal | None:
    scope = scope_for(sender)
    case = _threaded_case(mail, scope)
    if case is not None and case.status != Status.CLOSED:
        return _reply(message, mail, sender, case, now=now)
    return _file(message, mail, sender, scope, continues=case, now=now)


def _threaded_case(mail: ParsedMail, scope: Scope) -> Case | None:
    """The case this message answers, if the sender may see it: by the number in the subject, else by the
    References. A case merged into another leads to the one it was merged into. A case the sender may not
    see is as good as none (the message becomes a case of the sender's own: nothing leaks, nothing changes
    there)."""
    visible = scope.cases()
    case = None
    if mail.case_number:
        case = visible.filter(number=mail.case_number).first()
    if case is None:
        case_id = case_id_from_message_ids([*mail.references, *mail.in_reply_to])
        case = visible.filter(pk=case_id).first() if case_id else None
    seen = set()
    while case is not None and case.merged_into_id is not None and case.pk not in seen:
        seen.add(case.pk)
        target = visible.filter(pk=case.merged_into_id).first()
        if target is None:
            break
        case = target
    return case


def _reply(message: InboundMessage, mail: ParsedMail, sender: User, case: Case, *, now) -> Refusal | None:
    files, left_out = _files(mail)
    body = _with_note(mail.reply_text() or ("(Files sent by email.)" if files else NO_TEXT), left_out)
    try:
        with case_action(actor=sender, case=case, action=CaseAction.REPLY) as locked:
            ticket_reply(case=locked, author=sender, body=body[:REPLY_MAX_LENGTH], attachments=files, now=now)
    except CaseActionRefused as refused:
        return Refusal(f"Not added to {case.number}: {refused.message}")
    _settle(message, Outcome.REPLY, "", case=case)
    return None


def _file(
    message: InboundMessage, mail: ParsedMail, sender: User, scope: Scope, *, continues: Case | None, now
) -> Refusal | None:
    eligibility = filing_eligibility(user=sender)
    if not eligibility.can_file:
        return Refusal(
            f"May not file cases: {eligibility.reason}", f"{eligibility.reason} {eligibility.advice}".strip()
        )
    organization, refusal = _organization(scope, mail)
    if refusal is not None:
        return refusal
    files, left_out = _files(mail)
    description = _with_note(mail.text or NO_TEXT, left_out)
    if len(description) > DESCRIPTION_MAX_LENGTH:
        note = "\n\n(Cut here: the whole message is in its raw source on the case.)"
        description = description[: DESCRIPTION_MAX_LENGTH - len(note)] + note
    requested = mail.requested_severity() or 3
    try:
        case = ticket_create(
            requester=sender,
            organization=organization,
            category=Category.objects.filter(slug=EMAIL_CATEGORY).first(),
            subject=_subject(mail),
            description=description,
            requested_severity=requested,
            best_time_from=EMAIL_CALL_WINDOW[0],
            best_time_to=EMAIL_CALL_WINDOW[1],
            contact_time_zone=sender.time_zone,
            continues=continues,
            cc=_cc(mail, sender, organization),
            attachments=files,
            channel=Channel.EMAIL,
            received_at=now,
        )
    except ValidationError as error:
        return Refusal(f"Could not file the case: {'; '.join(error.messages)}")
    _settle(message, Outcome.FOLLOW_UP if continues else Outcome.CASE, "", case=case)
    return None


def _subject(mail: ParsedMail) -> str:
    subject = mail.subject.strip()
    if not subject:
        first_line = next((line.strip() for line in mail.text.splitlines() if line.strip()), "")
        subject = first_line[:80] or f"Email from {mail.from_address}"
    return subject[:200]


def _organization(scope: Scope, mail: ParsedMail) -> tuple[Organization | None, Refusal | None]:
    """Which organization a new case is for (docs/decisions.md, "Email channel"): the one named by the
    `+tag` of the support address it was sent to (support+contoso-dental@…), else the sender's only
    organization, else an answer asking which."""
    organizations = list(scope.organizations().order_by("name"))
    by_tag = {slugify(organization.name): organization for organization in organizations}
    for tag in _plus_tags(mail):
        if tag in by_tag:
            return by_tag[tag], None
    if len(organizations) == 1:
        return organizations[0], None
    if not organizations:
        return None, Refusal("The sender acts for no organization.", "You act for no organization yet.")
    local, _, domain = settings.SUPPORT_EMAIL_ADDRESS.partition("@")
    addresses = "\n".join(f"- {org.name}: {local}+{slugify(org.name)}@{domain}" for org in organizations)
    return None, Refusal(
        "Sender acts for several organizations and the address named none.",
        "You act for several organizations, and we could not tell which one this is about. Please send it "
        f"again to the address of the organization:\n\n{addresses}",
    )


def _plus_tags(mail: ParsedMail) -> list[str]:
    local, _, domain = settings.SUPPORT_EMAIL_ADDRESS.lower().partition("@")
    tags = []
    for address in [*mail.to, *mail.cc]:
        name, _, host = address.partition("@")
        if host == domain and name.startswith(f"{local}+"):
            tags.append(name[len(local) + 1 :])
    return tags


def _cc(mail: ParsedMail, sender: User, organization: Organization) -> list[User]:
    """The copied addresses that are contacts acting for the case's organization; anyone else is left out
    (a foreign address learns nothing and joins nothing)."""
    # Our own address is no contact: leaving it out spares the query for the usual message, sent to the
    # support address alone.
    addresses = {
        address for address in [*mail.cc, *mail.to] if address != sender.email and not _is_ours(address)
    }
    if not addresses:
        return []
    return list(contacts_acting_for(organization=organization).filter(email__in=addresses))


def _is_ours(address: str) -> bool:
    """The support address, or one of its +tags (support+contoso-dental@…)."""
    local, _, domain = settings.SUPPORT_EMAIL_ADDRESS.lower().partition("@")
    name, _, host = address.partition("@")
    return host == domain and (name == local or name.startswith(f"{local}+"))


def _files(mail: ParsedMail) -> tuple[list[SimpleUploadedFile], list[str]]:
    """The attachments the portal would take, and a line for each it would not (too big, empty, a type we
    do not accept): the message keeps its other files and says what was left out."""
    taken, left_out = [], []
    for file in mail.files:
        uploaded = SimpleUploadedFile(file.name, file.content, content_type=file.content_type)
        try:
            attachment_check(uploaded=uploaded)
        except ValidationError as error:
            size = filesizeformat(len(file.content)).replace("\xa0", " ")
            left_out.append(f"- {file.name} ({size}): {' '.join(error.messages)}")
            continue
        taken.append(uploaded)
    return taken, left_out


def _with_note(text: str, left_out: list[str]) -> str:
    if not left_out:
        return text
    return f"{text}\n\nNot attached (send these another way or as a link):\n" + "\n".join(left_out)


def _settle(message: InboundMessage, outcome: str, reason: str, *, case: Case | None = None) -> None:
    message.outcome, message.reason, message.case = outcome, reason, case
    message.save(update_fields=["outcome", "reason", "case", "sender", "answer_due"])


def _refuse(message: InboundMessage, refusal: Refusal, *, now) -> None:
    """Refused; answered when the refusal has an answer and this address got none in the last day."""
    message.answer_due = bool(refusal.answer) and not (
        InboundMessage.objects.filter(
            from_address=message.from_address, answer_due=True, received_at__gt=now - ANSWER_EVERY
        )
        .exclude(pk=message.pk)
        .exists()
    )
    _settle(message, Outcome.REFUSED, refusal.reason + (f"\n\n{refusal.answer}" if refusal.answer else ""))
    if message.answer_due:
        from mailin.tasks import send_answer

        message_pk = message.pk
        transaction.on_commit(lambda: send_answer.delay(message_id=message_pk), robust=True)


def mail_answer_send(*, message_id: int, now: datetime.datetime | None = None) -> bool:
    """Send the polite answer to a refused message, once: the row is claimed (answered_at set) before the
    send, so a task run twice sends nothing the second time. Returns whether it sent."""
    now = now or timezone.now()
    claimed = InboundMessage.objects.filter(pk=message_id, answer_due=True, answered_at__isnull=True).update(
        answered_at=now
    )
    if not claimed:
        return False
    message = InboundMessage.objects.get(pk=message_id)
    answer = message.reason.partition("\n\n")[2]
    mail = email_message(
        template=REFUSED_TEMPLATE,
        to=[message.from_address],
        context={"subject": message.subject, "answer": answer},
        headers={
            # An answer to a robot's mail would start a loop: say this is one (RFC 3834).
            "Auto-Submitted": "auto-replied",
            "In-Reply-To": f"<{message.message_id}>",
            "References": f"<{message.message_id}>",
        },
    )
    mail.send()
    return True


def mail_answers_due() -> list[int]:
    """Refusal answers whose nudge was lost (the broker was down): beat's poll sends them."""
    return list(
        InboundMessage.objects.filter(answer_due=True, answered_at__isnull=True).values_list("pk", flat=True)[
            :100
        ]
    )


@transaction.atomic
def mail_release(*, message: InboundMessage, actor: User, now: datetime.datetime | None = None) -> None:
    """Staff release a held message: it is processed again as if its DMARC check had passed (staff vouch
    for it), then becomes a case, a reply or a refusal like any other."""
    now = now or timezone.now()
    message = InboundMessage.objects.select_for_update().get(pk=message.pk)
    if message.outcome != Outcome.HELD:
        raise ValidationError({"message": "Only held mail can be released."})
    message.decided_by, message.decided_at = actor, now
    message.save(update_fields=["decided_by", "decided_at"])
    _decide(message, parse(bytes(message.raw)), now=now, release=True)


@transaction.atomic
def mail_discard(*, message: InboundMessage, actor: User, now: datetime.datetime | None = None) -> None:
    """Staff discard a held message: it stays on record (raw source included) and nothing comes of it."""
    now = now or timezone.now()
    message = InboundMessage.objects.select_for_update().get(pk=message.pk)
    if message.outcome != Outcome.HELD:
        raise ValidationError({"message": "Only held mail can be discarded."})
    message.outcome, message.decided_by, message.decided_at = Outcome.DISCARDED, actor, now
    message.save(update_fields=["outcome", "decided_by", "decided_at"])
