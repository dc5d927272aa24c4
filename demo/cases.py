"""Demo cases for `manage.py seed_demo`: several cases in every organization of every paying account, in
every state, with replies, notes and attachments, spread over the last four weeks.

The cases are data (demo/cases.toml), each told through the real services (ticket_create, ticket_reply,
ticket_confirm, ticket_close, ticket_escalate) up to an explicit `now`, so numbers, deadlines, life-cycle
moves, audit events and emails are what the product makes.
Runs after demo.people.demo_seed(); does nothing once the demo accounts have cases.
"""

import datetime
import tomllib
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from tenants.models import Organization, Product, User, Version
from tickets.actions import CaseAction
from tickets.models import Attachment, Case, CaseEvent, Category, ResponseKind
from tickets.services import (
    case_action,
    ticket_close,
    ticket_confirm,
    ticket_create,
    ticket_escalate,
    ticket_reply,
)

PAYING_ACCOUNTS = ["Acme", "Northwind MSP", "Enterprise Corp"]

# What a step does. A staff "reply" needs a kind; a customer's has none.
REPLY, NOTE, PROPOSE, CONFIRM, CLOSE, ESCALATE = "reply", "note", "propose", "confirm", "close", "escalate"

LogFiles = tuple[tuple[str, tuple[str, ...]], ...]  # (file name, log lines)


@dataclass(frozen=True)
class Step:
    who: str  # an email address
    do: str
    body: str = ""
    kind: str = ""
    after: float | None = None  # hours after the case was received ...
    ago: float | None = None  # ... or hours before now (for a wait that must still be running)
    files: LogFiles = ()


@dataclass(frozen=True)
class Story:
    organization: str
    requester: str  # an email address
    days_ago: float
    severity: int
    category: str  # a category's slug
    subject: str
    description: str
    at: str | None = None  # filed at this local time of the requester on a weekday; None: exactly days_ago
    product: str = ""
    version: str = ""
    operating_system: str = ""
    os_version: str = ""
    device_id: str = ""
    troubleshooting: str = ""
    cc: tuple[str, ...] = ()
    files: LogFiles = ()
    steps: tuple[Step, ...] = ()


def _log_files(entries) -> LogFiles:
    return tuple((entry["name"], tuple(entry["lines"])) for entry in entries)


def stories_load(path: Path) -> list[Story]:
    """The stories of a cases file (demo/cases.toml), people named by their email address. An unknown field,
    person or reply kind is an error here, an unknown action or category when it is played (and nothing is
    filed)."""
    data = tomllib.loads(path.read_text())
    people = data["people"]
    stories = []
    for case in data["case"]:
        steps = tuple(
            Step(
                **{
                    **step,
                    "who": people[step["who"]],
                    "kind": ResponseKind(step["kind"]) if step.get("kind") else "",
                    "files": _log_files(step.get("files", ())),
                }
            )
            for step in case.get("steps", ())
        )
        story = {
            **case,
            "requester": people[case["requester"]],
            "cc": tuple(people[name] for name in case.get("cc", ())),
            "files": _log_files(case.get("files", ())),
            "steps": steps,
        }
        stories.append(Story(**story))
    return stories


STORIES = stories_load(Path(__file__).with_name("cases.toml"))


def _received(story: Story, now: datetime.datetime, time_zone: str) -> datetime.datetime:
    """When the case came in: days_ago before now, moved back to the story's time of day on a weekday."""
    moment = now - datetime.timedelta(days=story.days_ago)
    if story.at is None:
        return moment
    zone = ZoneInfo(time_zone)
    hour, minute = (int(part) for part in story.at.split(":"))
    day = moment.astimezone(zone).date()
    while True:
        candidate = datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=zone)
        if candidate <= moment and candidate.weekday() < 5:
            return candidate
        day -= datetime.timedelta(days=1)


def _log_file(name: str, lines: tuple[str, ...], when: datetime.datetime) -> SimpleUploadedFile:
    start = when.astimezone(datetime.UTC) - datetime.timedelta(seconds=len(lines))
    stamped = [
        f"{start + datetime.timedelta(seconds=i):%Y-%m-%dT%H:%M:%S}Z {line}" for i, line in enumerate(lines)
    ]
    return SimpleUploadedFile(name, ("\n".join(stamped) + "\n").encode(), content_type="text/plain")


def _backdate(case: Case, when: datetime.datetime, *, events_after: int, attachments_after: int) -> None:
    """The services stamp events and attachments with the clock: in the story they happened at `when`."""
    CaseEvent.objects.filter(case=case, pk__gt=events_after).update(created_at=when)
    Attachment.objects.filter(case=case, pk__gt=attachments_after).update(created_at=when)


