"""The SLA timers and auto-close sweeps (issue 10): at risk, breached, reminded, auto-closed, each once, on
the business days of domain.md §6, through `manage.py sla_sweep --now` with the clock moved."""

import datetime
import threading
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.forms.models import model_to_dict
from django_celery_beat.models import PeriodicTask
from django_celery_beat.schedulers import DatabaseScheduler

from supportdesk.celery import app
from tenants.models import User
from tests.tickets.helpers import file_case
from tickets.models import (
    Case,
    CaseEvent,
    CloseReason,
    EmailStatus,
    EventKind,
    OutboundEmail,
    ResponseKind,
    Status,
)
from tickets.outbox import outbox_deliver
from tickets.services import ticket_reply, ticket_validate_severity
from tickets.services.common import case_locked
from tickets.services.life_cycle import case_transition
from tickets.sweeps import sla_sweep
from tickets.tasks import sla_sweep as sla_sweep_task

DENVER = ZoneInfo("America/Denver")


def denver(*args):
    return datetime.datetime(*args, tzinfo=DENVER)


def iso(instant: datetime.datetime) -> str:
    """How events store an instant: ISO-8601 in UTC."""
    return instant.astimezone(datetime.UTC).isoformat()


def sweep_at(instant: datetime.datetime) -> str:
    """`manage.py sla_sweep --now …`, as an operator runs it; returns what it printed."""
    from io import StringIO

    out = StringIO()
    call_command("sla_sweep", "--now", instant.isoformat(), stdout=out)
    return out.getvalue()


def events(case, kind):
    return list(CaseEvent.objects.filter(case=case, kind=kind).order_by("pk"))


def emails(case, template):
    return sorted(
        OutboundEmail.objects.filter(event__case=case, template=template).values_list("address", flat=True)
    )


def propose_solution(case, engineer, at):
    ticket_reply(
        case=case, author=engineer, body="Try 4.2.1.", kind=ResponseKind.PATCH, propose_solution=True, now=at
    )
    case.refresh_from_db()
    return case


def ask_for_information(case, engineer, at):
    ticket_reply(case=case, author=engineer, body="Which version?", kind=ResponseKind.REQUEST_INFO, now=at)
    case.refresh_from_db()
    return case


# ---------------------------------------------------------------- at risk and breached


def test_an_assigned_case_at_risk_warns_its_assignee_once(demo):
    received = denver(2026, 11, 23, 9, 0)  # Monday; Standard Sev 1: 4 h, at risk after 3 h
    case = file_case("bob@acme.test", "Acme", 1, received_at=received)
    Case.objects.filter(pk=case.pk).update(assignee=demo["engineer"])
    case.refresh_from_db()
    assert (case.first_response_at_risk_at, case.first_response_due) == (
        denver(2026, 11, 23, 12, 0),
        denver(2026, 11, 23, 13, 0),
    )

    sweep_at(denver(2026, 11, 23, 11, 59))
    assert events(case, EventKind.AT_RISK) == []

    for _ in range(2):  # a rerun, or beat's next minute, does nothing more
        sweep_at(denver(2026, 11, 23, 12, 0))
    [warning] = events(case, EventKind.AT_RISK)
    assert warning.actor is None
    assert warning.data == {
        "at_risk_at": iso(denver(2026, 11, 23, 12, 0)),
        "due": iso(denver(2026, 11, 23, 13, 0)),
        "stale": False,
    }
    assert emails(case, "at_risk") == ["engineer@demo.test"]
    assert outbox_deliver() >= 1


def test_an_unassigned_case_at_risk_warns_the_active_engineers_on_duty(demo):
    case = file_case("bob@acme.test", "Acme", 1, received_at=denver(2026, 11, 23, 9, 0))
    User.objects.filter(email="engineer2@demo.test").update(is_active=False)
    sla_sweep(now=denver(2026, 11, 23, 12, 30))  # a Monday afternoon: both engineers' working hours
    # Who else hears of an unassigned case: tests/tickets/test_notifications_unassigned_case.py.
    assert emails(case, "at_risk") == ["engineer@demo.test"]


