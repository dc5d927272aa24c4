"""The SLA timers and the auto-close sweeps (domain.md §4, §6), done once each.

Every timer is an instant stored on the case and a stamp of the instant it was done for:

    timer                     instant                      stamp
    at risk: warn support     first_response_at_risk_at    at_risk_warned_for
    breach: mark, tell sups   first_response_due           breach_marked_for
    auto-close reminder       auto_close_remind_at         auto_close_reminded_for (holds auto_close_at)
    auto-close                auto_close_at                (the close clears auto_close_at)

A case is due when its instant has come and its stamp differs from it (tickets.models AT_RISK_PENDING …, the
conditions of partial indexes holding only what is still to do). A deadline moved by a severity or rule change
no longer matches its stamp, so its timer is armed again for the new instant; a rerun finds nothing to do.

`sla_sweep(now=…)` is one pass: beat runs it every minute (tickets.tasks.sla_sweep), operators and tests
through `manage.py sla_sweep [--now ISO-8601]`. Each step claims up to BATCH_SIZE due cases with
`select_for_update(skip_locked=True)` (a second sweep, or a person's action in progress, holds other rows),
writes the batch's updates, events and outbox rows set-based (one UPDATE, one multi-row INSERT of events, one
of emails: `_insert`, no model instance per row; the auto-close, the one step with a throughput goal, all
of it in one statement: `_close_batch`), and commits: a sweep killed at any point leaves
every case untouched or fully done, and two sweeps at once never claim the same case.

Catch-up after an outage does everything that became due, once; what is long stale says so instead of
pretending: an at-risk warning for a case already past its deadline, or a reminder for a case whose closing
instant has passed, is recorded (`stale: true`) and not emailed.
"""

import datetime
from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from tenants.models import User
from tickets.models import (
    AT_RISK_PENDING,
    BREACH_PENDING,
    REMIND_PENDING,
    Case,
    CaseEvent,
    CloseReason,
    EventKind,
    OutboundEmail,
    Status,
)
from tickets.notifications import engineers_on_duty, staff_on_case, supervisors_to_notify
from tickets.outbox import _nudge_on_commit
from tickets.services.life_cycle import WAITING_KIND

BATCH_SIZE = 1000

# The emails of the sweeps (templates/emails/<name>_subject.txt, _body.txt, _body.html).
AT_RISK = "at_risk"
BREACHED = "breached"
AUTO_CLOSE_REMINDER = "auto_close_reminder"
AUTO_CLOSED = "auto_closed"

# The reason a case closes with is the kind of its wait: solution_proposed → unconfirmed, waiting_on_customer
# → no_response.
CLOSE_REASON = {status: CloseReason(kind) for status, kind in WAITING_KIND.items()}

# When the last pass finished (wall clock), for /healthz: beat runs a pass every minute.
LAST_RUN_KEY = "sla_sweep:last_run"

# What a claim reads of each case (a named tuple per row, not a model instance): enough to decide and to
# write the event, no text columns.
CLAIMED_FIELDS = [
    "id",
    "status",
    "requester_id",
    "assignee_id",
    "first_response_due",
    "first_response_at_risk_at",
    "auto_close_at",
    "auto_close_remind_at",
]


def sla_sweep(*, now: datetime.datetime | None = None, batch_size: int = BATCH_SIZE) -> dict[str, int]:
    """One pass of every timer at `now` (default: the current time). Safe to run twice and in several
    processes at once. Returns how many cases each step acted on.

    Warnings before breaches and reminders before closes, so that a catch-up records the stale warning or
    reminder before the step that overtook it."""
    now = now or timezone.now()
    done = {
        "at_risk": _in_batches(
            Case.objects.filter(AT_RISK_PENDING, first_response_at_risk_at__lte=now),
            "first_response_at_risk_at",
            _warn_at_risk,
            now,
            batch_size,
        ),
        "breached": _in_batches(
            Case.objects.filter(BREACH_PENDING, first_response_due__lte=now),
            "first_response_due",
            _mark_breached,
            now,
            batch_size,
        ),
        "reminded": _in_batches(
            Case.objects.filter(REMIND_PENDING, auto_close_remind_at__lte=now),
            "auto_close_remind_at",
            _remind,
            now,
            batch_size,
        ),
        # One statement per batch needs data-modifying CTEs (PostgreSQL); SQLite (`make run`) closes each
        # batch through the ORM, the same move in a few statements.
        "closed": (
            _close_in_batches(now, batch_size)
            if connections[DEFAULT_DB_ALIAS].vendor == "postgresql"
            else _in_batches(
                Case.objects.filter(
                    auto_close_at__isnull=False, auto_close_at__lte=now, status__in=CLOSE_REASON
                ),
                "auto_close_at",
                _close,
                now,
                batch_size,
            )
        ),
    }
    cache.set(LAST_RUN_KEY, timezone.now().isoformat(), timeout=None)
    return done


