"""The triage queue: which cases staff see, in which order, a page at a time; saved views and their counts.

The page (tickets/queue_views.py) and the API (tickets/queue_api.py, GET /api/v1/queue/) both read the request
through `queue_filters_from` and a page through `queue_page`, so the same parameters give the same cases.

## The order

Open cases fall into bands, urgent first; inside a band an escalated case comes before the others (domain.md
§5: "an escalated case is marked and sorts before others of its urgency"); inside that, by the band's time,
then severity (1 first), then when it was received, then id (so the order is total):

1. breached: no first response yet and `first_response_due` has passed: the oldest deadline first;
2. waiting for a first response, deadline still ahead: the nearest deadline first;
3. waiting for a first response without a deadline (no contract): the oldest first;
4. answered, and the customer replied since (`customer_replied_at`): the longest waiting first;
5. every other answered case: the oldest first.

In the assignee's own view ("My cases", `assignee=me`), a case whose customer replied comes back to the top:
band 4 moves first and takes every case the customer replied on, answered or not.

Closed cases (the Closed tab, `status=closed`) are one band: the most recently closed first.

## Pages by keyset

Each band is a segment with an index of its own (partial indexes on the open cases, tickets.models Case.Meta),
so a page is a UNION ALL of one short index range scan per segment (each `LIMIT page size + 1`), merged and
cut to a page: no OFFSET and no COUNT, page 50 costs what page 1 costs. That query is SQL text
(`_page_keys_sql`): the filters' WHERE as Django compiles it once, and each segment's condition from
`_segments`. The cursor (opaque, base64 JSON) holds the segment and key of the row next to it, and `at`: the
instant that split breached from waiting on the first page, kept for the following pages so that a case
crossing its deadline while someone pages does not jump between pages. A case that arrives or changes only
appears where it sorts; rows already seen never shift. The first page is always computed at the present.

## Time left

"2 h 10 m left" and "breached 25 m ago" are open time of the case's own calendar (the policy of its tier and
validated severity): the policies are read once per page, and the engine's calendars are cached per process
(sla.services.calendar_engine), so each row costs two bisects. "Customer replied 3 h ago" is wall time: the
customer waits in real time.

## Counts

Saved views (built-in and personal) count their open cases live, in one query holding one scalar `COUNT`
subquery per view, so that each view counts through its own index (Unassigned and My cases through
`queue_assignee`, Breaching within 1 hour through a range of `queue_unanswered`, Escalations through
`queue_escalated`, All open as an index-only scan of the open cases); a view over closed cases is not counted.
"""

import base64
import binascii
import datetime
import functools
import json
from dataclasses import dataclass

from django.core.exceptions import EmptyResultSet, ValidationError
from django.db import connection
from django.db.models import Q, QuerySet, Value
from django.db.models.functions import Concat, Reverse, Upper
from django.db.models.lookups import StartsWith
from django.http import QueryDict
from django.utils import timezone
from rest_framework import serializers

from lib.keys import KEY_MAX
from sla.models import Policy
from sla.services import calendar_engine
from tenants.models import Tier, User
from tickets.models import Case, Channel, SavedView, SlaState, Status
from tickets.scope import Scope
from tickets.selectors import with_sla_state

PAGE_SIZE = 50
# Parameters that choose a page, not cases: a saved view and the tabs leave them out.
PAGING_PARAMS = ("cursor", "partial")
CLOSED = "closed"


# --- parameters -> filters ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueFilters:
    status: str = ""  # "" every case not closed; one Status value (closed: the Closed tab)
    severity: int | None = None
    tier_id: int | None = None
    account_id: int | None = None
    organization_id: int | None = None
    product_id: int | None = None
    assignee_id: int | None = None
    unassigned: bool = False
    mine: bool = False  # assignee=me: the customer-replied cases come first
    escalated: bool | None = None
    customer_replied: bool | None = None
    channel: str = ""
    sla_state: str = ""
    breaching_within: int | None = None  # minutes
    search: str = ""
    cursor: str = ""


