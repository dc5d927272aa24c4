"""Who hears about a change to a case, and what the email says.

Who is decided when the change is written (the rows go into tickets.outbox with the change); whether each one
may still read the case, and what the email says, when it is sent.
"""

import datetime
from zoneinfo import ZoneInfo

from tenants.models import StaffRole, User
from tenants.time_zones import time_zone_is_known
from tickets.models import (
    Case,
    CaseEvent,
    EventKind,
    NoticeKind,
    OutboundEmail,
    Reply,
    StaffNoticePreference,
    Status,
)
from tickets.scope import scope_for

CASE_UPDATE = "case_update"
ESCALATION = "escalation"
# The contact is told the number of a case staff filed on its behalf (by phone or chat).
CASE_LOGGED = "case_logged"
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


def contacts_to_notify(*, event: CaseEvent) -> list[User]:
    """The requester and the CCs of the event's case, except whoever made the change."""
    case = event.case
    people = dict.fromkeys([case.requester, *case.cc.all()])
    return [person for person in people if person.pk != event.actor_id]


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


def staff_to_notify(*, case: Case, kind: str, actor: User | None, now: datetime.datetime) -> list[User]:
    """Who hears about `kind` on `case`: its assignee, or with none (or one no longer active) the engineers on
    duty; then only those whose preferences keep this kind (no preference row: every kind), never `actor`."""
    assignee = case.assignee
    if assignee is not None and assignee.is_active and assignee.is_vendor_staff:
        people = [assignee]
    else:
        people = engineers_on_duty(now=now)
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
        return {"case": case, "event": event}
    if email.template == CASE_LOGGED:
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
    if event.kind == EventKind.REPLIED:
        reply = Reply.objects.filter(pk=event.data.get("reply_id"), is_internal=False).first()
    return {
        "case": case,
        "reply": reply,
        "event": event,
        "person": email.recipient,
        "status_label": Status(case.status).label,
    }
