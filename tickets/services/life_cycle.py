"""The case life cycle (domain.md §5): the table of moves and the customer's and support's decisions."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from sla.services import AutoCloseKind, auto_close_at, auto_close_reminder_at
from tenants.models import Product, User, Version
from tickets.deadlines import case_deadlines_apply
from tickets.models import (
    ESCALATION_REASON_MAX_LENGTH,
    SEVERITY_REASON_MAX_LENGTH,
    Case,
    CaseEvent,
    CloseReason,
    EventKind,
    NoticeKind,
    Reply,
    Severity,
    Status,
)
from tickets.notifications import (
    ESCALATION,
    SEVERITY_CHANGED,
    contacts_to_notify,
    supervisors_to_notify,
)
from tickets.outbox import outbox_queue
from tickets.services.common import _event, _iso, text_length_check
from tickets.services.notices import staff_notice_queue

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
    *,
    case: Case,
    to: str,
    actor: User | None,
    reason: str = "",
    now=None,
    notify: bool = True,
    reply: Reply | None = None,
) -> CaseEvent:
    """Move a case along its life cycle (domain.md §5). Expects the case row locked (case_for_action).

    Refuses a move the table does not allow. Keeps the waiting clock: entering waiting_on_customer or
    solution_proposed sets when the case closes by itself and when its contact is reminded; leaving clears
    them. Saves, audits, emails. Returns the STATUS_CHANGED event. `reply` is the customer's message that
    caused the move: the email quotes it.
    """
    if to not in TRANSITIONS[case.status]:
        now_label, to_label = case.get_status_display().lower(), Status(to).label.lower()
        raise ValidationError({"status": f"A case that is {now_label} cannot become {to_label}."})
    now = now or timezone.now()
    before = case.status
    case.status = to
    if to in WAITING_KIND:
        _wait_start(case, to, now)
    else:
        case.waiting_since = case.auto_close_at = case.auto_close_remind_at = None
    if to == Status.CLOSED:
        # Nothing waits on support any more: a reopened case starts without an old "customer replied".
        case.closed_at, case.close_reason, case.escalated_at = now, reason, None
        case.customer_replied_at = None
    case.save(
        update_fields=[
            "status",
            "customer_replied_at",
            "waiting_since",
            "auto_close_at",
            "auto_close_remind_at",
            "closed_at",
            "close_reason",
            "escalated_at",
            "updated_at",
        ]
    )
    data = {"from": before, "to": to, "reason": reason}
    if reply is not None:
        data["reply_id"] = reply.pk
    return _event(case, actor, EventKind.STATUS_CHANGED, notify=notify, **data)


def _auto_close_for(case: Case, status: str, since: datetime.datetime) -> datetime.datetime | None:
    if case.contract_id is None:
        return None
    return auto_close_at(tier=case.contract.tier, kind=WAITING_KIND[status], waiting_since=since)


WAIT_FIELDS = ["waiting_since", "auto_close_at", "auto_close_remind_at"]


def _wait_start(case: Case, status: str, since: datetime.datetime) -> list[str]:
    """Start the wait on the customer, or start it again (a customer reply resets it, domain.md §6): since
    when, when the case closes by itself, when its contact is reminded. Does not save: returns the fields
    to save. The sweeps (tickets/sweeps.py) act on the new instants; the old ones' stamps no longer match."""
    case.waiting_since = since
    case.auto_close_at = _auto_close_for(case, status, since)
    case.auto_close_remind_at = (
        auto_close_reminder_at(tier=case.contract.tier, closes_at=case.auto_close_at)
        if case.auto_close_at
        else None
    )
    return WAIT_FIELDS


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
    reply = None
    if body.strip():
        reply = Reply.objects.create(case=case, author=actor, body=body, created_at=now)
    case.customer_replied_at = case.customer_replied_at or now
    case.save(update_fields=["customer_replied_at", "updated_at"])
    case_transition(case=case, to=Status.OPEN, actor=actor, reason="not_fixed", now=now, reply=reply)
    # The event the move just wrote (the case is locked: nobody else wrote one since).
    event = case.events.filter(kind=EventKind.STATUS_CHANGED).latest("created_at", "pk")
    staff_notice_queue(case=case, event=event, kind=NoticeKind.NOT_FIXED, actor=actor, now=now)
    return case


# What support may give as the reason when it closes a case itself (the customer's close is CUSTOMER).
STAFF_CLOSE_REASONS = [CloseReason.RESOLVED, CloseReason.DUPLICATE, CloseReason.WITHDRAWN]


