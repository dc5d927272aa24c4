"""Who hears about a change to a case, and what the email says.

Who is decided when the change is written (the rows go into tickets.outbox with the change); whether each one
may still read the case, and what the email says, when it is sent.
"""

from tenants.models import StaffRole, User
from tickets.models import CaseEvent, EventKind, OutboundEmail, Reply, Status
from tickets.scope import scope_for

CASE_UPDATE = "case_update"
ESCALATION = "escalation"


def contacts_to_notify(*, event: CaseEvent) -> list[User]:
    """The requester and the CCs of the event's case, except whoever made the change."""
    case = event.case
    people = dict.fromkeys([case.requester, *case.cc.all()])
    return [person for person in people if person.pk != event.actor_id]


def supervisors_to_notify() -> list[User]:
    """Every active supervisor: they hear about escalations."""
    return list(User.objects.filter(staff_role=StaffRole.SUPERVISOR, is_active=True))


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