def test_at_the_deadline_the_case_is_marked_breached_and_supervisors_told_once(demo):
    case = file_case("bob@acme.test", "Acme", 1, received_at=denver(2026, 11, 23, 9, 0))
    sla_sweep(now=denver(2026, 11, 23, 12, 30))
    sla_sweep(now=denver(2026, 11, 23, 12, 59))
    assert events(case, EventKind.BREACHED) == []

    for _ in range(2):
        sla_sweep(now=denver(2026, 11, 23, 13, 0))
    [breach] = events(case, EventKind.BREACHED)
    assert breach.data == {"due": iso(denver(2026, 11, 23, 13, 0))}
    assert emails(case, "breached") == ["supervisor@demo.test"]
    assert len(events(case, EventKind.AT_RISK)) == 1
    # The case page, the queue and the API read it as breached.
    from tickets.selectors import with_sla_state

    assert with_sla_state(
        Case.objects.filter(pk=case.pk), now=denver(2026, 11, 23, 13, 0)
    ).get().sla_state == ("breached")


def test_after_an_outage_the_stale_at_risk_warning_is_recorded_not_sent(demo):
    case = file_case("bob@acme.test", "Acme", 1, received_at=denver(2026, 11, 23, 9, 0))
    done = sla_sweep(now=denver(2026, 11, 25, 9, 0))  # workers down for two days
    assert (done["at_risk"], done["breached"]) == (1, 1)
    [warning] = events(case, EventKind.AT_RISK)
    assert warning.data["stale"] is True
    assert emails(case, "at_risk") == []
    assert emails(case, "breached") == ["supervisor@demo.test"]


def test_a_case_answered_in_time_is_never_warned_nor_breached(demo):
    case = file_case("bob@acme.test", "Acme", 1, received_at=denver(2026, 11, 23, 9, 0))
    ticket_reply(
        case=case,
        author=demo["engineer"],
        body="Looking.",
        kind=ResponseKind.ANSWER,
        now=denver(2026, 11, 23, 10, 0),
    )
    sla_sweep(now=denver(2026, 11, 30, 9, 0))
    assert events(case, EventKind.AT_RISK) == events(case, EventKind.BREACHED) == []


def test_a_deadline_moved_by_a_severity_change_arms_its_timers_again(demo):
    case = file_case("bob@acme.test", "Acme", 1, received_at=denver(2026, 11, 23, 9, 0))
    sla_sweep(now=denver(2026, 11, 23, 13, 0))  # warned and breached at 4 h
    with transaction.atomic():
        locked = case_locked(case.pk)
        ticket_validate_severity(
            case=locked, actor=demo["engineer"], severity=2, reason="Only one site is down"
        )
    at_risk, due = locked.first_response_at_risk_at, locked.first_response_due
    assert due > denver(2026, 11, 23, 13, 0)

    sla_sweep(now=at_risk)
    assert [e.data["stale"] for e in events(case, EventKind.AT_RISK)] == [True, False]
    assert len(emails(case, "at_risk")) == User.objects.filter(staff_role="engineer", is_active=True).count()
    assert len(events(case, EventKind.BREACHED)) == 1
    sla_sweep(now=due)
    assert [b.data["due"] for b in events(case, EventKind.BREACHED)] == [
        iso(denver(2026, 11, 23, 13, 0)),
        iso(due),
    ]


# ---------------------------------------------------------------- auto-close, business days


def test_a_proposed_solution_closes_unconfirmed_after_10_business_days_across_thanksgiving(demo):
    case = file_case("bob@acme.test", "Acme", cc=[demo["alice"]], received_at=denver(2026, 11, 24, 9, 0))
    case = propose_solution(case, demo["engineer"], denver(2026, 11, 25, 10, 0))
    # domain.md §6's example: Thanksgiving (Thu 26) and the weekends do not count.
    assert case.auto_close_at == denver(2026, 12, 10, 10, 0)
    assert case.auto_close_remind_at == denver(2026, 12, 8, 10, 0)  # two business days before

    sweep_at(denver(2026, 12, 8, 9, 59))
    assert events(case, EventKind.AUTO_CLOSE_REMINDED) == []
    sweep_at(denver(2026, 12, 8, 10, 0))
    sweep_at(denver(2026, 12, 9, 10, 0))
    [reminder] = events(case, EventKind.AUTO_CLOSE_REMINDED)
    assert reminder.data == {
        "closes_at": iso(denver(2026, 12, 10, 10, 0)),
        "status": "solution_proposed",
        "stale": False,
    }
    assert emails(case, "auto_close_reminder") == ["alice@acme.test", "bob@acme.test"]

    assert "0 auto-closed" in sweep_at(denver(2026, 12, 10, 9, 59))
    assert "1 auto-closed" in sweep_at(denver(2026, 12, 10, 10, 0))
    assert "0 auto-closed" in sweep_at(denver(2026, 12, 10, 10, 1))
    case.refresh_from_db()
    assert (case.status, case.close_reason, case.closed_at) == (
        Status.CLOSED,
        CloseReason.UNCONFIRMED,
        denver(2026, 12, 10, 10, 0),
    )
    assert case.auto_close_at is case.auto_close_remind_at is case.waiting_since is None
    [closing] = case.events.filter(kind=EventKind.STATUS_CHANGED, data__to="closed")
    assert (closing.actor, closing.data) == (
        None,
        {"from": "solution_proposed", "to": "closed", "reason": "unconfirmed"},
    )
    assert emails(case, "auto_closed") == ["alice@acme.test", "bob@acme.test"]

    # The emails render and leave, in the reader's time zone.
    assert outbox_deliver() >= 4
    from django.core import mail

    closed_mail = next(m for m in mail.outbox if "was closed" in m.subject and m.to == ["bob@acme.test"])
    assert "nobody confirmed the solution we proposed" in closed_mail.body


