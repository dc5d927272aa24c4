"""Who hears about a change to a case, and what the email says.

Who is decided when the change is written (the rows go into tickets.outbox with the change); whether each one
may still read the case, and what the email says, when it is sent.
"""

import datetime
from zoneinfo import ZoneInfo

from tenants.models import CaseEmail, StaffRole, User
from tenants.time_zones import time_zone_is_known
from tickets.models import (
    Case,
    CaseEvent,
    CloseReason,
    EventKind,
    NoticeKind,
    OutboundEmail,
    Reply,
    ResponseKind,
    StaffNoticePreference,
    Status,
)
from tickets.scope import scope_for

CASE_UPDATE = "case_update"
ESCALATION = "escalation"
# The contact is told the number of a case staff filed on its behalf (by phone or chat).
CASE_LOGGED = "case_logged"
# The requester is told the number of the case it filed and when support will answer.
CASE_FILED = "case_filed"
# The contacts are told support changed the case's severity, and why.
SEVERITY_CHANGED = "severity_changed"
# Which of a person's choices (User.case_emails_off) each customer email answers to: case_update by its
# event, the others by their template. An email not named here always goes (CaseEmail says which).
CASE_UPDATE_KINDS = {
    EventKind.REPLIED: CaseEmail.REPLIES,
    EventKind.STATUS_CHANGED: CaseEmail.STATUS,
    EventKind.REOPENED: CaseEmail.STATUS,
    EventKind.ESCALATION_CLEARED: CaseEmail.ESCALATION,
}
TEMPLATE_KINDS = {SEVERITY_CHANGED: CaseEmail.SEVERITY}
# What staff are told, by email (templates/emails/<template>_*) and in the app (StaffNotice).
STAFF_TEMPLATES = {
    NoticeKind.NEW_CASE: "staff_new_case",
    NoticeKind.CUSTOMER_REPLY: "staff_customer_reply",
    NoticeKind.NOT_FIXED: "staff_not_fixed",
}
# The tier whose every new case is announced to staff, as Severity 1 cases of any tier are (domain.md §2).
PREMIUM_TIER = "premium"
# An engineer's working hours, in the engineer's own time zone: Monday to Friday, from..to (local hour).
WORKING_DAYS = range(0, 5)
WORKING_HOURS = (datetime.time(8, 0), datetime.time(18, 0))


def case_email_kind(*, event: CaseEvent, template: str) -> CaseEmail | None:
    """The choice a customer email answers to, or None for one that always goes."""
    if template == CASE_UPDATE:
        return CASE_UPDATE_KINDS.get(event.kind)
    return TEMPLATE_KINDS.get(template)


def contacts_to_notify(*, event: CaseEvent, template: str = CASE_UPDATE) -> list[User]:
    """The requester and the CCs of the event's case, except whoever made the change and those who turned
    this kind of email off in their settings."""
    case = event.case
    kind = case_email_kind(event=event, template=template)
    people = dict.fromkeys([case.requester, *case.cc.all()])
    return [
        person
        for person in people
        if person.pk != event.actor_id and (kind is None or kind not in person.case_emails_off)
    ]


def supervisors_to_notify() -> list[User]:
    """Every active supervisor: they hear about escalations."""
    return list(User.objects.filter(staff_role=StaffRole.SUPERVISOR, is_active=True))


def case_is_premium(case: Case) -> bool:
    """Whether the case was filed under a Premium contract (the tier's slug: tiers are data, this one is named
    by domain.md §2)."""
    return case.contract is not None and case.contract.tier.slug == PREMIUM_TIER


def engineer_is_working(person: User, now: datetime.datetime) -> bool:
    """Monday to Friday, 08:00 to 18:00 in the engineer's own time zone (User.time_zone)."""
    zone = ZoneInfo(person.time_zone if time_zone_is_known(person.time_zone) else "UTC")
    local = now.astimezone(zone)
    return local.weekday() in WORKING_DAYS and WORKING_HOURS[0] <= local.time() < WORKING_HOURS[1]


def engineers_on_duty(*, now: datetime.datetime) -> list[User]:
    """The engineers on duty at `now`: active engineers (staff role engineer) within their working hours in
    their own time zone (`engineer_is_working`). When nobody is (a night, a weekend: Premium is 24 × 7),
    every active engineer, so that a case nobody owns is never announced to nobody."""
    engineers = list(User.objects.filter(staff_role=StaffRole.ENGINEER, is_active=True).order_by("pk"))
    working = [person for person in engineers if engineer_is_working(person, now)]
    return working or engineers