def sla_sweep_last_run() -> datetime.datetime | None:
    """When a pass last finished, by the wall clock (None: never, or the cache was emptied since)."""
    value = cache.get(LAST_RUN_KEY)
    return datetime.datetime.fromisoformat(value) if value else None


def _in_batches(
    due: QuerySet,
    order: str,
    act: Callable[[list[Any], datetime.datetime], None],
    now: datetime.datetime,
    batch_size: int,
) -> int:
    """Claim up to `batch_size` due cases, `act` on them, commit; again until none is left to claim.

    The claim locks the rows and PostgreSQL re-reads the condition on each locked row, so a case that
    changed in the meantime (a first response, a customer reply resetting the wait) is no longer claimed.
    `act` must take every claimed case out of `due` (stamp it or close it): that is what ends the loop."""
    done = 0
    while True:
        with transaction.atomic():
            # In the order of the instant alone: the partial index's order, so the claim reads only the
            # first `batch_size` rows of it (a tie-break on pk would sort every due row at each batch).
            batch = list(
                due.select_for_update(skip_locked=True, of=("self",))
                .order_by(order)
                .values_list(*CLAIMED_FIELDS, named=True)[:batch_size]
            )
            if not batch:
                return done
            act(batch, now)
        done += len(batch)


def _insert(model: type[models.Model], rows: list[dict]) -> list[int]:
    """INSERT … VALUES (…), (…) RETURNING id: what bulk_create does, without a model instance per row (a pass
    writes tens of thousands). Every row names the same fields; the others get their field's default."""
    if not rows:
        return []
    db = connections[DEFAULT_DB_ALIAS]
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    given = [field for field in fields if field.attname in rows[0]]
    others = [field for field in fields if field not in given]
    # Only JSON and instants need adapting for the driver (ids and text pass as they are), and through
    # the backend's adapter alone: the field's full preparation, value by value, showed in profiles.
    adapt = {
        "JSONField": lambda field, value: db.ops.adapt_json_value(value, field.encoder),
        "DateTimeField": lambda field, value: db.ops.adapt_datetimefield_value(value),
    }
    adapters = [adapt.get(field.get_internal_type()) for field in given]
    defaults = [field.get_db_prep_save(field.get_default(), db) for field in others]
    values = []
    for row in rows:
        for field, adapter in zip(given, adapters, strict=True):
            value = row[field.attname]
            values.append(adapter(field, value) if adapter else value)
        values += defaults
    columns = ", ".join(db.ops.quote_name(field.column) for field in given + others)
    one_row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    with db.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {db.ops.quote_name(model._meta.db_table)} ({columns}) "  # noqa: S608 (our names)
            f"VALUES {', '.join([one_row] * len(rows))} RETURNING id",
            values,
        )
        # In the order of the VALUES, on both backends (Django's bulk_create relies on it too).
        return [row[0] for row in cursor.fetchall()]


def _events(batch: list, kind: EventKind, data) -> list[tuple[int, dict]]:
    """One system event (no actor) per case, as (id, data); `data(case)` gives each one's data. Written at the
    wall clock, as every event (tickets.services.common._event): the audit says when the system acted."""
    written = timezone.now()
    rows = [
        {"case_id": case.id, "actor_id": None, "kind": kind, "data": data(case), "created_at": written}
        for case in batch
    ]
    return list(zip(_insert(CaseEvent, rows), [row["data"] for row in rows], strict=True))


def _queue(template: str, mail: list[tuple[int, list[User]]]) -> None:
    """Outbox rows, one per recipient of each event (tickets/outbox.py), and one nudge once committed.
    Sendable at once, whatever `now` the pass was given."""
    sendable = timezone.now()
    email_ids = _insert(
        OutboundEmail,
        [
            {
                "event_id": event_id,
                "recipient_id": person.pk,
                "address": person.email,
                "template": template,
                "next_attempt_at": sendable,
                "created_at": sendable,
            }
            for event_id, people in mail
            for person in people
        ],
    )
    if email_ids:
        _nudge_on_commit(email_ids)


def _iso(value: datetime.datetime | None) -> str | None:
    return value.isoformat() if value else None