class AssigneeField(serializers.CharField):
    default_error_messages = {"choice": "Give me, none, or the id of a member of staff."}

    def to_internal_value(self, data):
        value = super().to_internal_value(data).strip().lower()
        if value in ("me", "none", ""):
            return value
        if not (value.isascii() and value.isdigit() and len(value) <= 20) or not 1 <= int(value) <= KEY_MAX:
            self.fail("choice")
        return int(value)


YES_NO = [("yes", "Yes"), ("no", "No")]


class QueueQuerySerializer(serializers.Serializer):
    """The queue's parameters, the same on the page and GET /api/v1/queue/ (`queue_filters_from`)."""

    status = serializers.ChoiceField(
        choices=Status.choices,
        required=False,
        allow_blank=True,
        help_text="Empty: every case not closed. closed: the closed cases, most recently closed first.",
    )
    severity = serializers.IntegerField(required=False, min_value=1, max_value=3)
    tier = serializers.SlugRelatedField(
        slug_field="slug", queryset=Tier.objects.all(), required=False, help_text="A tier's slug."
    )
    account = serializers.IntegerField(required=False, min_value=1, max_value=KEY_MAX)
    organization = serializers.IntegerField(required=False, min_value=1, max_value=KEY_MAX)
    product = serializers.IntegerField(required=False, min_value=1, max_value=KEY_MAX)
    assignee = AssigneeField(
        required=False, allow_blank=True, help_text="me, none (unassigned), or a user id."
    )
    escalated = serializers.ChoiceField(choices=YES_NO, required=False, allow_blank=True)
    customer_replied = serializers.ChoiceField(choices=YES_NO, required=False, allow_blank=True)
    channel = serializers.ChoiceField(choices=Channel.choices, required=False, allow_blank=True)
    sla_state = serializers.ChoiceField(
        choices=SlaState.choices, required=False, allow_blank=True, help_text="The SLA state now."
    )
    breaching_within = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=7 * 24 * 60,
        help_text="Minutes: cases whose first response falls due within this time from now.",
    )
    search = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=200,
        help_text="A case number (or its tail), words of the subject, the requester's name or email.",
    )
    cursor = serializers.CharField(
        required=False, allow_blank=True, max_length=1000, help_text="From a `next` or `previous` link."
    )


def queue_filters_from(params, *, user: User) -> tuple[QueueFilters, dict[str, list[str]]]:
    """The one translation of queue parameters into QueueFilters, for the page, the API and saved views.

    Returns the filters and the errors by parameter name; a wrong parameter is left out of the filters (the
    page lists by the others and says so; the API answers 400 naming it)."""
    if not isinstance(params, QueryDict):
        params = QueryDict(params) if isinstance(params, str) else params
    query = QueueQuerySerializer(data=params)
    errors = {} if query.is_valid() else {name: [str(e) for e in errs] for name, errs in query.errors.items()}
    if errors:
        rest = params.copy()
        for name in errors:
            rest.pop(name, None)
        query = QueueQuerySerializer(data=rest)
        query.is_valid(raise_exception=True)
    data = query.validated_data
    assignee = data.get("assignee", "")
    escalated, replied = data.get("escalated", ""), data.get("customer_replied", "")
    filters = QueueFilters(
        status=data.get("status", ""),
        severity=data.get("severity"),
        tier_id=data["tier"].pk if data.get("tier") else None,
        account_id=data.get("account"),
        organization_id=data.get("organization"),
        product_id=data.get("product"),
        assignee_id=user.pk if assignee == "me" else (assignee if isinstance(assignee, int) else None),
        unassigned=assignee == "none",
        mine=assignee == "me",
        escalated=None if not escalated else escalated == "yes",
        customer_replied=None if not replied else replied == "yes",
        channel=data.get("channel", ""),
        sla_state=data.get("sla_state", ""),
        breaching_within=data.get("breaching_within"),
        search=data.get("search", "").strip(),
        cursor=data.get("cursor", ""),
    )
    return filters, errors


