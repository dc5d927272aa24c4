"""Reads for the case page: the case with what the page shows of it, its thread, the audit trail, the
customer's context, merged threads.

Every read starts from the reader's scope, as in tickets.selectors. The page is read on every visit by every
engineer, so each read here is one query where it can be (bench/bench_queue.py times the page)."""

import datetime
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db.models import Prefetch
from django.utils import timezone

from tickets.models import Attachment, Case, CaseEvent, EventKind, Reply, Status
from tickets.scope import Scope

OTHER_OPEN_CASES_SHOWN = 10
# What the customer's page shows of the audit trail: why support changed what the customer asked for.
CUSTOMER_EVENT_KINDS = [EventKind.SEVERITY_VALIDATED, EventKind.ESCALATION_CLEARED, EventKind.REOPENED]


def case_for_page(*, scope: Scope, number: str, now: datetime.datetime | None = None) -> Case:
    """One case by its number, or Case.DoesNotExist (a 404) outside the reader's scope, with what the case
    page shows of it: its organization, account, requester, category, contract and tier, product, version
    and assignee, and its `sla_state` at `now` (Case.sla_state_at: the rule lists write in SQL).

    Two queries of five tables each: PostgreSQL takes about 2 ms to plan one query joining all ten, and
    under 0.5 ms to plan each half. Rarer links (TAM, continues, merged into, split from) load when shown."""
    case = scope.cases().select_related("organization", "account", "requester", "category").get(number=number)
    case.sla_state = case.sla_state_at(now)
    rest = (
        Case.objects.filter(pk=case.pk)
        .select_related("contract__tier", "product", "version", "assignee")
        .only("contract", "product", "version", "assignee")
        .get()
    )
    case.contract, case.product, case.version, case.assignee = (
        rest.contract,
        rest.product,
        rest.version,
        rest.assignee,
    )
    return case


@dataclass(frozen=True)
class CaseThread:
    files: list[Attachment]  # filed with the case
    replies: list[Reply]  # oldest first, each with `files`, its attachments


def case_thread(*, scope: Scope, case: Case) -> CaseThread:
    """The case's description files and the messages the reader may read (customers never see internal
    notes, nor their files), in two queries: the replies, then every file of the case at once."""
    replies = Reply.objects.filter(case=case).select_related("author")
    if not scope.is_vendor_staff:
        replies = replies.filter(is_internal=False)
    replies = list(replies)
    by_reply: dict[int | None, list[Attachment]] = {reply.pk: [] for reply in replies}
    by_reply[None] = []
    for file in Attachment.objects.filter(case=case).order_by("pk"):
        if file.reply_id in by_reply:  # leaves out the files of notes a customer does not see
            by_reply[file.reply_id].append(file)
    for reply in replies:
        reply.files = by_reply[reply.pk]
    return CaseThread(
        files=sorted(by_reply[None], key=lambda file: (file.created_at, file.pk)), replies=replies
    )


@dataclass(frozen=True)
class AuditLine:
    id: int
    created_at: datetime.datetime
    actor: str  # a name, or "SupportDesk" for the system
    what: str  # the kind's label
    change: str  # "from → to", or ""
    why: str  # the reason or note, or ""


def _show(value) -> str:
    if value is None or value == "" or value == []:
        return "none"
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    if isinstance(value, dict):
        return " ".join(str(item) for item in value.values() if item) or "none"
    if isinstance(value, str):
        for choices in (Status,):
            if value in choices.values:
                return choices(value).label
    return str(value)


def _line(event: CaseEvent) -> AuditLine:
    data = event.data or {}
    change = ""
    if "from" in data or "to" in data:
        before, after = data.get("from"), data.get("to")
        if event.kind == EventKind.SEVERITY_VALIDATED:
            before, after = f"Severity {before}", f"Severity {after}"
        change = f"{_show(before)} → {_show(after)}"
    elif event.kind == EventKind.SPLIT:
        change = "→ " + _show(data.get("cases"))
    elif event.kind == EventKind.SPLIT_FROM:
        change = f"from {data.get('split_from')}"
    elif event.kind == EventKind.MERGED:
        change = f"→ {data.get('into')}"
    elif event.kind == EventKind.MERGED_IN:
        change = f"{data.get('duplicate')} →"
    elif event.kind in (EventKind.REPLIED, EventKind.INTERNAL_NOTE) and data.get("response_kind"):
        change = data["response_kind"].replace("_", " ")
    why = data.get("reason") or data.get("note") or ""
    return AuditLine(
        id=event.pk,
        created_at=event.created_at,
        actor=event.actor.display_name if event.actor_id else "SupportDesk",
        what=event.get_kind_display(),
        change=change,
        why=why if isinstance(why, str) else "",
    )