def test_a_request_for_information_closes_no_response_after_15_business_days_across_christmas(demo):
    case = file_case("bob@acme.test", "Acme", received_at=denver(2026, 12, 14, 9, 0))
    case = ask_for_information(case, demo["engineer"], denver(2026, 12, 14, 10, 0))
    # Christmas (Fri 25) and New Year's Day (Fri 1) are closed: 15 business days end Wed 6 January.
    assert case.auto_close_at == denver(2027, 1, 6, 10, 0)
    assert case.auto_close_remind_at == denver(2027, 1, 4, 10, 0)

    sweep_at(denver(2027, 1, 2, 10, 0))
    assert events(case, EventKind.AUTO_CLOSE_REMINDED) == []
    sweep_at(denver(2027, 1, 4, 10, 0))
    assert emails(case, "auto_close_reminder") == ["bob@acme.test"]
    sweep_at(denver(2027, 1, 6, 9, 59))
    case.refresh_from_db()
    assert case.status == Status.WAITING_ON_CUSTOMER
    sweep_at(denver(2027, 1, 6, 10, 0))
    case.refresh_from_db()
    assert (case.status, case.close_reason) == (Status.CLOSED, CloseReason.NO_RESPONSE)
    assert emails(case, "auto_closed") == ["bob@acme.test"]


def test_asking_for_information_again_starts_the_wait_over(demo):
    case = file_case("bob@acme.test", "Acme", received_at=denver(2026, 12, 14, 9, 0))
    case = ask_for_information(case, demo["engineer"], denver(2026, 12, 14, 10, 0))
    case = ask_for_information(case, demo["engineer"], denver(2026, 12, 16, 10, 0))

    assert case.status == Status.WAITING_ON_CUSTOMER
    assert case.waiting_since == denver(2026, 12, 16, 10, 0)
    # 15 business days from Wed 16 December, Christmas and New Year's Day closed: Fri 8 January.
    assert case.auto_close_at == denver(2027, 1, 8, 10, 0)


def test_the_reminder_comes_two_business_days_before_across_christmas(demo):
    case = file_case("bob@acme.test", "Acme", received_at=denver(2026, 12, 11, 9, 0))
    case = propose_solution(case, demo["engineer"], denver(2026, 12, 11, 10, 0))
    assert case.auto_close_at == denver(2026, 12, 28, 10, 0)
    # Two business days before Monday 28: Thursday 24 (Christmas Friday and the weekend do not count), Wed 23.
    assert case.auto_close_remind_at == denver(2026, 12, 23, 10, 0)
    sweep_at(denver(2026, 12, 23, 9, 59))
    assert emails(case, "auto_close_reminder") == []
    sweep_at(denver(2026, 12, 23, 10, 0))
    assert emails(case, "auto_close_reminder") == ["bob@acme.test"]


def test_a_customer_reply_resets_the_wait_and_the_reminder(demo):
    case = file_case("bob@acme.test", "Acme", received_at=denver(2026, 11, 24, 9, 0))
    case = propose_solution(case, demo["engineer"], denver(2026, 11, 25, 10, 0))
    sweep_at(denver(2026, 12, 8, 10, 0))  # reminded for Thu 10 December
    ticket_reply(case=case, author=demo["bob"], body="Still testing.", now=denver(2026, 12, 9, 15, 0))
    case.refresh_from_db()
    assert case.status == Status.SOLUTION_PROPOSED
    assert case.auto_close_at == denver(2026, 12, 23, 15, 0)
    assert case.auto_close_remind_at == denver(2026, 12, 21, 15, 0)

    sweep_at(denver(2026, 12, 10, 10, 0))
    case.refresh_from_db()
    assert case.status == Status.SOLUTION_PROPOSED
    sweep_at(denver(2026, 12, 21, 15, 0))
    assert [e.data["closes_at"] for e in events(case, EventKind.AUTO_CLOSE_REMINDED)] == [
        iso(denver(2026, 12, 10, 10, 0)),
        iso(denver(2026, 12, 23, 15, 0)),
    ]