def queue_query_string(params) -> str:
    """The filters of a request as a query string, without the paging parameters: what a saved view keeps."""
    query = params.copy() if isinstance(params, QueryDict) else QueryDict(params, mutable=True)
    for name in PAGING_PARAMS:
        query.pop(name, None)
    for name in [name for name, values in query.lists() if not any(values)]:
        query.pop(name)  # an empty filter is no filter
    return query.urlencode()


def _condition(filters: QueueFilters, *, now: datetime.datetime) -> Q:
    """The filters as one condition (over the `sla_state` annotation of with_sla_state)."""
    q = Q()
    if filters.status == CLOSED:
        q &= Q(status=CLOSED)
    else:
        q &= ~Q(status=CLOSED)  # also said for one open status: the queue's partial indexes need it
        if filters.status:
            q &= Q(status=filters.status)
    for name, value in [
        ("severity", filters.severity),
        ("contract__tier_id", filters.tier_id),
        ("account_id", filters.account_id),
        ("organization_id", filters.organization_id),
        ("product_id", filters.product_id),
        ("assignee_id", filters.assignee_id),
        ("channel", filters.channel),
    ]:
        if value:
            q &= Q(**{name: value})
    if filters.unassigned:
        q &= Q(assignee__isnull=True)
    if filters.escalated is not None:
        q &= Q(escalated_at__isnull=not filters.escalated)
    if filters.customer_replied is not None:
        q &= Q(customer_replied_at__isnull=not filters.customer_replied)
    if filters.sla_state:
        # What each state implies, said in columns too, so that the bands' indexes are used (the annotation
        # still decides).
        if filters.sla_state == SlaState.BREACHED:
            q &= Q(first_responded_at__isnull=True, first_response_due__lte=now)
        elif filters.sla_state in (SlaState.AT_RISK, SlaState.ON_TRACK):
            q &= Q(first_responded_at__isnull=True, first_response_due__gt=now)
        q &= Q(sla_state=filters.sla_state)
    if filters.breaching_within:
        q &= Q(
            first_responded_at__isnull=True,
            first_response_due__gt=now,
            first_response_due__lte=now + datetime.timedelta(minutes=filters.breaching_within),
        )
    if filters.search:
        text = filters.search
        q &= numbers_matching(text) | Q(subject__icontains=text) | _requester_condition(text)
    return q


def numbers_matching(text: str) -> Q:
    """Cases whose number is `text` or ends with it, any case. Written as "the reversed number starts with
    the reversed text", which tickets 0014's index on REVERSE(UPPER(number)) reads as one short range (the
    trigram index of tickets 0002 reads every number sharing "SD-2026-"). Ends-with also covers equal. For
    ASCII only, where Python's upper() is PostgreSQL's UPPER(); other text keeps the plain lookups (a case
    number is ASCII: it cannot match there anyway)."""
    if not text.isascii():
        return Q(number__iexact=text) | Q(number__iendswith=text)
    return Q(StartsWith(Reverse(Upper("number")), text.upper()[::-1]))


# At most this many people matching a search go to the cases' query as a list of ids.
REQUESTER_IDS_MAX = 500


def _requester_condition(text: str) -> Q:
    """Cases whose requester matches `text`. When few people match (the rare term an engineer searches
    for), their ids go as a list, so that PostgreSQL can OR the requester index with the subject's trigram
    index (tickets 0002) and the number's (0014) instead of filtering every case of the range with a
    subquery; a common term keeps the subquery (its matches come early in the order anyway)."""
    people = requesters_matching(text)
    ids = list(people.values_list("pk", flat=True)[: REQUESTER_IDS_MAX + 1])
    return Q(requester__in=ids if len(ids) <= REQUESTER_IDS_MAX else people)


def requesters_matching(text: str) -> QuerySet[User]:
    """The people whose email or full name holds `text` (any case), as a subquery of their ids. On
    PostgreSQL, tickets 0013's trigram indexes are on exactly these two expressions: change them together."""
    return (
        User.objects.annotate(full_name=Concat("first_name", Value(" "), "last_name"))
        .filter(Q(email__icontains=text) | Q(full_name__icontains=text))
        .values("pk")
    )


