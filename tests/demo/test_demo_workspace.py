"""What `make run` gives the queue beyond the stories: a case taken by phone and one taken by chat on the
Premium account, logged by an engineer for a contact; `seed_demo` is safe to run again."""

import datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from demo.workspace import demo_workspace_seed
from sla.services import chat_is_open
from tickets.models import Case, CaseEvent, Channel, EventKind, OutboundEmail, Status

CHICAGO = ZoneInfo("America/Chicago")  # chat hours are Chicago's


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.mark.parametrize(
    "now",
    [
        datetime.datetime(2026, 11, 25, 11, 0, tzinfo=CHICAGO),  # a Wednesday morning: chat is staffed
        datetime.datetime(2026, 11, 25, 2, 10, tzinfo=CHICAGO),  # ten minutes after chat opened
        datetime.datetime(2026, 11, 28, 23, 0, tzinfo=CHICAGO),  # a Saturday night: chat is closed
        datetime.datetime(2026, 11, 30, 1, 0, tzinfo=CHICAGO),  # Monday, an hour before chat opens
    ],
    ids=["staffed", "just-opened", "saturday-night", "before-monday"],
)
def test_the_queue_has_a_chat_case_on_the_premium_account_taken_in_chat_hours(demo, now):
    demo_workspace_seed(now=now)

    case = Case.objects.select_related("account", "contract__tier", "requester").get(channel=Channel.CHAT)
    assert (case.account.name, case.contract.tier.slug) == ("Northwind MSP", "premium")
    assert (case.requester.email, case.status) == ("max@northwind-msp.test", Status.NEW)
    assert chat_is_open(now=case.received_at)
    assert now - datetime.timedelta(days=3) < case.received_at <= now
    created = CaseEvent.objects.get(case=case, kind=EventKind.CREATED)
    assert created.actor == demo["engineer2"]  # Priya took the chat, and is the account's TAM
    assert created.data["on_behalf_of"] == "max@northwind-msp.test"
    assert case.assignee == demo["engineer2"]
    assert list(
        OutboundEmail.objects.filter(event__case=case, template="case_logged").values_list(
            "address", flat=True
        )
    ) == ["max@northwind-msp.test"]


def test_the_phone_and_the_chat_case_sit_side_by_side_once_however_often_it_runs(demo):
    demo_workspace_seed(now=datetime.datetime(2026, 11, 25, 11, 0, tzinfo=CHICAGO))
    demo_workspace_seed(now=datetime.datetime(2026, 11, 26, 11, 0, tzinfo=CHICAGO))

    assert sorted(Case.objects.values_list("channel", flat=True)) == [Channel.CHAT, Channel.PHONE]


def test_seed_demo_twice_in_a_row_files_nothing_the_second_time(db, media):
    call_command("seed_demo", stdout=StringIO())
    cases = list(Case.objects.order_by("pk").values_list("number", "channel"))
    assert {Channel.PHONE, Channel.CHAT} <= {channel for _, channel in cases}

    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert list(Case.objects.order_by("pk").values_list("number", "channel")) == cases
    assert "Filed" not in out.getvalue()
    assert "Demo data ready." in out.getvalue()