def test_after_an_outage_a_case_past_its_close_is_closed_once_and_the_reminder_marked_stale(demo):
    case = file_case("bob@acme.test", "Acme", received_at=denver(2026, 11, 24, 9, 0))
    case = propose_solution(case, demo["engineer"], denver(2026, 11, 25, 10, 0))
    done = sla_sweep(now=denver(2026, 12, 14, 8, 0))
    assert (done["reminded"], done["closed"]) == (1, 1)
    [reminder] = events(case, EventKind.AUTO_CLOSE_REMINDED)
    assert reminder.data["stale"] is True
    assert emails(case, "auto_close_reminder") == []
    case.refresh_from_db()
    # Closed at the sweep's clock, as everything the sweep does.
    assert (case.close_reason, case.closed_at) == (CloseReason.UNCONFIRMED, denver(2026, 12, 14, 8, 0))


def test_one_batch_closes_each_wait_with_its_own_reason_and_tells_each_contact_once(demo):
    proposed = propose_solution(
        file_case("bob@acme.test", "Acme", cc=[demo["alice"]], received_at=denver(2026, 11, 24, 9, 0)),
        demo["engineer"],
        denver(2026, 11, 25, 10, 0),
    )
    asked = ask_for_information(
        file_case("alice@acme.test", "Acme", cc=[demo["bob"]], received_at=denver(2026, 11, 24, 9, 0)),
        demo["engineer"],
        denver(2026, 11, 25, 10, 0),
    )
    sla_sweep(now=denver(2027, 1, 4, 10, 0))  # both long past their instant, closed in the same batch

    for case, was, reason in [
        (proposed, "solution_proposed", CloseReason.UNCONFIRMED),
        (asked, "waiting_on_customer", CloseReason.NO_RESPONSE),
    ]:
        case.refresh_from_db()
        assert (case.status, case.close_reason) == (Status.CLOSED, reason)
        [closing] = case.events.filter(kind=EventKind.STATUS_CHANGED, data__to="closed")
        assert closing.data == {"from": was, "to": "closed", "reason": reason}
        assert emails(case, "auto_closed") == ["alice@acme.test", "bob@acme.test"]


def test_the_sweeps_close_is_the_life_cycle_close(demo):
    """The batch close writes what case_transition writes for the same close, row and event."""
    first = propose_solution(
        file_case("bob@acme.test", "Acme", received_at=denver(2026, 11, 24, 9, 0)),
        demo["engineer"],
        denver(2026, 11, 25, 10, 0),
    )
    second = propose_solution(
        file_case("bob@acme.test", "Acme", received_at=denver(2026, 11, 24, 9, 0)),
        demo["engineer"],
        denver(2026, 11, 25, 10, 0),
    )
    closes = denver(2026, 12, 10, 10, 0)
    Case.objects.filter(pk=second.pk).update(auto_close_at=None)  # only the first one is the sweep's
    with transaction.atomic():
        locked = case_locked(second.pk)
        locked.auto_close_at = closes
        case_transition(
            case=locked,
            to=Status.CLOSED,
            actor=None,
            reason=CloseReason.UNCONFIRMED,
            now=closes,
            notify=False,
        )
    sla_sweep(now=closes)

    ignored = ["id", "number", "cc", "created_at", "auto_close_reminded_for"]
    rows = [model_to_dict(Case.objects.get(pk=c.pk), exclude=ignored) for c in (first, second)]
    assert rows[0] == rows[1]
    closing = [
        c.events.filter(kind=EventKind.STATUS_CHANGED).values("actor", "data").last() for c in (first, second)
    ]
    assert closing[0] == closing[1]


def test_a_customer_reply_in_progress_wins_over_the_close(demo, transactional_db):
    case = file_case("bob@acme.test", "Acme", received_at=denver(2026, 11, 24, 9, 0))
    case = ask_for_information(case, demo["engineer"], denver(2026, 11, 25, 10, 0))
    closes = case.auto_close_at
    holding, release = threading.Event(), threading.Event()

    def customer_replies():
        try:
            with transaction.atomic():
                locked = case_locked(case.pk)  # the door locks the case first
                holding.set()
                release.wait(10)
                ticket_reply(
                    case=locked,
                    author=User.objects.get(email="bob@acme.test"),
                    body="Version 4.2.",
                    now=closes,
                )
        finally:
            connection.close()

    thread = threading.Thread(target=customer_replies)
    thread.start()
    assert holding.wait(10)
    assert sla_sweep(now=closes)["closed"] == 0  # skipped: somebody holds it
    release.set()
    thread.join()
    assert sla_sweep(now=closes)["closed"] == 0  # the reply took it out of the wait
    case.refresh_from_db()
    assert (case.status, case.auto_close_at) == (Status.OPEN, None)