def _last_pk(model, case: Case) -> int:
    return model.objects.filter(case=case).order_by("-pk").values_list("pk", flat=True).first() or 0


STEP_ACTIONS = {
    REPLY: CaseAction.REPLY,
    NOTE: CaseAction.NOTE,
    PROPOSE: CaseAction.REPLY,
    CONFIRM: CaseAction.CONFIRM,
    CLOSE: CaseAction.CLOSE,
    ESCALATE: CaseAction.ESCALATE,
}


def _play(case: Case, step: Step, people: dict[str, User], when: datetime.datetime) -> None:
    actor = people[step.who]
    files = [_log_file(name, lines, when) for name, lines in step.files]
    events_after, attachments_after = _last_pk(CaseEvent, case), _last_pk(Attachment, case)
    if step.do not in STEP_ACTIONS:
        raise ValueError(f"Unknown demo step {step.do!r}")
    # Through the same door as the pages and the API: the story's people are checked like anyone else.
    with case_action(actor=actor, case=case, action=STEP_ACTIONS[step.do]) as locked:
        if step.do in (REPLY, NOTE, PROPOSE):
            ticket_reply(
                case=locked,
                author=actor,
                body=step.body,
                internal=step.do == NOTE,
                kind=step.kind,
                propose_solution=step.do == PROPOSE,
                attachments=files,
                now=when,
            )
        elif step.do == CONFIRM:
            ticket_confirm(case=locked, actor=actor, now=when)
        elif step.do == CLOSE:
            ticket_close(case=locked, actor=actor, now=when)
        elif step.do == ESCALATE:
            ticket_escalate(case=locked, actor=actor, reason=step.body, now=when)
    _backdate(case, when, events_after=events_after, attachments_after=attachments_after)


@transaction.atomic
def demo_cases_seed(*, now: datetime.datetime | None = None) -> int:
    """File the demo cases and play their stories up to `now` (default: the clock). Returns how many cases
    it filed: none when the paying demo accounts already have cases. Expects demo_seed() to have run.

    Stories that end waiting on the customer entered that wait in the last few days, so auto-close
    (domain.md §6) does not close them as soon as the demo starts.
    """
    now = now or timezone.now()
    if Case.objects.filter(account__name__in=PAYING_ACCOUNTS).exists():
        return 0
    emails = {email for story in STORIES for email in (story.requester, *story.cc)}
    emails |= {step.who for story in STORIES for step in story.steps}
    people = {user.email: user for user in User.objects.filter(email__in=emails)}
    organizations = {org.name: org for org in Organization.objects.filter(account__name__in=PAYING_ACCOUNTS)}
    versions = {
        (version.product.name, version.name): version for version in Version.objects.select_related("product")
    }
    products = {product.name: product for product in Product.objects.all()}
    categories = {category.slug: category for category in Category.objects.all()}
    unknown = sorted({story.category for story in STORIES} - set(categories))
    if unknown:
        raise ValueError(f"Demo cases name categories that do not exist: {', '.join(unknown)}.")

    # Filed oldest first, so case numbers grow with the time received.
    received = {id(story): _received(story, now, people[story.requester].time_zone) for story in STORIES}
    for story in sorted(STORIES, key=lambda story: received[id(story)]):
        requester, at = people[story.requester], received[id(story)]
        case = ticket_create(
            requester=requester,
            organization=organizations[story.organization],
            category=categories[story.category],
            subject=story.subject,
            description=story.description,
            requested_severity=story.severity,
            best_time_from=datetime.time(8, 0),
            best_time_to=datetime.time(17, 0),
            contact_time_zone=requester.time_zone,
            product=products[story.product] if story.product else None,
            version=versions[(story.product, story.version)] if story.version else None,
            device_id=story.device_id,
            operating_system=story.operating_system,
            os_version=story.os_version,
            troubleshooting=story.troubleshooting,
            cc=[people[email] for email in story.cc],
            attachments=[_log_file(name, lines, at) for name, lines in story.files],
            received_at=at,
        )
        _backdate(case, at, events_after=0, attachments_after=0)
        last = at
        for step in story.steps:
            if step.after is not None:
                when = at + datetime.timedelta(hours=step.after)
            else:
                when = now - datetime.timedelta(hours=step.ago)
            if not last < when <= now:
                raise ValueError(f"Demo case {story.subject!r}: step {step.do} at {when} is out of order.")
            _play(case, step, people, when)
            last = when
        Case.objects.filter(pk=case.pk).update(created_at=at, updated_at=last)
    return len(STORIES)
