"""Reshaping cases (domain.md §5): split a request that reports several issues, merge a duplicate."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from tenants.models import User
from tenants.selectors import contacts_acting_for
from tickets.deadlines import case_deadlines_apply
from tickets.models import Attachment, Case, CloseReason, EventKind, Status
from tickets.services.common import _event, _iso, text_length_check
from tickets.services.filing import case_number_next
from tickets.services.life_cycle import case_transition

# Enough for any request a person writes; a longer list is a mistake.
SPLIT_MAX_CASES = 10


@transaction.atomic
def ticket_split(
    *,
    case: Case,
    actor: User,
    issues: list[dict],
    close_original: bool = False,
    now: datetime.datetime | None = None,
) -> list[Case]:
    """Split a case that reports several issues: one new case per issue ({"subject", "description"}).

    Expects the original locked. Each new case keeps the original's account, organization, requester, CCs,
    contract, category, channel, severities, contact window and product, and its `received_at`: its SLA
    deadline is the original's. Each links back (`split_from`) and gets the files filed with the original
    (new rows, the same stored files). Events: SPLIT on the original naming the new cases, SPLIT_FROM on
    each new one. The original then stays as it is, or closes (reason resolved) when `close_original`.
    """
    now = now or timezone.now()
    if not issues:
        raise ValidationError({"cases": "Give at least one issue to split out."})
    if len(issues) > SPLIT_MAX_CASES:
        raise ValidationError({"cases": f"Split into at most {SPLIT_MAX_CASES} cases at a time."})
    for issue in issues:
        subject, description = issue.get("subject", ""), issue.get("description", "")
        if not subject.strip() or not description.strip():
            raise ValidationError({"cases": "Each new case needs a subject and a description."})
        text_length_check(subject=subject, description=description)

    cc = list(case.cc.all())
    files = list(case.attachments.filter(reply__isnull=True))
    made = []
    for issue in issues:
        new = Case(
            number=case_number_next(year=now.year),
            account_id=case.account_id,
            organization_id=case.organization_id,
            contract_id=case.contract_id,
            requester_id=case.requester_id,
            category_id=case.category_id,
            subject=issue["subject"].strip(),
            description=issue["description"],
            channel=case.channel,
            status=Status.NEW,
            requested_severity=case.requested_severity,
            severity=case.severity,
            best_time_from=case.best_time_from,
            best_time_to=case.best_time_to,
            contact_time_zone=case.contact_time_zone,
            product_id=case.product_id,
            version_id=case.version_id,
            version_past_end_of_support=case.version_past_end_of_support,
            device_id=case.device_id,
            operating_system=case.operating_system,
            os_version=case.os_version,
            contact_phone=case.contact_phone,
            split_from=case,
            # Whoever holds the original holds its parts (unassigned stays unassigned, for the queue).
            assignee_id=case.assignee_id,
            received_at=case.received_at,
            created_at=now,
        )
        new.contract = case.contract
        case_deadlines_apply(case=new)
        new.save()
        new.cc.set(cc)
        Attachment.objects.bulk_create(
            Attachment(
                case=new,
                file=attachment.file.name,
                name=attachment.name,
                size=attachment.size,
                content_type=attachment.content_type,
                uploaded_by_id=attachment.uploaded_by_id,
                created_at=attachment.created_at,
            )
            for attachment in files
        )
        _event(
            new,
            actor,
            EventKind.SPLIT_FROM,
            split_from=case.number,
            assignee=case.assignee.email if case.assignee_id else None,
            received_at=_iso(new.received_at),
            first_response_due=_iso(new.first_response_due),
        )
        made.append(new)
    _event(
        case,
        actor,
        EventKind.SPLIT,
        cases=[new.number for new in made],
        close_original=close_original,
    )
    if close_original:
        case_transition(
            case=case, to=Status.CLOSED, actor=actor, reason=CloseReason.RESOLVED, now=now, notify=True
        )
    return made


@transaction.atomic
def ticket_merge(*, case: Case, actor: User, into: Case, now: datetime.datetime | None = None) -> Case:
    """Merge `case`, a duplicate, into `into`, the case that goes on. Expects the duplicate locked; locks the
    survivor here.

    Only within one organization (a tenant: its people are the only ones who may read both), into a case
    that is not closed. The duplicate closes with reason `merged` and `merged_into` set; its replies and
    files stay on it, and the survivor's page reads them through it (it stays readable to whoever could
    read it). Whoever followed the duplicate (its requester and CC list) is copied on the survivor, so the
    conversation they are told goes on there is one they can read. Cases merged earlier into the duplicate
    now point at the survivor too, so its page shows every thread. Events: MERGED on the duplicate (and on
    each earlier one moved), MERGED_IN on the survivor, CC_CHANGED when its CC list grows. The survivor
    keeps its own SLA deadline.
    """
    now = now or timezone.now()
    if into.pk == case.pk:
        raise ValidationError({"into": "A case cannot be merged into itself."})
    survivor = (
        Case.objects.select_for_update(of=("self",)).filter(pk=into.pk).select_related("organization").first()
    )
    if survivor is None or survivor.organization_id != case.organization_id:
        raise ValidationError({"into": "Merge only into a case of the same organization."})
    if survivor.status == Status.CLOSED:
        raise ValidationError({"into": f"{survivor.number} is closed: merge into a case that is still open."})
    case.merged_into = survivor
    case.save(update_fields=["merged_into", "updated_at"])
    _event(case, actor, EventKind.MERGED, into=survivor.number)
    case_transition(case=case, to=Status.CLOSED, actor=actor, reason=CloseReason.MERGED, now=now, notify=True)
    for earlier in Case.objects.select_for_update().filter(merged_into=case).order_by("pk"):
        earlier.merged_into = survivor
        earlier.save(update_fields=["merged_into", "updated_at"])
        _event(earlier, actor, EventKind.MERGED, into=survivor.number, through=case.number)
    _event(survivor, actor, EventKind.MERGED_IN, duplicate=case.number)
    _followers_copy(duplicate=case, survivor=survivor, actor=actor)
    return survivor


def _followers_copy(*, duplicate: Case, survivor: Case, actor: User) -> None:
    """Copy the duplicate's requester and CC list on the survivor: those who may still read its organization's
    cases (tenants.selectors.contacts_acting_for) and are not on it already."""
    followers = {duplicate.requester_id, *duplicate.cc.values_list("pk", flat=True)}
    already = {survivor.requester_id, *survivor.cc.values_list("pk", flat=True)}
    new = list(
        contacts_acting_for(organization=survivor.organization)
        .filter(pk__in=followers - already)
        .order_by("email")
    )
    if not new:
        return
    before = sorted(survivor.cc.values_list("email", flat=True))
    survivor.cc.add(*new)
    _event(
        survivor,
        actor,
        EventKind.CC_CHANGED,
        **{"from": before, "to": sorted([*before, *(user.email for user in new)]), "reason": "merged"},
    )
