"""Charlie should have no access to Alice's stuff: every portal page answers 404 outside the reader's scope,
exactly as for a case that does not exist, and changes nothing."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.tickets.helpers import file_case
from tickets.models import Case, ResponseKind
from tickets.services import ticket_reply

PAGES = [
    ("get", "/portal/cases/{number}/", {}),
    ("post", "/portal/cases/{number}/reply/", {"body": "Let me in"}),
    ("post", "/portal/cases/{number}/confirm/", {}),
    ("post", "/portal/cases/{number}/not-fixed/", {"body": "x"}),
    ("post", "/portal/cases/{number}/close/", {}),
    ("post", "/portal/cases/{number}/escalate/", {"reason": "x"}),
    ("post", "/portal/cases/{number}/cc/", {}),
    ("post", "/portal/cases/{number}/severity/", {"severity": "1", "reason": "x"}),
]


@pytest.fixture
def cases(demo):
    """A Northwind case in Tailspin Clinics (outside Max's scope) with a proposed solution and a file."""
    case = file_case(
        "mia@northwind-msp.test", "Tailspin Clinics", attachments=[SimpleUploadedFile("a.log", b"secret")]
    )
    ticket_reply(
        case=case, author=demo["engineer"], body="Try this", kind=ResponseKind.ANSWER, propose_solution=True
    )
    return {"tailspin": case}


def snapshot(case):
    case = Case.objects.get(pk=case.pk)
    return (case.status, case.escalated_at, case.replies.count(), list(case.cc.all()))


@pytest.mark.parametrize("who", ["alice", "bob", "fred", "erin", "max"])
@pytest.mark.parametrize("method, path, data", PAGES)
def test_people_outside_the_scope_get_404_and_change_nothing(client, demo, cases, who, method, path, data):
    case = cases["tailspin"]
    before = snapshot(case)
    client.force_login(demo[who])
    response = getattr(client, method)(path.format(number=case.number), data)
    assert response.status_code == 404
    assert snapshot(case) == before
    # The same answer as for a case number that does not exist at all.
    assert getattr(client, method)(path.format(number="SD-2099-99999"), data).status_code == 404


@pytest.mark.parametrize("who", ["alice", "max", "erin"])
def test_attachments_of_other_tenants_are_404(client, demo, cases, who):
    client.force_login(demo[who])
    attachment = cases["tailspin"].attachments.get()
    assert client.get(f"/portal/attachments/{attachment.pk}/").status_code == 404


def test_mia_sees_the_tailspin_case_that_max_cannot(client, demo, cases):
    client.force_login(demo["mia"])
    assert client.get(f"/portal/cases/{cases['tailspin'].number}/").status_code == 200
    assert cases["tailspin"].number in client.get("/portal/").content.decode()
    client.force_login(demo["max"])
    assert cases["tailspin"].number not in client.get("/portal/").content.decode()
    tailspin_id = cases["tailspin"].organization_id
    assert cases["tailspin"].number not in client.get(f"/portal/?organization={tailspin_id}").content.decode()


def test_signed_out_visitors_are_sent_to_sign_in(client, demo, cases):
    for method, path, data in PAGES:
        response = getattr(client, method)(path.format(number=cases["tailspin"].number), data)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_engineers_see_every_case_with_internal_notes(client, demo, cases):
    ticket_reply(
        case=cases["tailspin"], author=demo["engineer"], body="Internal: check the IdP", internal=True
    )
    client.force_login(demo["engineer2"])
    page = client.get(f"/portal/cases/{cases['tailspin'].number}/").content.decode()
    assert "Internal: check the IdP" in page and "Internal note" in page