def staff_on_case(
    *, assignee: User | None, now: datetime.datetime, on_duty: list[User] | None = None
) -> list[User]:
    """Who works a case, the one rule for every staff email about it (the notices below, the sweep's at-risk
    warning): its assignee while still active staff; with none, the engineers on duty (`engineers_on_duty`:
    every active engineer when nobody is on duty, so a warning is never lost). `on_duty`, when given, is
    engineers_on_duty(now=now) already read, for a caller deciding for a whole batch of cases."""
    if assignee is not None and assignee.is_active and assignee.is_vendor_staff:
        return [assignee]
    return on_duty if on_duty is not None else engineers_on_duty(now=now)


def staff_to_notify(*, case: Case, kind: str, actor: User | None, now: datetime.datetime) -> list[User]:
    """Who hears about `kind` on `case`: whoever works it (`staff_on_case`), then only those whose
    preferences keep this kind (no preference row: every kind), never `actor`."""
    people = staff_on_case(assignee=case.assignee, now=now)
    people = [person for person in people if actor is None or person.pk != actor.pk]
    declined = set(
        StaffNoticePreference.objects.filter(user__in=people, **{NoticeKind(kind).value: False}).values_list(
            "user_id", flat=True
        )
    )
    return [person for person in people if person.pk not in declined]


def may_receive(email: OutboundEmail) -> bool:
    """Whether the recipient may still read the case, through the same scope as the portal: a CC who lost
    access since being copied (deactivated, or no longer acting for the organization) gets nothing."""
    person = email.recipient
    return person is not None and scope_for(person).cases().filter(pk=email.event.case_id).exists()


def email_context(email: OutboundEmail) -> dict:
    """What the email's templates read, as the case is now."""
    event = email.event
    case = event.case
    if email.template == ESCALATION:
        return {"case": case, "event": event, "person": email.recipient}
    if email.template in (CASE_LOGGED, CASE_FILED, SEVERITY_CHANGED):
        return {"case": case, "event": event, "person": email.recipient}
    if email.template in STAFF_TEMPLATES.values():
        reply = None
        if event.data.get("reply_id"):
            reply = Reply.objects.filter(pk=event.data["reply_id"], is_internal=False).first()
        return {
            "case": case,
            "event": event,
            "person": email.recipient,
            "reply": reply,
            "status_label": Status(case.status).label,
        }
    reply = None
    if event.data.get("reply_id"):
        # The reply itself, or the customer's message that moved the case (tickets.services.life_cycle).
        reply = Reply.objects.filter(pk=event.data["reply_id"], is_internal=False).first()
    headline, message = what_happened(event=event, case=case, reply=reply)
    return {
        "case": case,
        "reply": reply,
        "event": event,
        "person": email.recipient,
        "status_label": Status(case.status).label,
        "headline": headline,
        "message": message,
    }


def _who(person: User | None) -> str:
    if person is None:
        return "Support"
    return f"{person.display_name} from support" if person.is_vendor_staff else person.display_name


# What support's reason for closing reads as, after "closed the case".
CLOSED_AS = {
    CloseReason.RESOLVED: "as resolved",
    CloseReason.DUPLICATE: "as a duplicate",
    CloseReason.WITHDRAWN: "as withdrawn",
}


def what_happened(*, event: CaseEvent, case: Case, reply: Reply | None) -> tuple[str, str]:
    """The sentence a case_update email opens with, and the message that caused the change (Markdown, shown
    under it; "" for none): the reply, the customer's answer that opened the case again, support's reason."""
    who = _who(event.actor)
    data = event.data
    message = reply.body if reply is not None else ""
    if event.kind == EventKind.REPLIED:
        asked = data.get("response_kind") == ResponseKind.REQUEST_INFO
        return f"{who} {'asked for more information' if asked else 'replied'}:", message
    if event.kind == EventKind.REOPENED:
        return f"{who} reopened the case:", data.get("reason", "")
    if event.kind == EventKind.ESCALATION_CLEARED:
        return f"{who} answered your escalation and took the case off the escalation queue:", data.get(
            "note", ""
        )
    reason = data.get("reason", "")
    if data.get("to") == Status.CLOSED:
        if reason == CloseReason.CONFIRMED:
            return f"{who} confirmed that the proposed solution fixed it, so the case is closed.", message
        if reason == CloseReason.MERGED and case.merged_into_id:
            return (
                f"{who} merged this case into {case.merged_into.number}, which covers the same issue: "
                "follow that case from now on.",
                message,
            )
        if reason in CLOSED_AS:
            return f"{who} closed the case {CLOSED_AS[reason]}.", message
        return f"{who} closed the case.", message
    if reason == "not_fixed":
        return f"{who} said the proposed solution did not fix it, so the case is open again:", message
    if data.get("from") == Status.WAITING_ON_CUSTOMER and reply is not None:
        return f"{who} answered the request for information, so the case is open again:", message
    return f"The case is now {Status(case.status).label.lower()}.", message