def _warn_at_risk(batch: list, now: datetime.datetime) -> None:
    """Warn whoever works the case that its first response is at risk (tickets.notifications.staff_on_case:
    its assignee, else the engineers on duty at `now`, as the staff notices). Stale (past its deadline):
    recorded only."""
    Case.objects.filter(pk__in=[case.id for case in batch]).update(
        at_risk_warned_for=F("first_response_at_risk_at")
    )
    events = _events(
        batch,
        EventKind.AT_RISK,
        lambda case: {
            "at_risk_at": _iso(case.first_response_at_risk_at),
            "due": _iso(case.first_response_due),
            "stale": case.first_response_due <= now,
        },
    )
    fresh = [
        (case, event_id) for case, (event_id, data) in zip(batch, events, strict=True) if not data["stale"]
    ]
    if not fresh:
        return
    assignees = User.objects.filter(
        pk__in={case.assignee_id for case, _ in fresh if case.assignee_id}
    ).in_bulk()
    on_duty = engineers_on_duty(now=now)  # read once for the batch
    _queue(
        AT_RISK,
        [
            (event_id, staff_on_case(assignee=assignees.get(case.assignee_id), now=now, on_duty=on_duty))
            for case, event_id in fresh
        ],
    )


def _mark_breached(batch: list, now: datetime.datetime) -> None:
    """The first response is late: a BREACHED event on the case and an email to every active supervisor."""
    Case.objects.filter(pk__in=[case.id for case in batch]).update(breach_marked_for=F("first_response_due"))
    events = _events(batch, EventKind.BREACHED, lambda case: {"due": _iso(case.first_response_due)})
    supervisors = supervisors_to_notify()
    _queue(BREACHED, [(event_id, supervisors) for event_id, _ in events])


def _remind(batch: list, now: datetime.datetime) -> None:
    """Tell the contacts (requester and CCs) the case will close by itself, once per closing instant.
    Stale (the closing instant already passed; it closes in this same pass): recorded only."""
    Case.objects.filter(pk__in=[case.id for case in batch]).update(auto_close_reminded_for=F("auto_close_at"))
    events = _events(
        batch,
        EventKind.AUTO_CLOSE_REMINDED,
        lambda case: {
            "closes_at": _iso(case.auto_close_at),
            "status": case.status,
            "stale": case.auto_close_at <= now,
        },
    )
    fresh = [
        (case, event_id) for case, (event_id, data) in zip(batch, events, strict=True) if not data["stale"]
    ]
    contacts = _contacts([case for case, _ in fresh])
    _queue(AUTO_CLOSE_REMINDER, [(event_id, contacts[case.id]) for case, event_id in fresh])


def _close_in_batches(now: datetime.datetime, batch_size: int) -> int:
    """Close, batch after batch, each case that waited on the customer until its auto-close instant
    (domain.md §6); returns how many. Like `_in_batches`, each batch claimed with skip_locked and committed
    whole, but in one statement (`_close_batch`): the throughput goal of issue 10 is this step's."""
    done = 0
    while True:
        with transaction.atomic():
            closed, email_ids = _close_batch(now, batch_size)
            if email_ids:
                _nudge_on_commit(email_ids)
        if not closed:
            return done
        done += closed