def queue_cases(*, scope: Scope, filters: QueueFilters, now: datetime.datetime) -> QuerySet[Case]:
    """The cases the filters choose, unordered; with the `sla_state` annotation (at `now`) only when a filter
    reads it: choosing and counting need no more, and a row reads it through `with_sla_state`."""
    cases = with_sla_state(scope.cases(), now=now) if filters.sla_state else scope.cases()
    return cases.filter(_condition(filters, now=now))


# --- the order, in segments ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Segment:
    condition: str  # SQL over tickets_case
    params: tuple  # the condition's: the instant that splits breached from waiting, for the first two bands
    time: str  # the column that orders the segment, before severity, received_at and id


OPEN_KEYS = ("t", "severity", "received_at", "id")
CLOSED_KEYS = ("t", "id")

_UNANSWERED = '"tickets_case"."first_responded_at" IS NULL'
_ANSWERED = '"tickets_case"."first_responded_at" IS NOT NULL'
_REPLIED = '"tickets_case"."customer_replied_at" IS NOT NULL'
_NOT_REPLIED = '"tickets_case"."customer_replied_at" IS NULL'
_ESCALATED = ('"tickets_case"."escalated_at" IS NOT NULL', '"tickets_case"."escalated_at" IS NULL')


def _segments(filters: QueueFilters, at: datetime.datetime) -> list[Segment]:
    """The order's segments (module docstring), each an escalated half then the rest, as SQL text: written
    once per page with the filters' WHERE (`_page_keys_sql`) rather than ten ORM querysets."""
    if filters.status == CLOSED:
        return [Segment("TRUE", (), "closed_at")]
    bands = [
        (f'{_UNANSWERED} AND "tickets_case"."first_response_due" <= %s', (at,), "first_response_due"),
        (f'{_UNANSWERED} AND "tickets_case"."first_response_due" > %s', (at,), "first_response_due"),
        (f'{_UNANSWERED} AND "tickets_case"."first_response_due" IS NULL', (), "received_at"),
    ]
    if filters.mine:
        bands = [(_REPLIED, (), "customer_replied_at")] + [
            (f"{band} AND {_NOT_REPLIED}", params, time) for band, params, time in bands
        ]
        bands.append((f"{_ANSWERED} AND {_NOT_REPLIED}", (), "received_at"))
    else:
        bands += [
            (f"{_ANSWERED} AND {_REPLIED}", (), "customer_replied_at"),
            (f"{_ANSWERED} AND {_NOT_REPLIED}", (), "received_at"),
        ]
    return [
        Segment(f"{band} AND {part}", params, time) for band, params, time in bands for part in _ESCALATED
    ]


# --- cursors ------------------------------------------------------------------------------------------------


class BadCursor(ValueError):
    pass


@dataclass(frozen=True)
class Cursor:
    at: datetime.datetime
    order: str  # "open", "mine" or "closed": a cursor of one order means nothing in another
    direction: str  # "after" (next page) or "before" (previous page)
    segment: int
    key: tuple

    def encode(self) -> str:
        key = [value.isoformat() if isinstance(value, datetime.datetime) else value for value in self.key]
        data = {"at": self.at.isoformat(), "o": self.order, "d": self.direction, "s": self.segment, "k": key}
        return base64.urlsafe_b64encode(json.dumps(data, separators=(",", ":")).encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, text: str, *, order: str) -> "Cursor":
        try:
            data = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
            at = _instant(data["at"])
            keys = OPEN_KEYS if order != "closed" else CLOSED_KEYS
            raw = data["k"]
            if data["o"] != order or data["d"] not in ("after", "before") or len(raw) != len(keys):
                raise BadCursor
            key = []
            for name, value in zip(keys, raw, strict=True):
                if name in ("t", "received_at"):
                    value = _instant(value)
                elif not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= KEY_MAX:
                    raise BadCursor
                key.append(value)
            segment = data["s"]
            if not isinstance(segment, int) or not 0 <= segment < 32:
                raise BadCursor
        except (BadCursor, binascii.Error, ValueError, TypeError, KeyError, AttributeError, OverflowError):
            raise BadCursor("This page link is no longer valid: start again from the first page.") from None
        return cls(at=at, order=order, direction=data["d"], segment=segment, key=tuple(key))


