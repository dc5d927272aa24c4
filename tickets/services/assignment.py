"""Who works on a case, and the status changes staff make from the queue.

Both writes take the case locked and allowed through the door (`case_action`, CaseAction.ASSIGN,
SET_STATUS or CLOSE) and never check permissions themselves.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from tenants.models import User
from tickets.models import Case, EventKind, Status
from tickets.services.common import _event
from tickets.services.life_cycle import STAFF_CLOSE_REASONS, case_transition, ticket_close

# What staff may set from the queue (closing takes one of STAFF_CLOSE_REASONS; merging has its own action).
STAFF_STATUSES = [Status.OPEN, Status.WAITING_ON_CUSTOMER, Status.CLOSED]


@transaction.atomic
def ticket_assign(
    *, case: Case, actor: User | None, assignee: User | None, now: datetime.datetime | None = None
) -> Case:
    """Give the case to `assignee` (an active engineer or supervisor: User.may_hold_cases), take it
    (assignee = actor) or leave it unassigned (None). Expects the case locked (case_action with
    CaseAction.ASSIGN). Audited as ASSIGNED with from/to (emails); assigning the case to whoever already has
    it is refused, so nothing is logged twice."""
    if assignee is not None and not assignee.may_hold_cases:
        raise ValidationError({"assignee": f"{assignee.display_name} is not an active support engineer."})
    if assignee is None and case.assignee_id is None:
        raise ValidationError({"assignee": "This case is not assigned to anyone."})
    if assignee is not None and case.assignee_id == assignee.pk:
        raise ValidationError({"assignee": f"This case is already assigned to {assignee.display_name}."})
    before = case.assignee.email if case.assignee_id else None
    case.assignee = assignee
    case.save(update_fields=["assignee", "updated_at"])
    _event(
        case,
        actor,
        EventKind.ASSIGNED,
        **{
            "from": before,
            "to": assignee.email if assignee else None,
            "at": (now or timezone.now()).isoformat(),
        },
    )
    return case


@transaction.atomic
def ticket_status_set(
    *, case: Case, actor: User | None, status: str, reason: str = "", now: datetime.datetime | None = None
) -> Case:
    """Staff move a case to open, waiting on customer, or closed with a reason (resolved, duplicate,
    withdrawn). Expects the case locked (case_action with CaseAction.SET_STATUS, or CaseAction.CLOSE for
    closed). The life-cycle table decides which moves exist; the customer is emailed as for any move."""
    if status not in STAFF_STATUSES:
        raise ValidationError({"status": "Choose open, waiting on customer or closed."})
    if status == case.status:
        raise ValidationError({"status": f"This case is already {case.get_status_display().lower()}."})
    if case.status == Status.NEW and status != Status.CLOSED:
        # Only the first public response moves a case on (domain.md §5): by hand, an unanswered case would
        # leave the queue's "new" without an answer, or start the no-response clock without a question.
        raise ValidationError(
            {"status": "This case is new: it opens with its first public reply (an answer, or a question)."}
        )
    if status == Status.CLOSED:
        if reason not in STAFF_CLOSE_REASONS:
            raise ValidationError({"reason": "Say why the case closes: resolved, duplicate or withdrawn."})
        ticket_close(case=case, actor=actor, reason=reason, now=now)
    else:
        case_transition(case=case, to=status, actor=actor, now=now)
    return case
