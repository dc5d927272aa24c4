"""Nobody reaches another tenant's case through the API: every route and method answers 404, exactly as for a
case that does not exist, and the case is left as it was. Alice (Acme) must never touch Northwind's cases;
Max (Northwind, limited to Contoso Dental and Fabrikam Logistics) must never touch Tailspin Clinics'."""

from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from tenants.models import Organization
from tests.factories import CaseFactory
from tickets import api_urls
from tickets.models import Attachment, Case, CaseEvent, Reply
from tickets.services import ticket_reply

MISSING = "SD-2026-99999"

# Every route under /api/v1/tickets/{number}/ and every method it answers, with a request that would change
# the case if it were let through.
ROUTES = [
    ("get", "tickets/<case_number:number>/", None),
    ("get", "tickets/<case_number:number>/replies/", None),
    ("post", "tickets/<case_number:number>/replies/", {"body": "Let me in."}),
    ("post", "tickets/<case_number:number>/confirm/", {}),
    ("post", "tickets/<case_number:number>/not-fixed/", {"body": "Not fixed."}),
    ("post", "tickets/<case_number:number>/close/", {}),
    ("post", "tickets/<case_number:number>/escalate/", {"reason": "Because."}),
    ("post", "tickets/<case_number:number>/severity/", {"severity": 1, "reason": "Because."}),
    ("put", "tickets/<case_number:number>/cc/", {"cc": []}),
    ("get", "tickets/<case_number:number>/attachments/", None),
    ("post", "tickets/<case_number:number>/attachments/", "upload"),
    # Support's routes (issue 9): a 404 to any customer, and first of all to another tenant.
    ("post", "tickets/<case_number:number>/assign/", {"take": True}),
    ("post", "tickets/<case_number:number>/request-info/", {"body": "Which version?"}),
    ("post", "tickets/<case_number:number>/propose-solution/", {"body": "Restart it."}),
    ("post", "tickets/<case_number:number>/reopen/", {"reason": "Because."}),
    ("post", "tickets/<case_number:number>/split/", {"cases": [{"subject": "A", "description": "B"}]}),
    ("post", "tickets/<case_number:number>/merge/", {"into": MISSING}),
    ("post", "tickets/<case_number:number>/link/", {"continues": None}),
    ("post", "tickets/<case_number:number>/product/", {"product": None}),
    ("post", "tickets/<case_number:number>/clear-escalation/", {"note": "Done."}),
    ("get", "tickets/<case_number:number>/events/", None),
]


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def send(client, method, route, number, payload):
    url = "/api/v1/" + route.replace("<case_number:number>", number)
    if payload == "upload":
        files = [SimpleUploadedFile("gateway.log", b"502\n", content_type="text/plain")]
        return client.post(url, {"file": files}, format="multipart")
    if payload is None:
        return getattr(client, method)(url)
    return getattr(client, method)(url, payload, format="json")


def snapshot(case: Case) -> dict:
    """Everything about a case that a request could change."""
    return {
        "row": Case.objects.filter(pk=case.pk).values().get(),
        "cc": list(case.cc.values_list("pk", flat=True)),
        "replies": list(Reply.objects.filter(case=case).values()),
        "attachments": list(Attachment.objects.filter(case=case).values_list("pk", flat=True)),
        "events": CaseEvent.objects.filter(case=case).count(),
    }


@dataclass
class Intrusion:
    client: APIClient  # signed in as the intruder
    case: Case  # the case out of the intruder's reach
    home: str  # an organization the intruder does act for
    stranger: str  # the email of a contact of another account than the intruder's