@dataclass(frozen=True)
class CaseHistory:
    last_event: int  # the id of the latest event, 0 for none: what the page's forms carry (concurrency)
    trail: list[AuditLine]  # what the reader sees of the audit trail, oldest first
    has_duplicates: bool  # a case was merged into this one (its MERGED_IN event)
    has_split_cases: bool  # cases were split from this one (its SPLIT event)


def case_history(*, scope: Scope, case: Case) -> CaseHistory:
    """The case's events, read once: the audit trail as lines people read (staff see every event,
    customers only why support changed the severity, cleared an escalation or reopened the case), the id
    of the latest, and whether cases were merged into or split from it, so that the page reads those only
    when there are some. Every merge and split writes its event (tickets.services.restructure)."""
    events = list(CaseEvent.objects.filter(case=case).select_related("actor").order_by("created_at", "pk"))
    kinds = {event.kind for event in events}
    if not scope.is_vendor_staff:
        events_shown = [event for event in events if event.kind in CUSTOMER_EVENT_KINDS]
    else:
        events_shown = events
    return CaseHistory(
        last_event=max((event.pk for event in events), default=0),
        trail=[_line(event) for event in events_shown],
        has_duplicates=EventKind.MERGED_IN in kinds,
        has_split_cases=EventKind.SPLIT in kinds,
    )


@dataclass(frozen=True)
class MergedThread:
    case: Case
    replies: list[Reply]
    files: list[Attachment]


def case_merged_threads(*, scope: Scope, case: Case) -> list[MergedThread]:
    """The duplicates merged into this case, each with its thread and files, read through the duplicate:
    only those the reader may read (customers never see internal notes)."""
    duplicates = list(scope.cases().filter(merged_into=case).select_related("requester").order_by("pk"))
    if not duplicates:
        return []
    replies = Reply.objects.filter(case__in=duplicates).select_related("author").order_by("created_at", "pk")
    files = Attachment.objects.filter(case__in=duplicates).order_by("pk")
    if not scope.is_vendor_staff:
        replies = replies.filter(is_internal=False)
        files = files.exclude(reply__is_internal=True)
    replies = list(
        replies.prefetch_related(Prefetch("attachments", queryset=Attachment.objects.order_by("pk")))
    )
    files = list(files.filter(reply__isnull=True))
    return [
        MergedThread(
            case=duplicate,
            replies=[reply for reply in replies if reply.case_id == duplicate.pk],
            files=[file for file in files if file.case_id == duplicate.pk],
        )
        for duplicate in duplicates
    ]


@dataclass(frozen=True)
class CustomerContext:
    other_open_cases: list[Case]
    more_open_cases: bool
    call_from: datetime.datetime | None  # today's best time to call, as instants (shown in the reader's zone)
    call_to: datetime.datetime | None


def case_customer_context(
    *, scope: Scope, case: Case, now: datetime.datetime | None = None
) -> CustomerContext:
    """What an engineer wants to know about the customer beside the case (the account, tier, contract and
    TAM come with the case): the organization's other open cases, and when to call them today."""
    others = list(
        scope.cases()
        .filter(organization_id=case.organization_id)
        .exclude(status=Status.CLOSED)
        .exclude(pk=case.pk)
        .only("number", "subject", "severity", "status", "received_at")
        .order_by("-received_at", "-pk")[: OTHER_OPEN_CASES_SHOWN + 1]
    )
    call_from = call_to = None
    try:
        zone = ZoneInfo(case.contact_time_zone)
    except (ValueError, KeyError):
        zone = None
    if zone is not None and case.best_time_from and case.best_time_to:
        today = (now or timezone.now()).astimezone(zone).date()
        call_from = datetime.datetime.combine(today, case.best_time_from, tzinfo=zone)
        call_to = datetime.datetime.combine(today, case.best_time_to, tzinfo=zone)
        if call_to <= call_from:  # a window across midnight ends the next day
            call_to += datetime.timedelta(days=1)
    return CustomerContext(
        other_open_cases=others[:OTHER_OPEN_CASES_SHOWN],
        more_open_cases=len(others) > OTHER_OPEN_CASES_SHOWN,
        call_from=call_from,
        call_to=call_to,
    )


def escalation_queue(*, scope: Scope) -> list[Case]:
    """Escalated cases that are not closed, the longest-waiting escalation first (supervisors' queue)."""
    return list(
        scope.cases()
        .filter(escalated_at__isnull=False)
        .exclude(status=Status.CLOSED)
        .select_related("organization", "account", "assignee")
        .order_by("escalated_at", "pk")
    )
