"""What staff are told (issue 9): an in-app notice and an email for a new Severity 1 or Premium case, a
customer's reply, and "not fixed"; each member of staff chooses which of these they get."""

import datetime

from django.db import transaction
from django.utils import timezone

from tenants.models import User
from tickets.models import Case, CaseEvent, NoticeKind, Severity, StaffNotice, StaffNoticePreference
from tickets.notifications import STAFF_TEMPLATES, case_is_premium, staff_to_notify
from tickets.outbox import outbox_queue


def staff_notice_queue(
    *, case: Case, event: CaseEvent, kind: str, actor: User | None, now: datetime.datetime
) -> list[StaffNotice]:
    """Tell the case's assignee (or the engineers on duty) about `event`: one StaffNotice row and one outbox
    email (templates/emails/staff_*) each, for those whose preferences keep `kind`. Call inside the
    transaction that records the event: the notices commit with the change or not at all."""
    recipients = staff_to_notify(case=case, kind=kind, actor=actor, now=now)
    notices = StaffNotice.objects.bulk_create(
        StaffNotice(recipient=person, case=case, event=event, kind=kind, created_at=now)
        for person in recipients
    )
    outbox_queue(event=event, template=STAFF_TEMPLATES[NoticeKind(kind)], recipients=recipients)
    return notices


def staff_notice_new_case(*, case: Case, event: CaseEvent, now: datetime.datetime) -> list[StaffNotice]:
    """A new case is announced when it is Severity 1 or filed under a Premium contract; others are not."""
    if case.severity != Severity.SEV1 and not case_is_premium(case):
        return []
    return staff_notice_queue(case=case, event=event, kind=NoticeKind.NEW_CASE, actor=event.actor, now=now)


def staff_notice_open(*, user: User, notice_id: int, now: datetime.datetime | None = None) -> StaffNotice:
    """`user` opens one of their notices: it is read from now on. Someone else's notice does not exist for
    them (StaffNotice.DoesNotExist, a 404)."""
    notice = StaffNotice.objects.select_related("case").get(pk=notice_id, recipient=user)
    if notice.read_at is None:
        notice.read_at = now or timezone.now()
        StaffNotice.objects.filter(pk=notice.pk, read_at=None).update(read_at=notice.read_at)
    return notice


def staff_notices_read_all(*, user: User, now: datetime.datetime | None = None) -> int:
    """Mark every unread notice of `user` read. Returns how many."""
    return StaffNotice.objects.filter(recipient=user, read_at=None).update(read_at=now or timezone.now())


@transaction.atomic
def staff_notice_preference_set(*, user: User, kinds: set[str]) -> StaffNoticePreference:
    """Keep only the notice `kinds` for `user` (the rest are neither emailed nor shown)."""
    preference, _ = StaffNoticePreference.objects.select_for_update().get_or_create(user=user)
    for kind in NoticeKind.values:
        setattr(preference, kind, kind in kinds)
    preference.save()
    return preference
