"""What every case write shares: the one check before an action, the audit event, text and file checks."""

import datetime
import mimetypes
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.defaultfilters import filesizeformat

from tenants.models import User
from tickets.actions import case_action_check
from tickets.models import (
    DESCRIPTION_MAX_LENGTH,
    ESCALATION_REASON_MAX_LENGTH,
    REPLY_MAX_LENGTH,
    TROUBLESHOOTING_MAX_LENGTH,
    Attachment,
    Case,
    CaseEvent,
    EventKind,
    Reply,
)
from tickets.notifications import CASE_UPDATE, contacts_to_notify
from tickets.outbox import outbox_queue
from tickets.scope import scope_for

# Logs are text; Python's table does not know the extension on every machine.
mimetypes.add_type("text/plain", ".log")


def _iso(value: datetime.datetime | None) -> str | None:
    return value.isoformat() if value else None


def _event(case: Case, actor: User | None, kind: EventKind, notify: bool = False, **data) -> CaseEvent:
    if not isinstance(kind, EventKind):
        raise ValueError(f"Case events are EventKind members, not {kind!r}.")
    event = CaseEvent.objects.create(case=case, actor=actor, kind=kind, data=data)
    if notify:
        # Rows of this transaction: the emails commit with the event or not at all (tickets/outbox.py).
        outbox_queue(event=event, template=CASE_UPDATE, recipients=contacts_to_notify(event=event))
    return event


def case_for_action(*, actor: User, case_id: int, action: str) -> Case:
    """The one check before a case action: find the case in the actor's scope (Case.DoesNotExist, a 404,
    outside it), lock it, and ask `case_actions` whether this person may do this now (CaseActionRefused).
    Call inside a transaction (or through `case_action`); the write then takes the locked case."""
    scope = scope_for(actor)
    case = scope.cases().select_for_update(of=("self",)).select_related("contract").get(pk=case_id)
    case_action_check(scope, case, action)
    return case


@contextmanager
def case_action(*, actor: User, case: Case, action: str) -> Iterator[Case]:
    """The door every surface uses for a person's case action: the check, then the write, in one transaction.

        with case_action(actor=user, case=case, action=CaseAction.CONFIRM) as locked:
            ticket_confirm(case=locked, actor=user)

    The writes themselves do not check: they take a case already locked and allowed, an `actor` (None for
    the system: the sweeps lock their own rows) and `now`. A refusal or a failed write rolls back both."""
    with transaction.atomic():
        yield case_for_action(actor=actor, case_id=case.pk, action=action)


def case_locked(case_id: int) -> Case:
    """The system's lock on a case (no person, no scope): for background work that already chose the row."""
    return Case.objects.select_for_update(of=("self",)).select_related("contract").get(pk=case_id)


def attachment_check(*, uploaded) -> None:
    """Refuse a file that is too big or of a kind we do not take, naming it."""
    if uploaded.size > settings.ATTACHMENT_MAX_BYTES:
        limit = filesizeformat(settings.ATTACHMENT_MAX_BYTES).replace("\xa0", " ")
        raise ValidationError({"attachments": f"{uploaded.name} is larger than the {limit} limit."})
    if uploaded.size == 0:
        raise ValidationError({"attachments": f"{uploaded.name} is empty."})
    extension = PurePath(uploaded.name).suffix.lower().lstrip(".")
    if extension not in settings.ATTACHMENT_EXTENSIONS:
        allowed = ", ".join(settings.ATTACHMENT_EXTENSIONS)
        raise ValidationError(
            {"attachments": f"{uploaded.name}: we do not accept .{extension or '?'} files ({allowed})."}
        )


def _attach(case: Case, reply: Reply | None, uploader: User, files) -> list[Attachment]:
    made = []
    for uploaded in files:
        attachment_check(uploaded=uploaded)
        name = PurePath(uploaded.name).name[:255]
        attachment = Attachment(
            case=case,
            reply=reply,
            name=name,
            size=uploaded.size,
            content_type=mimetypes.guess_type(name)[0] or "application/octet-stream",
            uploaded_by=uploader,
        )
        attachment.file.save(name, uploaded, save=False)
        attachment.save()
        made.append(attachment)
    return made


# What a refusal calls each text, the most characters it may have, and what to do instead.
TEXT_LIMITS = {
    "subject": ("the subject", Case._meta.get_field("subject").max_length, "the description can say more"),
    "description": ("the description", DESCRIPTION_MAX_LENGTH, "attach long logs as files"),
    "troubleshooting": ("the troubleshooting notes", TROUBLESHOOTING_MAX_LENGTH, "attach long logs as files"),
    "body": ("a message", REPLY_MAX_LENGTH, "attach long logs as files"),
    "reason": ("the reason", ESCALATION_REASON_MAX_LENGTH, "the conversation can say the rest"),
}


def text_length_check(**texts: str) -> None:
    """Refuse a text longer than its field takes, naming the field. Forms and the API refuse it first; this
    holds for every other caller too, and keeps each case page cheap to render."""
    for field, text in texts.items():
        name, limit, advice = TEXT_LIMITS[field]
        if len(text) > limit:
            raise ValidationError(
                {field: f"Keep {name} within {limit:,} characters (it has {len(text):,}); {advice}."}
            )