# ---------------------------------------------------------------- concurrency, operations


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_send_nothing_twice():
    from demo.people import demo_seed

    demo_seed()
    engineer = User.objects.get(email="engineer@demo.test")
    cases = []
    for i in range(12):
        case = file_case(
            "bob@acme.test", "Acme", 1, subject=f"Parallel {i}", received_at=denver(2026, 11, 23, 9, 0)
        )
        if i % 2:
            propose_solution(case, engineer, denver(2026, 11, 23, 9, 30))
        cases.append(case)
    now = denver(2026, 12, 9, 10, 0)  # every at-risk, breach and (for the odd ones) reminder is due
    start, results, errors = threading.Barrier(2), [], []

    def sweep():
        try:
            start.wait(10)
            results.append(sla_sweep(now=now, batch_size=2))
        except Exception as error:  # reported below; a thread's exception would otherwise vanish
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    total = {key: sum(result[key] for result in results) for key in results[0]}
    # The even ones never had a response; the odd ones had their solution proposed (and closed unconfirmed).
    assert total == {"at_risk": 6, "breached": 6, "reminded": 6, "closed": 6}
    for case in cases[::2]:
        assert CaseEvent.objects.filter(case=case, kind=EventKind.BREACHED).count() == 1
        assert emails(case, "breached") == ["supervisor@demo.test"]
    for case in cases[1::2]:
        assert (
            CaseEvent.objects.filter(case=case, kind=EventKind.STATUS_CHANGED, data__to="closed").count() == 1
        )
        assert emails(case, "auto_closed") == ["bob@acme.test"]
    rows = OutboundEmail.objects.values_list("event__case", "template", "address")
    assert len(rows) == len(set(rows))


def test_a_case_filed_while_the_broker_is_down_is_saved_and_the_sweep_catches_up(
    demo, django_capture_on_commit_callbacks
):
    working = app.conf.broker_url
    app.conf.broker_url, app._pool, app.amqp._producer_pool = "redis://127.0.0.1:9/0", None, None
    try:
        with django_capture_on_commit_callbacks(execute=True):
            case = file_case("bob@acme.test", "Acme", 1, received_at=denver(2026, 11, 23, 9, 0))
        assert Case.objects.filter(pk=case.pk).exists()
        with django_capture_on_commit_callbacks(execute=True):
            sla_sweep(now=denver(2026, 11, 23, 13, 0))  # the nudges fail; the rows wait for the outbox sweep
    finally:
        app.conf.broker_url, app._pool, app.amqp._producer_pool = working, None, None
    assert emails(case, "breached") == ["supervisor@demo.test"]
    assert (
        OutboundEmail.objects.filter(event__case=case, template="breached").get().status
        == EmailStatus.PENDING
    )


def test_sla_sweep_needs_an_instant_with_its_offset(db):
    with pytest.raises(CommandError, match="needs a UTC offset"):
        call_command("sla_sweep", "--now", "2026-12-10T10:00:00")
    with pytest.raises(CommandError, match="not an ISO-8601"):
        call_command("sla_sweep", "--now", "next tuesday")


def test_the_sweep_task_is_the_same_pass(demo):
    case = file_case("bob@acme.test", "Acme", 1, received_at=denver(2026, 11, 20, 9, 0))
    assert sla_sweep_task.apply().get()["breached"] == 1  # the real clock: long past
    assert events(case, EventKind.BREACHED)


def test_beat_runs_the_sweep_every_minute(transactional_db):
    DatabaseScheduler(app=app)
    task = PeriodicTask.objects.get(task="tickets.tasks.sla_sweep")
    assert (task.enabled, task.interval.every, task.interval.period) == (True, 60, "seconds")
    assert task.expire_seconds == 55


def test_healthz_says_whether_beat_ran_lately(client, db):
    assert client.get("/healthz").json() == {
        "status": "ok",
        "beat": {"status": "stale", "last_sla_sweep": None},
    }
    sla_sweep()
    answer = client.get("/healthz").json()
    assert answer["status"] == "ok"
    assert answer["beat"]["status"] == "ok"
