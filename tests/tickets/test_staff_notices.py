"""Staff are told: a new Severity 1 or Premium case, a customer's reply and "not fixed" reach the case's
assignee (or, with none, the engineers on duty) by email and as a notice in the app; each engineer chooses
which of these they get."""

import datetime

import pytest
from django.core import mail

from tests.tickets.helpers import file_case
from tickets.models import NoticeKind, OutboundEmail, ResponseKind, StaffNotice
from tickets.outbox import outbox_deliver
from tickets.services import ticket_not_fixed, ticket_reply
from tickets.services.notices import staff_notice_preference_set

# Monday 23 November 2026, seen from the demo engineers' desks (Erik in Denver, Priya in Chicago).
BOTH_WORKING = datetime.datetime(2026, 11, 23, 16, 0, tzinfo=datetime.UTC)  # 09:00 Denver, 10:00 Chicago
ONLY_DENVER = datetime.datetime(2026, 11, 24, 0, 30, tzinfo=datetime.UTC)  # 17:30 Denver, 18:30 Chicago
NIGHT = datetime.datetime(2026, 11, 23, 8, 0, tzinfo=datetime.UTC)  # 01:00 Denver, 02:00 Chicago


def told(kind):
    """Who has a notice of `kind`, and who is emailed about it, by email address."""
    notices = sorted(StaffNotice.objects.filter(kind=kind).values_list("recipient__email", flat=True))
    template = f"staff_{kind}"
    emails = sorted(OutboundEmail.objects.filter(template=template).values_list("address", flat=True))
    return notices, emails


def assign(case, person):
    case.assignee = person
    case.save(update_fields=["assignee"])
    return case


def test_a_new_severity_1_case_reaches_the_engineers_on_duty_by_email_and_in_the_app(demo):
    case = file_case("bob@acme.test", "Acme", severity=1, received_at=ONLY_DENVER)

    assert told(NoticeKind.NEW_CASE) == (["engineer@demo.test"], ["engineer@demo.test"])
    notice = StaffNotice.objects.get()
    assert (notice.case, notice.read_at, notice.created_at) == (case, None, ONLY_DENVER)

    outbox_deliver()
    [message] = [message for message in mail.outbox if message.to == ["engineer@demo.test"]]
    assert message.subject == f"[{case.number}] New Severity 1 Standard case: Users cannot sign in"
    assert "Nobody has it yet: you are told because you are on duty." in message.body
    assert f"/portal/cases/{case.number}/" in message.body


def test_every_engineer_working_now_is_on_duty(demo):
    file_case("bob@acme.test", "Acme", severity=1, received_at=BOTH_WORKING)

    both = ["engineer2@demo.test", "engineer@demo.test"]
    assert told(NoticeKind.NEW_CASE) == (both, both)


def test_at_night_with_nobody_working_every_engineer_is_told(demo):
    file_case("bob@acme.test", "Acme", severity=1, received_at=NIGHT)

    both = ["engineer2@demo.test", "engineer@demo.test"]
    assert told(NoticeKind.NEW_CASE) == (both, both)


def test_a_new_premium_case_of_any_severity_is_announced_but_a_standard_severity_3_is_not(demo):
    file_case("bob@acme.test", "Acme", severity=3, received_at=ONLY_DENVER)
    assert told(NoticeKind.NEW_CASE) == ([], [])

    file_case("mia@northwind-msp.test", "Contoso Dental", severity=3, received_at=ONLY_DENVER)
    assert told(NoticeKind.NEW_CASE) == (["engineer@demo.test"], ["engineer@demo.test"])


def test_a_customer_reply_reaches_the_assignee_only(demo):
    case = assign(file_case("bob@acme.test", "Acme"), demo["engineer2"])
    ticket_reply(case=case, author=demo["engineer2"], body="Which browser?", kind=ResponseKind.REQUEST_INFO)
    assert told(NoticeKind.CUSTOMER_REPLY) == ([], [])  # support's own reply tells nobody

    ticket_reply(case=case, author=demo["bob"], body="Firefox 140", now=BOTH_WORKING)

    # Erik is on duty too, but the case is Priya's: he hears nothing about it.
    assert told(NoticeKind.CUSTOMER_REPLY) == (["engineer2@demo.test"], ["engineer2@demo.test"])
    outbox_deliver()
    [message] = [message for message in mail.outbox if message.to == ["engineer2@demo.test"]]
    assert message.subject == f"[{case.number}] Bob Baker replied: Users cannot sign in"
    assert "Firefox 140" in message.body


def test_a_customer_reply_on_a_case_nobody_has_reaches_the_engineers_on_duty(demo):
    case = file_case("bob@acme.test", "Acme")
    ticket_reply(case=case, author=demo["bob"], body="Any news?", now=ONLY_DENVER)

    assert told(NoticeKind.CUSTOMER_REPLY) == (["engineer@demo.test"], ["engineer@demo.test"])


