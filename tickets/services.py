"""Writes about cases. Each one checks, then does, then leaves an audit event; email goes after commit."""

import datetime
import mimetypes
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone

from sla.services import AutoCloseKind, auto_close_at
from tenants.models import Organization, Product, User, Version
from tenants.selectors import contacts_acting_for, filing_eligibility
from tenants.time_zones import time_zone_is_known
from tickets.actions import CaseAction, case_action_check
from tickets.deadlines import case_deadlines_apply
from tickets.models import (
    DESCRIPTION_MAX_LENGTH,
    ESCALATION_REASON_MAX_LENGTH,
    REPLY_MAX_LENGTH,
    SEVERITY_REASON_MAX_LENGTH,
    TROUBLESHOOTING_MAX_LENGTH,
    Attachment,
    Case,
    CaseEvent,
    CaseNumberSequence,
    Category,
    Channel,
    CloseReason,
    EventKind,
    Reply,
    ResponseKind,
    Severity,
    Status,
)
from tickets.notifications import CASE_UPDATE, ESCALATION, contacts_to_notify, supervisors_to_notify
from tickets.outbox import outbox_queue
from tickets.scope import scope_for

# Logs are text; Python's table does not know the extension on every machine.
mimetypes.add_type("text/plain", ".log")

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


def case_number_next(*, year: int) -> str:
    """The next human-readable case number, e.g. SD-2026-00042. Call inside a transaction: the year's
    sequence row stays locked until it commits, so concurrent filings never share a number."""
    CaseNumberSequence.objects.bulk_create([CaseNumberSequence(year=year)], ignore_conflicts=True)
    sequence = CaseNumberSequence.objects.select_for_update().get(year=year)
    sequence.last_value += 1
    sequence.save(update_fields=["last_value"])
    return f"SD-{year}-{sequence.last_value:05d}"


def case_for_update(*, actor: User, case_id: int) -> Case:
    """Lock a case the actor may see. Raises Case.DoesNotExist (a 404) for anything outside the scope."""
    return scope_for(actor).cases().select_for_update(of=("self",)).select_related("contract").get(pk=case_id)


def case_for_action(*, actor: User, case_id: int, action: str) -> Case:
    """The one check before a case action: find the case in the actor's scope (Case.DoesNotExist, a 404,
    outside it), lock it, and ask `case_actions` whether this person may do this now (CaseActionRefused).
    Call inside the write's transaction; the write then takes the locked case."""
    case = case_for_update(actor=actor, case_id=case_id)
    case_action_check(scope_for(actor), case, action)
    return case