def _instant(text: str) -> datetime.datetime:
    """A cursor's time in UTC. Python reads offsets up to ±23:59 but PostgreSQL takes at most ±15:59, so
    the time goes to the database as the same instant in UTC; an instant that UTC cannot hold in years 1 to
    9999 (OverflowError) is no time of ours."""
    value = datetime.datetime.fromisoformat(text)
    if value.tzinfo is None:
        raise BadCursor
    return value.astimezone(datetime.UTC)


def _order_name(filters: QueueFilters) -> str:
    return "closed" if filters.status == CLOSED else ("mine" if filters.mine else "open")


# --- a page -------------------------------------------------------------------------------------------------


@dataclass
class QueuePage:
    rows: list  # Case (queue_case_rows, the API's) or QueueRow (queue_page_rows, the page's)
    next_cursor: str = ""
    previous_cursor: str = ""
    at: datetime.datetime | None = None


def _filters_sql(cases: QuerySet[Case]) -> tuple[str, str, list]:
    """The FROM and WHERE clauses (and the WHERE's parameters) Django compiles for the filters' cases, so that
    the segments reuse one compilation instead of ten. The query selects only the id, so its text is
    `SELECT "tickets_case"."id" AS "id" FROM <tables> WHERE <condition>`; joins carry no parameters."""
    sql, params = cases.order_by().values_list("id").query.sql_with_params()
    select, _, rest = sql.partition(" FROM ")
    tables, _, where = rest.partition(" WHERE ")
    if not select.startswith('SELECT "tickets_case"."id"') or not tables.startswith('"tickets_case"'):
        raise AssertionError(f"Unexpected queue query: {sql[:200]}")
    return tables, where or "TRUE", list(params)


def _adapted(value):
    """A value as Django would send it for a datetime column (on SQLite, naive UTC text; as it is on
    PostgreSQL): the SQL below is ours, so the ORM does not adapt its parameters."""
    if isinstance(value, datetime.datetime):
        return connection.ops.adapt_datetimefield_value(value)
    return value


def _key_value(value):
    """A key's value as read back: a time or an integer. SQLite returns a time as naive UTC text
    (PostgreSQL: an aware datetime)."""
    if isinstance(value, str):
        return datetime.datetime.fromisoformat(value).replace(tzinfo=datetime.UTC)
    return value


def _page_keys_sql(
    *, filters: QueueFilters, base: QuerySet[Case], at: datetime.datetime, cursor: "Cursor | None", size: int
) -> tuple[str, list] | None:
    """The SQL (and parameters) of a page's keys in order: `(id, segment, time, severity, received_at, id)` or
    `(id, segment, time, id)` for the closed order. One `(SELECT … ORDER BY … LIMIT size + 1)` per segment
    still to read, joined by UNION ALL, merged by segment then key and cut to `size + 1` rows. Column names
    are ours; every value (the filters', `at`, the cursor's key, the sizes) goes as a parameter."""
    keys = CLOSED_KEYS if filters.status == CLOSED else OPEN_KEYS
    backwards = cursor is not None and cursor.direction == "before"
    reverse = (filters.status == CLOSED) != backwards
    direction = "DESC" if reverse else "ASC"
    tables, where, where_params = _filters_sql(base)
    numbered = list(enumerate(_segments(filters, at)))
    if cursor:
        numbered = [
            (i, s) for i, s in numbered if (i <= cursor.segment if backwards else i >= cursor.segment)
        ]
    if backwards:
        numbered.reverse()
    parts, params = [], []
    for i, segment in numbered:
        columns = {"t": segment.time, "severity": "severity", "received_at": "received_at", "id": "id"}
        key_columns = [f'"tickets_case"."{columns[key]}"' for key in keys]
        condition, part_params = segment.condition, where_params + [_adapted(v) for v in segment.params]
        if cursor and i == cursor.segment:
            # A row comparison, which PostgreSQL reads as one index range.
            comparison = "<" if reverse else ">"
            condition += f" AND ({', '.join(key_columns)}) {comparison} ({', '.join(['%s'] * len(keys))})"
            part_params += [_adapted(value) for value in cursor.key]
        order = ", ".join(f"{column} {direction}" for column in key_columns)
        selected = ", ".join(key_columns)
        # Each part inside its own SELECT * FROM (…): SQLite (make run) takes no parentheses around the
        # members of a UNION, and PostgreSQL plans it the same.
        parts.append(
            f'SELECT * FROM (SELECT "tickets_case"."id", {i} AS seg, {selected} FROM {tables} '  # noqa: S608
            f"WHERE ({where}) AND {condition} ORDER BY {order} LIMIT %s) AS segment_{i}"
        )
        params += part_params + [size + 1]
    if not parts:
        return None  # a cursor past the last segment
    merged_order = ", ".join(
        ["seg DESC" if backwards else "seg"] + [f"{n} {direction}" for n in range(3, 3 + len(keys))]
    )
    sql = f"SELECT * FROM ({' UNION ALL '.join(parts)}) AS segments ORDER BY {merged_order} LIMIT %s"  # noqa: S608
    return sql, params + [size + 1]