def _close_batch(now: datetime.datetime, batch_size: int) -> tuple[int, list[int]]:
    """Claim up to `batch_size` due cases and close them: reason `unconfirmed` after a proposed solution,
    `no_response` after a request for information; at the sweep's `now`. The same move and the same
    STATUS_CHANGED event as tickets.services.life_cycle.case_transition with no actor (a test holds the two
    equal), and an `auto_closed` email to each contact (requester and CCs, once each, as `_contacts`).

    One statement, so that the rows never travel to Python and back (seven round trips and a conversion
    per value before): claim (`FOR UPDATE SKIP LOCKED`, PostgreSQL re-reading the
    condition on each row it locks), UPDATE … RETURNING, INSERT the events from what it returned, INSERT the
    emails from those. Returns (cases closed, ids of the emails queued). Call inside a transaction."""
    db = connections[DEFAULT_DB_ALIAS]
    claim_sql, claim_params = (
        Case.objects.filter(auto_close_at__isnull=False, auto_close_at__lte=now, status__in=CLOSE_REASON)
        .select_for_update(skip_locked=True, of=("self",))
        .order_by("auto_close_at")  # the partial index's order: the claim reads only `batch_size` rows of it
        .values_list("id", "status")[:batch_size]
        .query.sql_with_params()
    )
    reason_sql = "CASE claimed.status " + "WHEN %s THEN %s " * len(CLOSE_REASON) + "END"
    reason_params = [value for pair in CLOSE_REASON.items() for value in pair]
    written = timezone.now()
    event_columns, event_values, event_params = _insert_columns(
        CaseEvent,
        {
            "case_id": ("closed.id", []),
            "actor_id": ("NULL", []),
            "kind": ("%s", [EventKind.STATUS_CHANGED]),
            "data": (
                "jsonb_build_object("
                "'from', closed.closed_from, 'to', %s::text, 'reason', closed.close_reason)",
                [Status.CLOSED],
            ),
            "created_at": ("%s", [written]),
        },
    )
    email_columns, email_values, email_params = _insert_columns(
        OutboundEmail,
        {
            "event_id": ("events.id", []),
            "recipient_id": ("person.id", []),
            "address": ("person.email", []),
            "template": ("%s", [AUTO_CLOSED]),
            "next_attempt_at": ("%s", [written]),
            "created_at": ("%s", [written]),
        },
    )
    case_table, event_table, email_table, user_table, cc_table = (
        db.ops.quote_name(model._meta.db_table)
        for model in (Case, CaseEvent, OutboundEmail, User, Case.cc.through)
    )
    sql = f"""
        WITH claimed (id, status) AS MATERIALIZED ({claim_sql}),
        closed AS (
            UPDATE {case_table} AS c
            SET status = %s, close_reason = {reason_sql}, closed_at = %s, waiting_since = NULL,
                auto_close_at = NULL, auto_close_remind_at = NULL, escalated_at = NULL, updated_at = %s
            FROM claimed WHERE c.id = claimed.id
            RETURNING c.id, claimed.status AS closed_from, c.close_reason, c.requester_id
        ),
        events AS (
            INSERT INTO {event_table} ({event_columns}) SELECT {event_values} FROM closed
            RETURNING id, case_id
        ),
        contacts (case_id, user_id) AS (
            SELECT id, requester_id FROM closed
            UNION SELECT cc.case_id, cc.user_id FROM {cc_table} AS cc JOIN closed ON cc.case_id = closed.id
        ),
        emails AS (
            INSERT INTO {email_table} ({email_columns}) SELECT {email_values}
            FROM events JOIN contacts USING (case_id)
            JOIN {user_table} AS person ON person.id = contacts.user_id
            RETURNING id
        )
        SELECT (SELECT count(*) FROM closed), ARRAY(SELECT id FROM emails)
    """  # noqa: S608 (our own names; every value is a parameter)
    params = [
        *claim_params,
        Status.CLOSED,
        *reason_params,
        now,
        written,
        *event_params,
        *email_params,
    ]
    with db.cursor() as cursor:
        cursor.execute(sql, params)
        closed, email_ids = cursor.fetchone()
    return closed, email_ids


def _close(batch: list, now: datetime.datetime) -> None:
    """`_close_batch` for a batch already claimed, where data-modifying CTEs are missing (SQLite): the same
    columns, the same STATUS_CHANGED event and the same `auto_closed` emails, in a few statements."""
    for status, reason in CLOSE_REASON.items():
        Case.objects.filter(pk__in=[case.id for case in batch if case.status == status]).update(
            status=Status.CLOSED,
            waiting_since=None,
            auto_close_at=None,
            auto_close_remind_at=None,
            closed_at=now,
            close_reason=reason,
            escalated_at=None,
            updated_at=timezone.now(),
        )
    events = _events(
        batch,
        EventKind.STATUS_CHANGED,
        lambda case: {"from": case.status, "to": Status.CLOSED, "reason": CLOSE_REASON[case.status]},
    )
    contacts = _contacts(batch)
    _queue(
        AUTO_CLOSED,
        [(event_id, contacts[case.id]) for case, (event_id, _) in zip(batch, events, strict=True)],
    )


def _insert_columns(model: type[models.Model], given: dict[str, tuple[str, list]]) -> tuple[str, str, list]:
    """The column list, SELECT list and parameters of an INSERT … SELECT into `model`: `given` maps fields
    (by attname) to an SQL expression and its parameters; every other field gets its default, as
    `_insert` does."""
    db = connections[DEFAULT_DB_ALIAS]
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    columns, values, params = [], [], []
    for field in fields:
        columns.append(db.ops.quote_name(field.column))
        if field.attname in given:
            expression, expression_params = given[field.attname]
            values.append(expression)
            params += expression_params
        else:
            values.append("%s")
            params.append(field.get_db_prep_save(field.get_default(), db))
    return ", ".join(columns), ", ".join(values), params


def _contacts(batch: list) -> dict[int, list[User]]:
    """Each case's requester and CCs (tickets.notifications.contacts_to_notify for a whole batch, with no
    actor to leave out), in two queries."""
    cc = list(
        Case.cc.through.objects.filter(case_id__in=[case.id for case in batch]).values_list(
            "case_id", "user_id"
        )
    )
    people = User.objects.filter(
        pk__in={case.requester_id for case in batch} | {user_id for _, user_id in cc}
    ).in_bulk()
    ids = {case.id: [case.requester_id] for case in batch}
    for case_id, user_id in cc:
        ids[case_id].append(user_id)
    return {case_id: [people[pk] for pk in dict.fromkeys(user_ids)] for case_id, user_ids in ids.items()}
