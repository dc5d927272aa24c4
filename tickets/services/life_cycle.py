"""The case life cycle (domain.md §5): the table of moves and the customer's and support's decisions."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from sla.services import AutoCloseKind, auto_close_at
from tenants.models import User
from tickets.deadlines import case_deadlines_apply
from tickets.models import (
    SEVERITY_REASON_MAX_LENGTH,
    Case,
    CloseReason,
    EventKind,
    Reply,
    Severity,
    Status,
)
from tickets.notifications import ESCALATION, supervisors_to_notify
from tickets.outbox import outbox_queue
from tickets.services.common import _event, _iso, text_length_check

# The case life cycle (domain.md §5): every allowed move, and nothing else.
TRANSITIONS = {
    Status.NEW: {Status.OPEN, Status.WAITING_ON_CUSTOMER, Status.SOLUTION_PROPOSED, Status.CLOSED},
    Status.OPEN: {Status.WAITING_ON_CUSTOMER, Status.SOLUTION_PROPOSED, Status.CLOSED},
    Status.WAITING_ON_CUSTOMER: {Status.OPEN, Status.SOLUTION_PROPOSED, Status.CLOSED},
    Status.SOLUTION_PROPOSED: {Status.OPEN, Status.WAITING_ON_CUSTOMER, Status.CLOSED},
    Status.CLOSED: set(),
}


WAITING_KIND = {
    Status.WAITING_ON_CUSTOMER: AutoCloseKind.NO_RESPONSE,
    Status.SOLUTION_PROPOSED: AutoCloseKind.UNCONFIRMED,
}


def case_transition(
    *, case: Case, to: str, actor: User | None, reason: str = "", now=None, notify: bool = True
) -> None:
    """Move a case along its life cycle (domain.md §5). Expects the case row locked (case_for_action).

    Refuses a move the table does not allow. Keeps the waiting clock: entering waiting_on_customer or
    solution_proposed sets when the case closes by itself; leaving clears it. Saves, audits, emails.
    """
    if to not in TRANSITIONS[case.status]:
        now_label, to_label = case.get_status_display().lower(), Status(to).label.lower()
        raise ValidationError({"status": f"A case that is {now_label} cannot become {to_label}."})
    now = now or timezone.now()
    before = case.status
    case.status = to
    if to in WAITING_KIND:
        case.waiting_since = now
        case.auto_close_at = _auto_close_for(case, to, now)
    else:
        case.waiting_since = case.auto_close_at = None
    if to == Status.CLOSED:
        case.closed_at, case.close_reason, case.escalated_at = now, reason, None
    case.save(
        update_fields=[
            "status",
            "waiting_since",
            "auto_close_at",
            "closed_at",
            "close_reason",
            "escalated_at",
            "updated_at",
        ]
    )
    _event(
        case, actor, EventKind.STATUS_CHANGED, notify=notify, **{"from": before, "to": to, "reason": reason}
    )


def _auto_close_for(case: Case, status: str, since: datetime.datetime) -> datetime.datetime | None:
    if case.contract_id is None:
        return None
    return auto_close_at(tier=case.contract.tier, kind=WAITING_KIND[status], waiting_since=since)


@transaction.atomic
def ticket_confirm(*, case: Case, actor: User, now: datetime.datetime | None = None) -> Case:
    """The customer confirms the proposed solution: the case closes."""
    case_transition(case=case, to=Status.CLOSED, actor=actor, reason=CloseReason.CONFIRMED, now=now)
    return case


@transaction.atomic
def ticket_not_fixed(
    *, case: Case, actor: User, body: str = "", now: datetime.datetime | None = None
) -> Case:
    """The customer says the proposed solution did not fix it: the case opens again."""
    now = now or timezone.now()
    text_length_check(body=body)
    if body.strip():
        Reply.objects.create(case=case, author=actor, body=body, created_at=now)
    case.customer_replied_at = case.customer_replied_at or now
    case.save(update_fields=["customer_replied_at", "updated_at"])
    case_transition(case=case, to=Status.OPEN, actor=actor, reason="not_fixed", now=now)
    return case


@transaction.atomic
def ticket_close(*, case: Case, actor: User, now: datetime.datetime | None = None) -> Case:
    """The customer closes the case, whatever its state (a closed case is final)."""
    case_transition(case=case, to=Status.CLOSED, actor=actor, reason=CloseReason.CUSTOMER, now=now)
    return case


@transaction.atomic
def ticket_escalate(*, case: Case, actor: User, reason: str, now: datetime.datetime | None = None) -> Case:
    """Ask for an escalation: the case is flagged for the escalation queue and supervisors are told."""
    if not reason.strip():
        raise ValidationError({"reason": "Tell us why this case needs escalating."})
    text_length_check(reason=reason)
    case.escalated_at, case.escalation_reason = now or timezone.now(), reason.strip()
    case.save(update_fields=["escalated_at", "escalation_reason", "updated_at"])
    event = _event(case, actor, EventKind.ESCALATED, reason=reason.strip())
    outbox_queue(event=event, template=ESCALATION, recipients=supervisors_to_notify())
    return case


@transaction.atomic
def ticket_validate_severity(
    *, case: Case, actor: User, severity: int, reason: str, now: datetime.datetime | None = None
) -> Case:
    """Support validates the requested severity (domain.md §3): the SLA target follows the validated
    severity, still measured from the moment the case was received. Needs a reason; audited."""
    if severity not in Severity.values:
        raise ValidationError({"severity": "Severity must be 1, 2 or 3."})
    if not reason.strip():
        raise ValidationError({"reason": "Say why the severity changes."})
    if len(reason) > SEVERITY_REASON_MAX_LENGTH:
        raise ValidationError({"reason": f"Keep the reason within {SEVERITY_REASON_MAX_LENGTH} characters."})
    before = case.severity
    case.severity = severity
    if case.first_responded_at is None:
        case_deadlines_apply(case=case)
    case.save(update_fields=["severity", "first_response_due", "first_response_at_risk_at", "updated_at"])
    _event(
        case,
        actor,
        EventKind.SEVERITY_VALIDATED,
        **{
            "from": before,
            "to": severity,
            "reason": reason.strip(),
            "first_response_due": _iso(case.first_response_due),
        },
    )
    return case