@pytest.fixture(
    params=[
        ("alice", "Contoso Dental", "Acme", "mia@northwind-msp.test"),
        ("max", "Tailspin Clinics", "Contoso Dental", "bob@acme.test"),
    ],
    ids=["alice", "max"],
)
def intrusion(request, demo, settings, tmp_path):
    """An intruder and a Northwind case with a proposed solution, so that every action would change it."""
    settings.MEDIA_ROOT = tmp_path
    intruder, organization, home, stranger = request.param
    case = CaseFactory(organization=Organization.objects.get(name=organization), requester=demo["mia"])
    case.cc.add(demo["mia"])
    ticket_reply(case=case, author=demo["engineer"], body="Try this.", kind="answer", propose_solution=True)
    return Intrusion(client=client_for(demo[intruder]), case=case, home=home, stranger=stranger)


def test_every_case_route_and_method_is_in_this_test():
    covered = {(method, route) for method, route, _ in ROUTES}
    for pattern in api_urls.urlpatterns:
        route = str(pattern.pattern)
        if "number" not in pattern.pattern.converters:  # whatever converter a new route uses
            continue
        view = pattern.callback.view_class
        for method in ["get", "post", "put", "patch", "delete"]:
            if hasattr(view, method):
                assert (method, route) in covered, f"add {method.upper()} {route} to ROUTES"


@pytest.mark.parametrize("method, route, payload", ROUTES, ids=[f"{m} {r}" for m, r, _ in ROUTES])
def test_another_tenants_case_answers_404_like_a_missing_one_and_is_left_alone(
    intrusion, method, route, payload
):
    client, case = intrusion.client, intrusion.case
    before = snapshot(case)

    response = send(client, method, route, case.number, payload)
    missing = send(client, method, route, MISSING, payload)

    assert response.status_code == 404
    assert response.json() == missing.json()
    assert snapshot(case) == before


@pytest.mark.parametrize("method", ["patch", "delete"])
def test_a_method_no_route_answers_is_still_404_on_another_tenants_case(intrusion, demo, method):
    client, case = intrusion.client, intrusion.case
    assert getattr(client, method)(f"/api/v1/tickets/{case.number}/").status_code == 404
    own = getattr(client_for(demo["mia"]), method)(f"/api/v1/tickets/{case.number}/")
    assert own.status_code == 405


def test_another_tenants_cases_never_show_in_the_list_or_its_search(intrusion):
    client, case = intrusion.client, intrusion.case
    for params in [{}, {"search": case.number}, {"organization": case.organization_id}]:
        answer = client.get("/api/v1/tickets/", params).json()
        assert answer["count"] == 0, params


@pytest.mark.parametrize(
    "field, foreign, missing",
    [
        ("organization", lambda intrusion: intrusion.case.organization_id, 999_999),
        ("continues", lambda intrusion: intrusion.case.number, MISSING),
        ("cc", lambda intrusion: [intrusion.stranger], ["nobody@nowhere.test"]),
    ],
)
def test_filing_a_case_cannot_point_at_another_tenant_or_tell_it_exists(intrusion, field, foreign, missing):
    form = {
        "organization": Organization.objects.get(name=intrusion.home).pk,
        "category": "sign_in",
        "subject": "Pointing elsewhere",
        "description": "Trying my luck.",
        "requested_severity": 3,
        "best_time_to_contact": {"from": "09:00", "to": "12:00", "time_zone": "America/Denver"},
    }
    cases_before = Case.objects.count()

    pointing = intrusion.client.post("/api/v1/tickets/", {**form, field: foreign(intrusion)}, format="json")
    nowhere = intrusion.client.post("/api/v1/tickets/", {**form, field: missing}, format="json")

    assert pointing.status_code == nowhere.status_code == 400
    assert pointing.json() == nowhere.json()
    assert list(pointing.json()) == [field]
    assert Case.objects.count() == cases_before


def test_a_case_view_cannot_replace_the_scoped_lookup():
    from tickets.api import ScopedCaseAPIView

    with pytest.raises(TypeError, match="must not override"):

        class Careless(ScopedCaseAPIView):
            def initial(self, request, *args, **kwargs):
                self.case = Case.objects.get(number=kwargs["number"])
