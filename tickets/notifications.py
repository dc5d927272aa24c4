"""Who hears about a change to a case, and what the email says."""

from supportdesk.emails import send_email
from tenants.models import StaffRole, User
from tenants.scope import scope_for
from tickets.models import CaseEvent, Reply, Status


def _readers_of(case) -> list[User]:
    """The requester and the CCs who may read the case now, through the same scope as the portal: a CC who
    lost access since being copied (deactivated, or no longer acting for the organization) gets nothing."""
    people = dict.fromkeys([case.requester, *case.cc.all()])
    return [person for person in people if scope_for(person).cases().filter(pk=case.pk).exists()]


def contacts_notify(*, event_id: int) -> int:
    """Email the case's contacts about a staff reply or a status change. Returns the number of emails sent."""
    event = CaseEvent.objects.select_related("case", "actor").get(pk=event_id)
    case = event.case
    reply = None
    if event.kind == "replied":
        reply = Reply.objects.filter(pk=event.data.get("reply_id"), is_internal=False).first()
        if reply is None:
            return 0
    recipients = [person for person in _readers_of(case) if person.pk != event.actor_id]
    for person in recipients:
        send_email(
            template="case_update",
            to=[person.email],
            context={
                "case": case,
                "reply": reply,
                "event": event,
                "person": person,
                "status_label": Status(case.status).label,
            },
        )
    return len(recipients)


def supervisors_notify(*, event_id: int) -> int:
    """Tell every supervisor that a customer asked to escalate a case."""
    event = CaseEvent.objects.select_related("case", "actor", "case__account").get(pk=event_id)
    supervisors = list(User.objects.filter(staff_role=StaffRole.SUPERVISOR, is_active=True))
    for person in supervisors:
        send_email(template="escalation", to=[person.email], context={"case": event.case, "event": event})
    return len(supervisors)
