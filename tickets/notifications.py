"""Who hears about a change to a case, and what the email says."""

from supportdesk.emails import send_email
from tenants.models import Membership, StaffRole, User
from tickets.models import CaseEvent, Reply, Status


def _contacts_of(case) -> list[User]:
    """The requester and the CCs, as long as they are still active contacts of the account."""
    people = [case.requester, *case.cc.all()]
    active = set(
        Membership.objects.filter(account_id=case.account_id, is_active=True, user__in=people).values_list(
            "user_id", flat=True
        )
    )
    return [person for person in dict.fromkeys(people) if person.pk in active and person.is_active]


def contacts_notify(*, event_id: int) -> int:
    """Email the case's contacts about a staff reply or a status change. Returns the number of emails sent."""
    event = CaseEvent.objects.select_related("case", "actor").get(pk=event_id)
    case = event.case
    reply = None
    if event.kind == "replied":
        reply = Reply.objects.filter(pk=event.data.get("reply_id"), is_internal=False).first()
        if reply is None:
            return 0
    recipients = [person for person in _contacts_of(case) if person.pk != event.actor_id]
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