def queue_page(
    *,
    scope: Scope,
    filters: QueueFilters,
    now: datetime.datetime | None = None,
    size: int = PAGE_SIZE,
    rows_for=None,
) -> QueuePage:
    """One page of the queue in its order (module docstring), from `filters.cursor` (BadCursor if it is not
    one of ours). Two queries: the page's ids in order (a UNION ALL of one index range scan per segment),
    then the rows through `rows_for(scope=, ids=, now=)` (default `queue_case_rows`, Case rows for the API;
    the page reads the lighter `queue_page_rows`); plus one for the SLA policies (time left in open time)."""
    now = now or timezone.now()
    rows_for = rows_for or queue_case_rows
    order = _order_name(filters)
    cursor = Cursor.decode(filters.cursor, order=order) if filters.cursor else None
    at = cursor.at if cursor else now
    backwards = cursor is not None and cursor.direction == "before"
    base = queue_cases(scope=scope, filters=filters, now=now)
    try:
        keys_sql = _page_keys_sql(filters=filters, base=base, at=at, cursor=cursor, size=size)
    except EmptyResultSet:  # a scope without cases (Case.objects.none()) compiles to no query
        keys_sql = None
    if keys_sql is None:
        return QueuePage(rows=[], at=at)
    sql, params = keys_sql
    with connection.cursor() as db:
        db.execute(sql, params)
        # (id, segment, key…): the key's last column repeats the id (the tie-break).
        found = [(row[0], row[1], *[_key_value(value) for value in row[2:]]) for row in db.fetchall()]
    more = len(found) > size
    found = found[:size]
    if backwards:
        found.reverse()

    # The rows by id (chosen by the filters just now), with what a row shows and its SLA state.
    by_id = rows_for(scope=scope, ids=[row[0] for row in found], now=now)
    rows = [by_id[row[0]] for row in found if row[0] in by_id]
    _time_left(rows, now=now)

    def cursor_at(row, direction):
        return Cursor(at=at, order=order, direction=direction, segment=row[1], key=tuple(row[2:])).encode()

    page = QueuePage(rows=rows, at=at)
    if found:
        has_next = more if not backwards else True
        has_previous = (cursor is not None) if not backwards else more
        if has_next:
            page.next_cursor = cursor_at(found[-1], "after")
        if has_previous:
            page.previous_cursor = cursor_at(found[0], "before")
    return page


def queue_case_rows(*, scope: Scope, ids: list[int], now: datetime.datetime) -> dict[int, Case]:
    """The cases of a page by id, with everything the API's row says and their SLA state at `now`."""
    return {
        case.pk: case
        for case in with_sla_state(scope.cases(), now=now)
        .filter(pk__in=ids)
        .select_related("organization", "account", "assignee", "requester", "contract__tier", "product")
    }


