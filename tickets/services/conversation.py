"""The conversation on a case: replies and internal notes, who is copied, files."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from tenants.models import User
from tickets.models import (
    Attachment,
    Case,
    EventKind,
    NoticeKind,
    Reply,
    ResponseKind,
    Status,
)
from tickets.services.common import (
    _attach,
    _event,
    _iso,
    attachment_check,
    text_length_check,
)
from tickets.services.filing import _cc_check
from tickets.services.life_cycle import WAITING_KIND, _wait_start, case_transition
from tickets.services.notices import staff_notice_queue
from tickets.signals import reply_posted


@transaction.atomic
def ticket_reply(
    *,
    case: Case,
    author: User,
    body: str,
    internal: bool = False,
    kind: str = "",
    propose_solution: bool = False,
    attachments=(),
    now: datetime.datetime | None = None,
) -> Reply:
    """Add a message to a case.

    Staff: an internal note changes nothing else. A public reply is a response of `kind`; the first one stops
    the first-response clock; a request for information moves the case to waiting_on_customer, a proposed
    solution to solution_proposed, anything else to open.
    Customer: a reply to a case waiting on them reopens it; on a proposed solution it restarts the wait.
    """
    now = now or timezone.now()
    staff = author.is_vendor_staff
    if not body or not body.strip():
        raise ValidationError({"body": "Write a message."})
    text_length_check(body=body)
    if staff and not internal and kind not in ResponseKind.values:
        raise ValidationError({"kind": "Choose what kind of response this is."})
    if internal and propose_solution:
        # The customer never sees a note, so it cannot be the solution they are asked to confirm.
        raise ValidationError(
            {"propose_solution": "An internal note cannot propose a solution: untick one of the two."}
        )
    for uploaded in attachments:
        attachment_check(uploaded=uploaded)

    reply = Reply.objects.create(
        case=case, author=author, body=body, is_internal=internal, kind=kind if staff else "", created_at=now
    )
    _attach(case, reply, author, attachments)
    reply_posted.send(sender=Reply, reply=reply, case=case)
    event = _event(
        case,
        author,
        EventKind.INTERNAL_NOTE if internal else EventKind.REPLIED,
        notify=staff and not internal,
        reply_id=reply.pk,
        response_kind=reply.kind,
    )
    if internal:
        return reply

    if staff:
        if case.customer_replied_at is not None:
            case.customer_replied_at = None  # answered: off the top of the assignee's view
            case.save(update_fields=["customer_replied_at", "updated_at"])
        if case.first_responded_at is None:
            case.first_responded_at = now
            case.save(update_fields=["first_responded_at", "updated_at"])
            _event(
                case,
                author,
                EventKind.FIRST_RESPONSE,
                sla_state=case.sla_state_at(now=now),
                due=_iso(case.first_response_due),
            )
        if propose_solution:
            target = Status.SOLUTION_PROPOSED
        elif kind == ResponseKind.REQUEST_INFO:
            target = Status.WAITING_ON_CUSTOMER
        else:
            target = Status.OPEN
        if target != case.status:
            # The reply's own email tells the new status: no second email.
            case_transition(case=case, to=target, actor=author, now=now, notify=False)
        elif target in WAITING_KIND:
            # Asked again (or proposed again) while already waiting: the wait starts over from this reply.
            case.save(update_fields=[*_wait_start(case, target, now), "updated_at"])
        return reply

    # The customer answered: the case comes back to the top of its assignee's view until support replies.
    case.customer_replied_at = case.customer_replied_at or now
    case.save(update_fields=["customer_replied_at", "updated_at"])
    staff_notice_queue(case=case, event=event, kind=NoticeKind.CUSTOMER_REPLY, actor=author, now=now)
    if case.status == Status.WAITING_ON_CUSTOMER:
        case_transition(case=case, to=Status.OPEN, actor=author, now=now, reply=reply)
    elif case.status == Status.SOLUTION_PROPOSED:
        # Any customer reply resets the wait (domain.md §6).
        case.save(update_fields=[*_wait_start(case, case.status, now), "updated_at"])
    return reply


@transaction.atomic
def ticket_cc_set(*, case: Case, actor: User, users: list[User]) -> Case:
    """Replace the case's CC list with `users`, people who may read the case."""
    users = _cc_check(organization=case.organization, users=users)
    before = sorted(case.cc.values_list("email", flat=True))
    case.cc.set(users)
    _event(case, actor, EventKind.CC_CHANGED, **{"from": before, "to": sorted(user.email for user in users)})
    return case


@transaction.atomic
def ticket_attach(*, case: Case, actor: User, files) -> list[Attachment]:
    """Add files to a case outside a reply."""
    for uploaded in files:
        attachment_check(uploaded=uploaded)
    made = _attach(case, None, actor, files)
    _event(case, actor, EventKind.ATTACHED, names=[attachment.name for attachment in made])
    return made