@transaction.atomic
def ticket_close(
    *,
    case: Case,
    actor: User,
    reason: str = CloseReason.CUSTOMER,
    now: datetime.datetime | None = None,
) -> Case:
    """Close the case, whatever its state (a closed case is final until support reopens it): the customer
    (reason CUSTOMER), or support with one of STAFF_CLOSE_REASONS. The customer is told."""
    if reason != CloseReason.CUSTOMER and reason not in STAFF_CLOSE_REASONS:
        choices = ", ".join(str(choice) for choice in STAFF_CLOSE_REASONS)
        raise ValidationError({"reason": f"Give one of these reasons: {choices}."})
    case_transition(case=case, to=Status.CLOSED, actor=actor, reason=reason, now=now)
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
    severity, still measured from the moment the case was received. Needs a reason; audited. The contacts
    are told the new severity and the reason (when it changes)."""
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
    event = _event(
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
    if severity != before:
        recipients = contacts_to_notify(event=event, template=SEVERITY_CHANGED)
        outbox_queue(event=event, template=SEVERITY_CHANGED, recipients=recipients)
    return case


@transaction.atomic
def ticket_reopen(*, case: Case, actor: User, reason: str, now: datetime.datetime | None = None) -> Case:
    """Support reopens a closed case (one auto-closed or closed by mistake): it becomes open again.

    Expects the case locked. Nothing is deleted: the close stays in the audit trail (the REOPENED event keeps
    how and when it closed). The first-response clock of a case already answered stays answered; a case closed
    unanswered is waiting for its first response again, against its original deadline. The customer is told.
    """
    if case.status != Status.CLOSED:
        raise ValidationError({"status": "Only a closed case can be reopened."})
    if not reason.strip():
        raise ValidationError({"reason": "Say why the case is reopened."})
    text_length_check(reason=reason)
    before = {
        "closed_at": _iso(case.closed_at),
        "close_reason": case.close_reason,
        "merged_into": case.merged_into.number if case.merged_into_id else None,
    }
    case.status = Status.OPEN
    case.closed_at, case.close_reason, case.merged_into = None, "", None
    for field in WAIT_FIELDS:
        setattr(case, field, None)
    case.save(
        update_fields=["status", "closed_at", "close_reason", "merged_into", *WAIT_FIELDS, "updated_at"]
    )
    _event(
        case,
        actor,
        EventKind.REOPENED,
        notify=True,
        **{"from": Status.CLOSED, "to": Status.OPEN, "reason": reason.strip(), **before},
    )
    return case


@transaction.atomic
def ticket_clear_escalation(
    *, case: Case, actor: User, note: str, now: datetime.datetime | None = None
) -> Case:
    """A supervisor clears the escalation: the case leaves the escalation queue. The note is for the customer:
    it is kept on the ESCALATION_CLEARED event, shown on the customer's case page and emailed to them."""
    if case.escalated_at is None:
        raise ValidationError({"status": "This case is not escalated."})
    if not note.strip():
        raise ValidationError({"note": "Tell the customer what was done about the escalation."})
    if len(note) > ESCALATION_REASON_MAX_LENGTH:
        raise ValidationError({"note": f"Keep the note within {ESCALATION_REASON_MAX_LENGTH:,} characters."})
    escalated_at = case.escalated_at
    case.escalated_at = None
    case.save(update_fields=["escalated_at", "updated_at"])
    _event(
        case,
        actor,
        EventKind.ESCALATION_CLEARED,
        notify=True,
        note=note.strip(),
        escalated_at=_iso(escalated_at),
        escalation_reason=case.escalation_reason,
    )
    return case


@transaction.atomic
def ticket_set_product(
    *,
    case: Case,
    actor: User,
    product: Product | None,
    version: Version | None,
    now: datetime.datetime | None = None,
) -> Case:
    """Support sets what the case is about: a product and maybe one of its versions (None clears them).
    The version must belong to the product; the end-of-support flag is recomputed for the day the case was
    received, as at filing."""
    if version is not None and product is None:
        product = version.product
    if version is not None and version.product_id != product.pk:
        raise ValidationError({"version": f"{version} is not a version of {product}."})
    before = {"product": str(case.product) if case.product_id else None, "version": _version_name(case)}
    case.product, case.version = product, version
    case.version_past_end_of_support = bool(version and not version.is_supported_on(case.received_at.date()))
    case.save(update_fields=["product", "version", "version_past_end_of_support", "updated_at"])
    after = {"product": str(product) if product else None, "version": _version_name(case)}
    _event(
        case,
        actor,
        EventKind.PRODUCT_CHANGED,
        **{"from": before, "to": after, "past_end_of_support": case.version_past_end_of_support},
    )
    return case


def _version_name(case: Case) -> str | None:
    return case.version.name if case.version_id else None


@transaction.atomic
def ticket_link_continuation(
    *, case: Case, actor: User, continues: Case | None, now: datetime.datetime | None = None
) -> Case:
    """Support names the closed case this one continues (domain.md §5), or clears it with None: a closed case
    of the same organization (the tenant whose people read both), not the case itself."""
    if continues is not None:
        if continues.pk == case.pk:
            raise ValidationError({"continues": "A case cannot continue itself."})
        if continues.organization_id != case.organization_id:
            raise ValidationError({"continues": "Choose a case of the same organization."})
        if continues.status != Status.CLOSED:
            raise ValidationError(
                {"continues": f"{continues.number} is not closed: only a closed case is continued."}
            )
    before = case.continues.number if case.continues_id else None
    case.continues = continues
    case.save(update_fields=["continues", "updated_at"])
    _event(
        case,
        actor,
        EventKind.LINKED,
        **{"from": before, "to": continues.number if continues else None},
    )
    return case