@dataclass
class QueueRow:
    """What a row of the queue's page shows, and no more: read as plain values (no model objects)."""

    id: int
    number: str
    subject: str
    status: str
    severity: int
    channel: str
    sla_state: str
    escalated_at: datetime.datetime | None
    customer_replied_at: datetime.datetime | None
    first_response_due: datetime.datetime | None
    first_responded_at: datetime.datetime | None
    closed_at: datetime.datetime | None
    close_reason: str
    account_id: int
    account_name: str
    organization_id: int
    organization_name: str
    tier_id: int | None  # of the case's contract; None without a contract
    tier_name: str | None
    assignee_id: int | None
    assignee_first_name: str | None
    assignee_last_name: str | None
    assignee_email: str | None
    # Set by _time_left.
    time_left: str = ""
    open_minutes_left: int | None = None
    replied_waiting: str = ""

    @property
    def assignee_name(self) -> str:
        """As User.display_name: the full name, else the email."""
        full_name = f"{self.assignee_first_name} {self.assignee_last_name}".strip()
        return full_name or self.assignee_email or ""


_ROW_COLUMNS = [
    "id",
    "number",
    "subject",
    "status",
    "severity",
    "channel",
    "sla_state",
    "escalated_at",
    "customer_replied_at",
    "first_response_due",
    "first_responded_at",
    "closed_at",
    "close_reason",
    "account_id",
    "account__name",
    "organization_id",
    "organization__name",
    "contract__tier_id",
    "contract__tier__name",
    "assignee_id",
    "assignee__first_name",
    "assignee__last_name",
    "assignee__email",
]


def queue_page_rows(*, scope: Scope, ids: list[int], now: datetime.datetime) -> dict[int, QueueRow]:
    """The cases of a page by id as QueueRow: the columns the page shows, in one query of plain values."""
    values = with_sla_state(scope.cases(), now=now).filter(pk__in=ids).values_list(*_ROW_COLUMNS)
    return {row[0]: QueueRow(*row) for row in values}


# --- time left ----------------------------------------------------------------------------------------------


