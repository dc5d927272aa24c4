"""The portal's case list (issue 14): open cases first, Open / Closed / All, a last-updated column and sort,
search in the description too, times that name their zone, the organization only when there is a choice,
and a distinct pill for each status."""

import datetime
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.utils import timezone

from tests.tickets.helpers import file_case
from tickets.actions import CaseAction
from tickets.models import Case, Status
from tickets.services import case_action, ticket_close


@pytest.fixture
def cases(demo):
    """Three cases of Bob's: one closed, two open, the older one changed last."""
    older = file_case(
        "bob@acme.test", "Acme", subject="Older printer jam", description="Tray 2\nkeeps jamming"
    )
    newer = file_case("bob@acme.test", "Acme", subject="Newer VPN drop")
    done = file_case("bob@acme.test", "Acme", subject="Finished typo report")
    with case_action(actor=demo["bob"], case=done, action=CaseAction.CLOSE) as locked:
        ticket_close(case=locked, actor=demo["bob"])
    Case.objects.filter(pk=older.pk).update(updated_at=timezone.now() + datetime.timedelta(minutes=5))
    return {"older": older, "newer": newer, "done": done}


def rows(page: str) -> list[str]:
    """The case subjects of a list page, in the order shown."""
    return re.findall(r'class="subject-link">([^<]+)</a>', page)


def test_the_list_shows_open_cases_until_asked_for_closed_or_all(client, demo, cases):
    client.force_login(demo["bob"])
    assert sorted(rows(client.get("/portal/").content.decode())) == ["Newer VPN drop", "Older printer jam"]
    assert rows(client.get("/portal/?status=closed").content.decode()) == ["Finished typo report"]
    assert len(rows(client.get("/portal/?status=all").content.decode())) == 3
    page = client.get("/portal/").content.decode()
    assert '<a href="?status=active" aria-current="page">Open</a>' in page
    assert '<a href="?status=closed" >Closed</a>' in page


def test_the_list_sorts_by_last_update_and_shows_it_with_its_time_zone(client, demo, cases):
    client.force_login(demo["bob"])  # Bob reads in America/Denver
    assert rows(client.get("/portal/").content.decode()) == ["Newer VPN drop", "Older printer jam"]
    page = client.get("/portal/?sort=updated").content.decode()
    assert rows(page) == ["Older printer jam", "Newer VPN drop"]
    assert '<option value="updated" selected>' in page
    assert '<th scope="col">Last updated</th>' in page
    updated = Case.objects.get(pk=cases["older"].pk).updated_at.astimezone(ZoneInfo("America/Denver"))
    assert f"{updated:%b} {updated.day}, {updated:%H:%M} {updated.tzname()}</time></td>" in page


def test_search_finds_words_of_the_description(client, demo, cases):
    client.force_login(demo["bob"])
    assert rows(client.get("/portal/?search=tray 2").content.decode()) == ["Older printer jam"]


def test_one_organization_is_not_shown_on_every_row_but_several_are(client, demo, cases):
    client.force_login(demo["bob"])
    assert "Organization" not in client.get("/portal/").content.decode()
    file_case("mia@northwind-msp.test", "Contoso Dental", subject="Contoso scanner")
    client.force_login(demo["mia"])
    page = client.get("/portal/").content.decode()
    assert '<th scope="col">Organization</th>' in page
    assert '<td data-label="Organization">Contoso Dental</td>' in page


def test_each_status_has_a_pill_of_its_own(client, demo, cases):
    css = (Path(settings.BASE_DIR) / "static" / "css" / "app.css").read_text()
    looks = {}
    for status in Status.values:
        rule = re.search(rf"\.status-{status} \{{([^}}]+)\}}", css)
        assert rule, f"no style for {status}"
        looks[status] = rule.group(1).strip()
    assert len(set(looks.values())) == len(Status.values)
    client.force_login(demo["bob"])
    page = client.get("/portal/?status=all").content.decode()
    assert '<span class="status status-closed">Closed</span>' in page
    assert '<span class="status status-new">New</span>' in page