def test_an_internal_note_or_a_staff_reply_tells_no_engineer(demo):
    case = assign(file_case("bob@acme.test", "Acme"), demo["engineer"])
    ticket_reply(case=case, author=demo["engineer2"], body="Seen this before", internal=True)
    ticket_reply(case=case, author=demo["engineer2"], body="Try again", kind=ResponseKind.ANSWER)

    assert StaffNotice.objects.count() == 0


def test_not_fixed_reaches_the_assignee_by_email_and_in_the_app(demo):
    case = assign(file_case("bob@acme.test", "Acme"), demo["engineer"])
    ticket_reply(
        case=case,
        author=demo["engineer"],
        body="Clear the cache",
        kind=ResponseKind.ANSWER,
        propose_solution=True,
    )

    ticket_not_fixed(case=case, actor=demo["bob"], body="Still loops", now=NIGHT)

    assert told(NoticeKind.NOT_FIXED) == (["engineer@demo.test"], ["engineer@demo.test"])
    outbox_deliver()
    [message] = [
        message for message in mail.outbox if message.subject.startswith(f"[{case.number}] Not fixed")
    ]
    assert message.to == ["engineer@demo.test"]
    assert "says the proposed solution did not fix case" in message.body


def test_an_engineer_who_turned_a_kind_off_is_not_told_of_it_and_still_gets_the_others(demo):
    staff_notice_preference_set(user=demo["engineer"], kinds={NoticeKind.NEW_CASE, NoticeKind.NOT_FIXED})
    case = assign(file_case("bob@acme.test", "Acme", severity=1, received_at=ONLY_DENVER), demo["engineer"])

    ticket_reply(case=case, author=demo["bob"], body="Any news?", now=ONLY_DENVER)

    assert told(NoticeKind.NEW_CASE) == (["engineer@demo.test"], ["engineer@demo.test"])
    assert told(NoticeKind.CUSTOMER_REPLY) == ([], [])


@pytest.fixture
def engineer(client, demo):
    client.force_login(demo["engineer"])
    return client


def test_the_preferences_page_starts_with_everything_on_and_saves_the_choice(engineer, demo):
    page = engineer.get("/staff/notices/preferences/").content.decode()
    assert page.count("checked") == 3

    response = engineer.post("/staff/notices/preferences/", {"kinds": [NoticeKind.NOT_FIXED]})
    assert response.status_code == 302
    case = assign(file_case("bob@acme.test", "Acme", severity=1, received_at=ONLY_DENVER), demo["engineer"])
    ticket_reply(case=case, author=demo["bob"], body="Any news?", now=ONLY_DENVER)
    assert StaffNotice.objects.count() == 0
    assert engineer.get("/staff/notices/preferences/").content.decode().count("checked") == 1


def test_the_notices_page_lists_unread_first_and_opening_one_reads_it_and_shows_the_case(engineer, demo):
    older = file_case("bob@acme.test", "Acme", severity=1, subject="Older outage", received_at=NIGHT)
    newer = file_case("bob@acme.test", "Acme", severity=1, subject="Newer outage", received_at=ONLY_DENVER)
    first = StaffNotice.objects.get(recipient=demo["engineer"], case=newer)

    assert 'Notices <span class="tag tag-escalated">2<' in engineer.get("/staff/notices/").content.decode()
    response = engineer.get(f"/staff/notices/{first.pk}/")
    assert response.status_code == 302 and response.url == f"/portal/cases/{newer.number}/"
    first.refresh_from_db()
    assert first.read_at is not None

    page = engineer.get("/staff/notices/").content.decode()
    assert page.index("Older outage") < page.index("Newer outage")  # the unread one first
    assert 'Notices <span class="tag tag-escalated">1<' in page

    engineer.post("/staff/notices/read/")
    assert StaffNotice.objects.filter(recipient=demo["engineer"], read_at=None).count() == 0
    assert older.number in engineer.get("/staff/notices/").content.decode()


def test_someone_elses_notice_does_not_exist_for_me(engineer, demo):
    file_case("bob@acme.test", "Acme", severity=1, received_at=BOTH_WORKING)
    theirs = StaffNotice.objects.get(recipient=demo["engineer2"])

    assert engineer.get(f"/staff/notices/{theirs.pk}/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


@pytest.mark.parametrize("who", ["bob", "alice", "max"])
def test_customers_get_404_on_the_staff_notice_pages(client, demo, who):
    client.force_login(demo[who])
    for url in ["/staff/notices/", "/staff/notices/preferences/", "/staff/notices/1/"]:
        assert client.get(url).status_code == 404
    assert client.post("/staff/notices/read/").status_code == 404