def case_transition(
    *, case: Case, to: str, actor: User | None, reason: str = "", now=None, notify: bool = True
) -> None:
    """Move a case along its life cycle (domain.md §5). Expects the case row locked (case_for_update).

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


def _cc_check(*, organization: Organization, users) -> list[User]:
    """Only people who may read the case can be copied on it: active contacts acting for its organization."""
    users = list(users)
    readers = set(
        contacts_acting_for(organization=organization)
        .filter(pk__in=[user.pk for user in users])
        .values_list("pk", flat=True)
    )
    outsiders = [user for user in users if user.pk not in readers]
    if outsiders:
        names = ", ".join(user.display_name for user in outsiders)
        raise ValidationError(
            {"cc": f"{names} cannot read cases of {organization.name}: copy only people who act for it."}
        )
    return users


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


def contact_window_check(*, best_time_from, best_time_to, contact_time_zone) -> None:
    if best_time_from is None or best_time_to is None:
        raise ValidationError({"best_time_to_contact": "Give the window in which we should call you."})
    if best_time_from == best_time_to:
        raise ValidationError({"best_time_to_contact": "The window must not start and end at the same time."})
    if not time_zone_is_known(contact_time_zone):
        raise ValidationError({"best_time_to_contact": f"Unknown time zone {contact_time_zone!r}."})


@transaction.atomic
def ticket_create(
    *,
    requester: User,
    organization: Organization,
    category: Category | None,
    subject: str,
    description: str,
    requested_severity: int,
    best_time_from: datetime.time | None = None,
    best_time_to: datetime.time | None = None,
    contact_time_zone: str = "",
    product: Product | None = None,
    version: Version | None = None,
    device_id: str = "",
    operating_system: str = "",
    os_version: str = "",
    contact_phone: str = "",
    troubleshooting: str = "",
    continues: Case | None = None,
    cc: list[User] = (),
    attachments=(),
    channel: str = Channel.PORTAL,
    received_at: datetime.datetime | None = None,
) -> Case:
    """File a case for `organization` on behalf of `requester`, a contact who may act for it.

    Checks: eligibility (domain.md §1), the organization in the requester's scope, a category still offered,
    the severity, the contact window, product and version covered by the contract, CCs who may read the
    case, the continued case visible to the requester, every attachment. Nothing is created unless all pass.
    Then: number, first-response deadline from the tier and severity (email forces severity 3), audit.
    """
    eligibility = filing_eligibility(user=requester)
    if not eligibility.can_file:
        raise ValidationError(f"{eligibility.reason} {eligibility.advice}".strip())
    scope = scope_for(requester)
    if not scope.organizations().filter(pk=organization.pk).exists():
        raise ValidationError({"organization": "Choose one of the organizations you act for."})
    if requested_severity not in Severity.values:
        raise ValidationError({"requested_severity": "Severity must be 1, 2 or 3."})
    if category is None:
        raise ValidationError({"category": "Choose a category."})
    if not category.is_active:
        raise ValidationError(
            {"category": f"“{category.label}” is no longer offered: choose another category."}
        )
    for field, value in [("subject", subject), ("description", description)]:
        if not value or not value.strip():
            raise ValidationError({field: "This field is required."})
    text_length_check(subject=subject, description=description, troubleshooting=troubleshooting)
    contact_window_check(
        best_time_from=best_time_from, best_time_to=best_time_to, contact_time_zone=contact_time_zone
    )
    if version is not None and product is None:
        product = version.product
    if version is not None and version.product_id != product.pk:
        raise ValidationError({"version": f"{version} is not a version of {product}."})
    if product is not None and not eligibility.contract.products.filter(pk=product.pk).exists():
        raise ValidationError({"product": f"{product} is not covered by your contract."})
    if continues is not None and not scope.cases().filter(pk=continues.pk).exists():
        raise ValidationError({"continues": "Choose one of your own cases."})
    cc = _cc_check(organization=organization, users=cc)
    for uploaded in attachments:
        attachment_check(uploaded=uploaded)

    received_at = received_at or timezone.now()
    case = Case(
        number=case_number_next(year=received_at.year),
        account_id=organization.account_id,
        organization=organization,
        contract=eligibility.contract,
        requester=requester,
        category=category,
        subject=subject.strip(),
        description=description,
        best_time_from=best_time_from,
        best_time_to=best_time_to,
        contact_time_zone=contact_time_zone,
        product=product,
        version=version,
        version_past_end_of_support=bool(version and not version.is_supported_on(received_at.date())),
        device_id=device_id,
        operating_system=operating_system,
        os_version=os_version,
        contact_phone=contact_phone,
        troubleshooting=troubleshooting,
        continues=continues,
        channel=channel,
        status=Status.NEW,
        requested_severity=requested_severity,
        severity=Severity.SEV3 if channel == Channel.EMAIL else requested_severity,
        received_at=received_at,
    )
    case_deadlines_apply(case=case)
    case.save()
    case.cc.set(cc)
    _attach(case, None, requester, attachments)
    _event(
        case,
        requester,
        EventKind.CREATED,
        channel=channel,
        requested_severity=requested_severity,
        severity=case.severity,
        first_response_due=_iso(case.first_response_due),
    )
    return case


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
    action = CaseAction.NOTE if internal else CaseAction.REPLY
    case = case_for_action(actor=author, case_id=case.pk, action=action)
    staff = author.is_vendor_staff
    if not body or not body.strip():
        raise ValidationError({"body": "Write a message."})
    text_length_check(body=body)
    if staff and not internal and kind not in ResponseKind.values:
        raise ValidationError({"kind": "Choose what kind of response this is."})
    for uploaded in attachments:
        attachment_check(uploaded=uploaded)

    reply = Reply.objects.create(
        case=case, author=author, body=body, is_internal=internal, kind=kind if staff else "", created_at=now
    )
    _attach(case, reply, author, attachments)
    _event(
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
        if target != case.status or target in WAITING_KIND:
            # The reply's own email tells the new status: no second email.
            case_transition(case=case, to=target, actor=author, now=now, notify=False)
    elif case.status == Status.WAITING_ON_CUSTOMER:
        case_transition(case=case, to=Status.OPEN, actor=author, now=now)
    elif case.status == Status.SOLUTION_PROPOSED:
        # Any customer reply resets the wait (domain.md §6).
        case.waiting_since, case.auto_close_at = now, _auto_close_for(case, case.status, now)
        case.save(update_fields=["waiting_since", "auto_close_at", "updated_at"])
    return reply


@transaction.atomic
def ticket_confirm(*, case: Case, actor: User, now: datetime.datetime | None = None) -> Case:
    """The customer confirms the proposed solution: the case closes."""
    case = case_for_action(actor=actor, case_id=case.pk, action=CaseAction.CONFIRM)
    case_transition(case=case, to=Status.CLOSED, actor=actor, reason=CloseReason.CONFIRMED, now=now)
    return case


@transaction.atomic
def ticket_not_fixed(
    *, case: Case, actor: User, body: str = "", now: datetime.datetime | None = None
) -> Case:
    """The customer says the proposed solution did not fix it: the case opens again."""
    now = now or timezone.now()
    case = case_for_action(actor=actor, case_id=case.pk, action=CaseAction.NOT_FIXED)
    text_length_check(body=body)
    if body.strip():
        Reply.objects.create(case=case, author=actor, body=body, created_at=now)
    case_transition(case=case, to=Status.OPEN, actor=actor, reason="not_fixed", now=now)
    return case


@transaction.atomic
def ticket_close(*, case: Case, actor: User, now: datetime.datetime | None = None) -> Case:
    """The customer closes the case, whatever its state (a closed case is final)."""
    case = case_for_action(actor=actor, case_id=case.pk, action=CaseAction.CLOSE)
    case_transition(case=case, to=Status.CLOSED, actor=actor, reason=CloseReason.CUSTOMER, now=now)
    return case


@transaction.atomic
def ticket_escalate(*, case: Case, actor: User, reason: str, now: datetime.datetime | None = None) -> Case:
    """Ask for an escalation: the case is flagged for the escalation queue and supervisors are told."""
    case = case_for_action(actor=actor, case_id=case.pk, action=CaseAction.ESCALATE)
    if not reason.strip():
        raise ValidationError({"reason": "Tell us why this case needs escalating."})
    text_length_check(reason=reason)
    case.escalated_at, case.escalation_reason = now or timezone.now(), reason.strip()
    case.save(update_fields=["escalated_at", "escalation_reason", "updated_at"])
    event = _event(case, actor, EventKind.ESCALATED, reason=reason.strip())
    outbox_queue(event=event, template=ESCALATION, recipients=supervisors_to_notify())
    return case


@transaction.atomic
def ticket_cc_set(*, case: Case, actor: User, users: list[User]) -> Case:
    """Replace the case's CC list with `users`, people who may read the case."""
    case = case_for_action(actor=actor, case_id=case.pk, action=CaseAction.SET_CC)
    users = _cc_check(organization=case.organization, users=users)
    before = sorted(case.cc.values_list("email", flat=True))
    case.cc.set(users)
    _event(case, actor, EventKind.CC_CHANGED, **{"from": before, "to": sorted(user.email for user in users)})
    return case


@transaction.atomic
def ticket_attach(*, case: Case, actor: User, files) -> list[Attachment]:
    """Add files to a case outside a reply."""
    case = case_for_action(actor=actor, case_id=case.pk, action=CaseAction.ATTACH)
    for uploaded in files:
        attachment_check(uploaded=uploaded)
    made = _attach(case, None, actor, files)
    _event(case, actor, EventKind.ATTACHED, names=[attachment.name for attachment in made])
    return made


@transaction.atomic
def ticket_validate_severity(
    *, case: Case, actor: User, severity: int, reason: str, now: datetime.datetime | None = None
) -> Case:
    """Support validates the requested severity (domain.md §3): the SLA target follows the validated
    severity, still measured from the moment the case was received. Needs a reason; audited."""
    case = case_for_action(actor=actor, case_id=case.pk, action=CaseAction.VALIDATE_SEVERITY)
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