def duration_text(delta: datetime.timedelta) -> str:
    """3 d 4 h, 2 h 10 m, 25 m, under a minute: at most two units."""
    minutes = int(delta.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h" if hours else f"{days} d"
    if hours:
        return f"{hours} h {minutes} m" if minutes else f"{hours} h"
    return f"{minutes} m" if minutes else "under a minute"


def _tier_id(row) -> int | None:
    if isinstance(row, QueueRow):
        return row.tier_id
    return row.contract.tier_id if row.contract_id else None


def _time_left(cases: list, *, now: datetime.datetime) -> None:
    """Set `time_left` ("2 h 10 m left", "breached 25 m ago", in the open time of the case's calendar),
    `open_minutes_left` (negative once breached; None when answered or without deadline) and
    `replied_waiting` ("3 h 5 m", wall time since the customer replied)."""
    policies = {}
    if any(case.first_response_due and case.first_responded_at is None for case in cases):
        policies = {(p.tier_id, p.severity): p for p in Policy.objects.select_related("calendar")}
    for case in cases:
        case.time_left, case.open_minutes_left = "", None
        case.replied_waiting = (
            duration_text(now - case.customer_replied_at) if case.customer_replied_at else ""
        )
        due = case.first_response_due
        if due is None or case.first_responded_at is not None or case.status == CLOSED:
            continue
        tier_id = _tier_id(case)
        policy = policies.get((tier_id, case.severity))
        calendar = calendar_engine(policy.calendar) if policy else None
        if due > now:
            left = calendar.open_time_between(now, due) if calendar else due - now
            case.open_minutes_left = int(left.total_seconds() // 60)
            case.time_left = f"{duration_text(left)} left"
        else:
            over = calendar.open_time_between(due, now) if calendar else now - due
            case.open_minutes_left = -int(over.total_seconds() // 60)
            case.time_left = (
                f"breached {duration_text(over)} ago" if over.total_seconds() >= 60 else "breached"
            )


# --- views and their counts ---------------------------------------------------------------------------------


@dataclass
class QueueView:
    key: str
    name: str
    query: str
    count: int | None = None
    saved_id: int | None = None


BUILT_IN_VIEWS = [
    ("all", "All open", ""),
    ("mine", "My cases", "assignee=me"),
    ("unassigned", "Unassigned", "assignee=none"),
    ("breaching", "Breaching within 1 hour", "breaching_within=60"),
    ("escalations", "Escalations", "escalated=yes"),
    ("waiting", "Waiting on customer", "status=waiting_on_customer"),
]
CLOSED_VIEW = ("closed", "Closed", "status=closed")


def saved_views_for(*, user: User) -> QuerySet[SavedView]:
    """The views this person saved: nobody else's."""
    return SavedView.objects.filter(owner=user).order_by("name", "pk")


def queue_views(*, scope: Scope, user: User, now: datetime.datetime | None = None) -> list[QueueView]:
    """The built-in views, this person's saved views and Closed, each with its count of open cases, counted
    in one query (a view over closed cases is not counted)."""
    now = now or timezone.now()
    views = [QueueView(key, name, query) for key, name, query in BUILT_IN_VIEWS]
    views += [
        QueueView(f"saved-{saved.pk}", saved.name, saved.query, saved_id=saved.pk)
        for saved in saved_views_for(user=user)
    ]
    counted = []
    for view in views:
        if view.saved_id is None:
            filters = _built_in_view_filters(view.query, user.pk)
        else:
            filters, _ = queue_filters_from(QueryDict(view.query), user=user)
        if filters.status != CLOSED:
            counted.append((view, queue_cases(scope=scope, filters=filters, now=now)))
    counts = _count_each([cases for _, cases in counted])
    for (view, _), count in zip(counted, counts, strict=True):
        view.count = count
    views.append(QueueView(*CLOSED_VIEW))
    return views


@functools.lru_cache(maxsize=1024)
def _built_in_view_filters(query: str, user_id: int) -> QueueFilters:
    """A built-in view's filters, read once per person and process: its query is a constant of this module
    and reads no table (only `me` depends on the person), so the answer never changes."""
    filters, _ = queue_filters_from(QueryDict(query), user=User(pk=user_id))
    return filters


def _count_each(querysets: list[QuerySet]) -> list[int]:
    """How many rows each queryset has, in one query: a scalar COUNT subquery each, so that each is planned
    on its own (through its own index) rather than all filtering one scan of every open case."""
    if not querysets:
        return []
    parts, params = [], []
    for queryset in querysets:
        sql, part_params = queryset.order_by().values("pk").query.sql_with_params()
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) AS chosen)")  # noqa: S608 (SQL Django compiled)
        params.extend(part_params)
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        return list(cursor.fetchone())


def saved_view_create(*, owner: User, name: str, query: str) -> SavedView:
    """Save the queue's current filters under a name, for their owner only. The query must read as queue
    filters (each parameter as the page and the API take it)."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Name the view."})
    if "\x00" in name:  # PostgreSQL text cannot hold it, nor even look it up
        raise ValidationError({"name": "A view's name cannot hold a NUL character."})
    if len(name) > SavedView._meta.get_field("name").max_length:
        raise ValidationError({"name": "Keep the name within 60 characters."})
    query = queue_query_string(QueryDict(query))
    if len(query) > SavedView._meta.get_field("query").max_length:
        raise ValidationError({"query": "These filters are too long to save."})
    _, errors = queue_filters_from(QueryDict(query), user=owner)
    if errors:
        raise ValidationError(
            {"query": [f"{name}: {' '.join(problems)}" for name, problems in errors.items()]}
        )
    if SavedView.objects.filter(owner=owner, name=name).exists():
        raise ValidationError({"name": f"You already have a view called “{name}”."})
    return SavedView.objects.create(owner=owner, name=name, query=query)
