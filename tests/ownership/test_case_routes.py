"""Charlie should have no access to Alice's stuff, on any route, by any method.

Every URL that takes a case number (the portal pages under /portal/cases/<number>/ and the API under
/api/v1/tickets/<number>/) and every URL that takes an attachment id is found by walking Django's URL
resolver, so a new route is covered the day it is added. For each route and each of GET, POST, PUT, PATCH
and DELETE, everyone who may not see the case asks for it with a body that would change it, and gets exactly
what a case that does not exist gets: 404 when signed in, the sign-in page (pages) or 401 (API) when not.
The case is left as it was: its whole row, replies, events, attachments, CCs and queued emails.

Who may not see it: everyone of another account (Acme Dental, a Free and an expired account), Harbor's MSP
admin limited to the other two organizations, a Harbor contact who is neither requester nor CC'd, a
deactivated contact who was once copied on it, and a visitor who has not signed in. The positive controls
at the end show that the same requests do reach and change the case for the people who may act on it, and
that a scope which forgot the tenant would fail this test on every route and method.

Support's own routes (a view marked `staff_only`: assign, split, merge, the audit trail …) answer 404 to every
customer, even one who may read the case, exactly as for a case that does not exist.
"""

import datetime
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.contrib.messages import SUCCESS, get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.db.models import Q
from django.shortcuts import resolve_url
from django.test import Client, override_settings
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.urls import URLResolver, get_resolver
from rest_framework.parsers import MultiPartParser
from rest_framework.test import APIClient
from rest_framework.views import APIView

from tenants.models import Membership, Product, Version
from tests.fixtures import TwoTenants, two_tenants_build
from tests.tickets.helpers import file_case
from tickets.converters import CaseNumberConverter
from tickets.models import Attachment, Case, CaseEvent, OutboundEmail, Reply, ResponseKind
from tickets.scope import CaseScope
from tickets.services import ticket_cc_set, ticket_close, ticket_escalate, ticket_reply

METHODS = ["get", "post", "put", "patch", "delete"]
MISSING_NUMBER = "SD-2099-99999"  # a case number no case has
MISSING_ID = 2_000_000_000  # an attachment id no attachment has
ANONYMOUS = "anonymous visitor"

# Everyone who must not reach the case (see the module docstring), and everyone who may.
OUTSIDERS = [
    "a_admin",
    "a_contact",
    "a_contact_2",
    "free_admin",
    "expired_admin",
    "b_msp_admin_limited",
    "b_contact_all",
    "b_contact_deactivated",
    ANONYMOUS,
]
INSIDERS = ["b_contact", "b_contact_2", "b_msp_admin", "engineer", "supervisor", "staff_admin"]
# One of each way of seeing the case: its requester, a CC'd colleague, a portal admin, vendor staff.
INSIDERS_BY_REACH = ["b_contact", "b_contact_2", "b_msp_admin", "engineer"]


# ---------------------------------------------------------------------------------------------------------
# The routes, found by walking the URL resolver.


@dataclass(frozen=True)
class Route:
    template: str  # "/portal/cases/<case_number:number>/reply/"
    view: object  # the resolved callback
    takes: str  # "case" or "attachment"

    @property
    def is_api(self) -> bool:
        return isinstance(getattr(self.view, "cls", None), type) and issubclass(self.view.cls, APIView)

    @property
    def takes_files_as_multipart(self) -> bool:
        return self.is_api and MultiPartParser in self.view.cls.parser_classes

    @property
    def staff_only(self) -> bool:
        """Support's alone: a 404 to every customer, whoever may read the case."""
        view = getattr(self.view, "cls", self.view)
        return bool(getattr(view, "staff_only", False))

    def url(self, value) -> str:
        def fill(match):
            converter, name = match.group(1), match.group(2)
            if converter == "case_number" or name == "attachment_id":
                return str(value)
            raise AssertionError(f"{self.template}: teach this test what to put in <{match.group(0)}>")

        return re.sub(r"<(?:(\w+):)?(\w+)>", fill, self.template)

    def __str__(self) -> str:
        return self.template


def _walk(patterns, prefix="", converters=None):
    for entry in patterns:
        route = prefix + str(entry.pattern)
        found = {**(converters or {}), **entry.pattern.converters}
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, route, found)
        else:
            yield route, found, entry.callback


def _routes() -> list[Route]:
    routes = []
    for route, converters, view in _walk(get_resolver().url_patterns):
        if any(isinstance(converter, CaseNumberConverter) for converter in converters.values()):
            routes.append(Route("/" + route, view, "case"))
        elif "attachment_id" in converters:
            routes.append(Route("/" + route, view, "attachment"))
    return routes


ROUTES = _routes()
CASE_ROUTES = [route for route in ROUTES if route.takes == "case"]
ATTACHMENT_ROUTES = [route for route in ROUTES if route.takes == "attachment"]
CASE_MATRIX = [(route, method) for route in CASE_ROUTES for method in METHODS]
ATTACHMENT_MATRIX = [(route, method) for route in ATTACHMENT_ROUTES for method in METHODS]


def _ids(matrix):
    return [f"{method.upper()} {route}" for route, method in matrix]


# ---------------------------------------------------------------------------------------------------------
# The world: the two tenants and one Harbor case in Tailspin Toys, beyond the limited MSP admin's reach.


@dataclass
class World:
    tenants: TwoTenants
    case: Case
    files: dict[str, int]  # the case's attachment ids by where they hang: filed, on a reply, on a note
    media: Path
    clients: dict[str, Client]  # one per surface, signed in as each person in turn
    sessions: dict[str, str]  # a signed-in session of each person, by role name
    # What support's routes take: another open case and a closed one of the same account, a product.
    other_case: str = ""
    closed_case: str = ""
    product: int = 0
    version: int = 0


def files_of(case: Case) -> dict[str, int]:
    return {
        "filed": case.attachments.get(reply__isnull=True).pk,
        "on a reply": case.attachments.get(reply__is_internal=False, reply__isnull=False).pk,
        "on an internal note": case.attachments.get(reply__is_internal=True).pk,
    }


def case_beyond_the_limited_admin(tenants: TwoTenants) -> Case:
    """b_contact's case in Tailspin Toys, with something of every kind a request could change."""
    people = tenants.people
    case = file_case(
        people["b_contact"].email,
        tenants.organizations["b_3"].name,
        attachments=[SimpleUploadedFile("gateway.log", b"502 Bad Gateway\n")],
    )
    ticket_cc_set(case=case, actor=people["b_contact"], users=[people["b_contact_2"]])
    # Copied while still active: deactivation leaves the CC row in place, and must still lock the contact out.
    case.cc.add(people["b_contact_deactivated"])
    ticket_reply(
        case=case,
        author=people["b_contact"],
        body="It happens on every sign-in since 9:00.",
        attachments=[SimpleUploadedFile("sign-in.har", b'{"log": {}}')],
    )
    ticket_reply(
        case=case,
        author=people["engineer"],
        body="Internal: their IdP signing certificate expired last night.",
        internal=True,
        attachments=[SimpleUploadedFile("idp-metadata.xml", b"<EntityDescriptor/>")],
    )
    ticket_reply(
        case=case,
        author=people["engineer"],
        body="Upload the renewed IdP certificate under Settings → Single sign-on.",
        kind=ResponseKind.ANSWER,
        propose_solution=True,
    )
    return Case.objects.get(pk=case.pk)


@pytest.fixture(scope="module")
def built_world(django_db_setup, django_db_blocker, tmp_path_factory):
    """Built once for the module and rolled back at its end; each test runs in its own savepoint on top,
    so whatever a test changes is gone before the next one."""
    media = tmp_path_factory.mktemp("media")
    fast = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with (
        override_settings(MEDIA_ROOT=media, PASSWORD_HASHERS=fast),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        tenants = two_tenants_build()
        case = case_beyond_the_limited_admin(tenants)
        other = file_case(tenants.people["b_contact"].email, tenants.organizations["b_3"].name)
        closed = file_case(tenants.people["b_contact"].email, tenants.organizations["b_3"].name)
        ticket_close(case=closed, actor=tenants.people["b_contact"])
        product = Product.objects.create(name="Identity Gateway")
        version = Version.objects.create(product=product, name="4.0", ga_date=datetime.date(2025, 1, 6))
        # Two clients for the whole module (a new one loads the middleware and indexes the static files), and
        # everyone signed in once: each request below only picks whose session cookie it carries.
        clients = {"page": Client(), "api": APIClient()}
        sessions = {}
        for who, person in tenants.people.items():
            clients["page"].cookies.clear()  # or signing in flushes the previous person's session
            clients["page"].force_login(person)
            sessions[who] = clients["page"].cookies[settings.SESSION_COOKIE_NAME].value
        yield World(
            tenants=tenants,
            case=case,
            files=files_of(case),
            media=media,
            clients=clients,
            sessions=sessions,
            other_case=other.number,
            closed_case=closed.number,
            product=product.pk,
            version=version.pk,
        )
        transaction.set_rollback(True)


@pytest.fixture
def world(built_world, db, settings) -> World:
    settings.MEDIA_ROOT = built_world.media
    return built_world


# ---------------------------------------------------------------------------------------------------------
# Asking, and looking at the case.


def client_for(world: World, route: Route, who: str):
    client = world.clients["api" if route.is_api else "page"]
    client.cookies.clear()  # nobody else's session, and no message left over from them
    if who != ANONYMOUS:
        client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[who]
    return client


def changing_body(world: World, route: Route) -> dict:
    """Everything any case route takes, set to change the case: a reply, an escalation reason, a new
    severity, a new CC list, a file. Pages take CCs by id, the API by email."""
    # The colleague already copied stays (so that the CC'd colleague below does not drop itself), one joins.
    cc = [world.tenants["b_contact_2"], world.tenants["b_contact_all"]]
    body = {
        "body": "Let me in: I am taking over this case.",
        "reason": "Escalate: we are in charge of this case now.",
        "severity": 1,
        "kind": ResponseKind.ANSWER.value,
        "cc": [person.email if route.is_api else person.pk for person in cc],
        # Support's routes: take it, split it, merge it, link it, set its product, clear its escalation.
        "take": True,
        "into": world.other_case,
        "continues": world.closed_case,
        "product": world.product,
        "version": world.version,
        "note": "Escalation handled: we took it over.",
        "reopen_reason": "We are taking it over.",
    }
    if route.is_api:
        body["cases"] = [{"subject": "Takeover", "description": "Ours now."}]
    else:
        body.update({"subject_1": "Takeover", "description_1": "Ours now."})
    upload = SimpleUploadedFile("takeover.log", b"mine now\n", content_type="text/plain")
    if not route.is_api:
        body["attachments"] = upload
    elif route.takes_files_as_multipart:
        body["file"] = [upload]
    return body


def send(world: World, client, route: Route, method: str, value):
    url = route.url(value)
    if method == "get":
        return client.get(url)
    body = changing_body(world, route)
    if route.is_api:
        return getattr(client, method)(url, body, format="multipart" if "file" in body else "json")
    return client.generic(
        method.upper(), url, encode_multipart(BOUNDARY, body), content_type=MULTIPART_CONTENT
    )


def case_snapshot(world: World) -> dict:
    """Everything about the case a request could change, every column of every row; and what lies beside
    it (every case, reply, event, file and email in the database, every file on disk)."""
    case = world.case
    return {
        "case": Case.objects.filter(pk=case.pk).values().get(),
        "cc": list(Case.cc.through.objects.filter(case=case).order_by("pk").values()),
        "replies": list(Reply.objects.filter(case=case).order_by("pk").values()),
        "events": list(CaseEvent.objects.filter(case=case).order_by("pk").values()),
        "attachments": list(Attachment.objects.filter(case=case).order_by("pk").values()),
        "emails": list(OutboundEmail.objects.filter(event__case=case).order_by("pk").values()),
        "elsewhere": _row_counts(Case, Case.cc.through, Reply, CaseEvent, Attachment, OutboundEmail),
        "files": sorted(
            str(path.relative_to(world.media)) for path in world.media.rglob("*") if path.is_file()
        ),
    }


def _row_counts(*models) -> dict[str, int]:
    """How many rows each table holds, in one query."""
    # Table names from the models, no user input.
    counts = ", ".join(f"(SELECT count(*) FROM {model._meta.db_table})" for model in models)  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {counts}")
        return dict(zip([model.__name__ for model in models], cursor.fetchone(), strict=True))


def what_changed(before: dict, after: dict) -> list[str]:
    changed = [part for part in before if before[part] != after[part]]
    if "case" in changed:
        columns = [column for column in before["case"] if before["case"][column] != after["case"][column]]
        changed[changed.index("case")] = f"case columns {columns}"
    return changed


def refusal(route: Route, who: str, url: str) -> tuple[int, str | None]:
    """The one right answer to someone who may not see the case: (status, Location)."""
    if who != ANONYMOUS:
        return 404, None
    if route.is_api:
        return 401, None
    return 302, f"{resolve_url(settings.LOGIN_URL)}?next={quote(url)}"


def same_answer(answer, nowhere) -> bool:
    """The answer about the case is the answer about nothing: same status, same body (but for the CSRF
    token of the sign-out form, masked afresh on every page)."""

    def body(response) -> bytes:
        return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]*"', b"", response.content)

    return answer.status_code == nowhere.status_code and body(answer) == body(nowhere)


def trespass(world: World, route: Route, method: str, people, value, missing) -> list[str]:
    """Each person asks `route` with `method` about `value` (a case number or attachment id), then about
    `missing`. Returns what went wrong, one line per fault; [] when every one was turned away."""
    findings = []
    before = case_snapshot(world)
    for who in people:
        client = client_for(world, route, who)
        answer = send(world, client, route, method, value)
        after = case_snapshot(world)
        nowhere = send(world, client, route, method, missing)
        url = route.url(value)
        status, location = refusal(route, who, url)
        line = f"{who}: {method.upper()} {url} answered {answer.status_code}"
        if answer.status_code != status:
            findings.append(f"{line}, not {status}")
        if location is not None and answer.get("Location") != location:
            findings.append(f"{line} to {answer.get('Location')}, not to {location}")
        if location is None and not same_answer(answer, nowhere):
            findings.append(f"{line}, unlike for {route.url(missing)} ({nowhere.status_code})")
        if after != before:
            findings.append(f"{line} and changed {what_changed(before, after)}")
        before = after
    return findings


# ---------------------------------------------------------------------------------------------------------
# The ownership test.


def test_the_walk_finds_the_case_pages_the_case_api_and_the_downloads():
    templates = {route.template for route in ROUTES}
    assert "/portal/cases/<case_number:number>/" in templates
    assert "/portal/cases/<case_number:number>/reply/" in templates
    assert "/api/v1/tickets/<case_number:number>/" in templates
    assert "/api/v1/tickets/<case_number:number>/attachments/" in templates
    assert "/portal/attachments/<int:attachment_id>/" in templates
    assert all(route.template.startswith(("/portal/", "/api/v1/")) for route in ROUTES)


@pytest.mark.parametrize("route, method", CASE_MATRIX, ids=_ids(CASE_MATRIX))
def test_a_case_out_of_reach_answers_like_no_case_and_stays_as_it_was(world, route, method):
    findings = trespass(world, route, method, OUTSIDERS, world.case.number, MISSING_NUMBER)
    assert findings == []


@pytest.mark.parametrize("route, method", ATTACHMENT_MATRIX, ids=_ids(ATTACHMENT_MATRIX))
def test_a_file_of_a_case_out_of_reach_answers_like_no_file(world, route, method):
    findings = []
    for attachment_id in world.files.values():
        findings += trespass(world, route, method, OUTSIDERS, attachment_id, MISSING_ID)
    assert findings == []


# ---------------------------------------------------------------------------------------------------------
# Positive controls: the same requests reach the case for those who may, so each 404 above means "not yours".


def test_everyone_who_may_see_the_case_reads_it_on_the_page_and_the_api(world, client):
    number = world.case.number
    for who in INSIDERS:
        client.force_login(world.tenants[who])
        page = client.get(f"/portal/cases/{number}/")
        assert page.status_code == 200, who
        assert world.case.subject in page.content.decode(), who
        api = client.get(f"/api/v1/tickets/{number}/")
        assert api.status_code == 200, who
        assert api.json()["number"] == number, who


@pytest.mark.parametrize("route, method", CASE_MATRIX, ids=_ids(CASE_MATRIX))
def test_people_who_may_see_the_case_are_never_told_it_does_not_exist(world, route, method):
    """…except on support's own routes, which no customer learns exist."""
    for who in INSIDERS_BY_REACH:
        with transaction.atomic():  # each on the case as it was, not as the requester's close left it
            answer = send(world, client_for(world, route, who), route, method, world.case.number)
            transaction.set_rollback(True)
        if route.staff_only and not world.tenants[who].is_vendor_staff:
            assert answer.status_code == 404, f"{who}: {method.upper()} {route.url(world.case.number)}"
        else:
            assert answer.status_code != 404, f"{who}: {method.upper()} {route.url(world.case.number)}"


def _took_it(route: Route, answer) -> bool:
    """Did the route do what was asked? The API says so with a 2xx; a page with a success message."""
    if route.is_api:
        return 200 <= answer.status_code < 300
    return any(message.level == SUCCESS for message in get_messages(answer.wsgi_request))


@pytest.mark.parametrize("route", CASE_ROUTES, ids=str)
def test_the_bodies_sent_above_would_change_the_case(world, route):
    """Every route either shows the case (GET 200 to its requester) or takes a change; and when someone who
    may act gets a change through with exactly the body the outsiders sent, the snapshot sees it."""
    reader = client_for(world, route, "engineer" if route.staff_only else "b_contact")
    shows = send(world, reader, route, "get", world.case.number).status_code == 200
    prepare_for(world, route)
    taken = []
    for method in METHODS[1:]:
        # The requester decides, staff validate the severity, a supervisor clears an escalation.
        for who in ["b_contact", "engineer", "supervisor"]:
            before = case_snapshot(world)
            answer = send(world, client_for(world, route, who), route, method, world.case.number)
            if _took_it(route, answer):
                assert case_snapshot(world) != before, f"{who}: {method.upper()} {route} changed nothing"
                taken.append(method)
                break
    api_writes = {method for method in METHODS[1:] if route.is_api and hasattr(route.view.cls, method)}
    assert api_writes <= set(taken)
    assert shows or taken, f"{route} neither shows the case nor takes a change"


def prepare_for(world: World, route: Route) -> None:
    """Put the case in the state a route acts on: reopen needs it closed, clearing an escalation needs one,
    and proposing a solution needs none proposed yet."""
    action = route.template.rstrip("/").rsplit("/", 1)[-1]
    case = Case.objects.get(pk=world.case.pk)
    requester = world.tenants["b_contact"]
    if action == "reopen":
        ticket_close(case=case, actor=requester)
    elif action == "clear-escalation":
        ticket_escalate(case=case, actor=requester, reason="Payroll runs tonight.")
    elif action == "propose-solution":
        ticket_reply(case=case, author=world.tenants["engineer"], body="Looking.", kind=ResponseKind.ANSWER)


def test_files_download_for_those_who_may_read_them(world, client):
    expected = {
        "b_contact": {"filed": 200, "on a reply": 200, "on an internal note": 404},
        "b_msp_admin": {"filed": 200, "on a reply": 200, "on an internal note": 404},
        "engineer": {"filed": 200, "on a reply": 200, "on an internal note": 200},
    }
    for who, statuses in expected.items():
        client.force_login(world.tenants[who])
        got = {
            where: client.get(f"/portal/attachments/{pk}/").status_code for where, pk in world.files.items()
        }
        assert got == statuses, who


@pytest.mark.parametrize("surface", ["page", "api"])
def test_a_scope_that_forgot_the_tenant_fails_the_ownership_test_everywhere(world, monkeypatch, surface):
    """Every assertion of the matrix can fail: with a scope that lets any signed-in person see every case,
    every route and method reports Acme's portal admin, and each write it may do reports a changed case.
    (Support's own routes are left out: they answer 404 to every customer whatever the scope says, which
    the tests above hold.)"""
    monkeypatch.setattr(
        CaseScope, "cases", lambda scope: Case.objects.all() if scope.user else Case.objects.none()
    )
    unreported, changed = [], set()
    matrix = [(route, method, world.case.number, MISSING_NUMBER) for route, method in CASE_MATRIX]
    matrix += [(route, method, world.files["filed"], MISSING_ID) for route, method in ATTACHMENT_MATRIX]
    for route, method, value, missing in matrix:
        if route.is_api != (surface == "api") or route.staff_only:
            continue
        with transaction.atomic():  # each on the case as it was: a close would stop every later write
            findings = trespass(world, route, method, ["a_admin"], value, missing)
            transaction.set_rollback(True)
        if not findings:
            unreported.append(f"{method.upper()} {route}")
        if any(" and changed " in finding for finding in findings):
            changed.add(route.template.rstrip("/").rsplit("/", 1)[-1])
    assert unreported == []
    # What a portal admin may do to a case: not validate the severity (staff's), and on the API not copy
    # people of another account either (its cc field takes only the reader's own colleagues).
    if surface == "api":
        assert changed == {"replies", "attachments", "confirm", "not-fixed", "close", "escalate"}
    else:
        assert changed == {"reply", "confirm", "not-fixed", "close", "escalate", "cc"}


def _scope_forgetting(rule: str):
    """CaseScope.cases as it would be with one of its rules forgotten (tickets/scope.py states them)."""

    def cases(scope):
        if scope.is_vendor_staff:
            return Case.objects.all()
        if scope.user is None:
            return Case.objects.none()
        membership = scope.membership
        if rule == "deactivation":
            membership = Membership.objects.filter(user=scope.user).first()
        if membership is None:
            return Case.objects.none()
        cases = (
            Case.objects.all() if rule == "tenant" else Case.objects.filter(account_id=membership.account_id)
        )
        if rule != "organizations" and not membership.all_organizations:
            cases = cases.filter(organization__memberships=membership)
        if rule != "requester or CC" and membership.role != Membership.Role.ADMIN:
            cases = cases.filter(Q(requester=scope.user) | Q(cc=scope.user))
        return cases

    return cases


@pytest.mark.parametrize(
    "rule, caught_by",
    [
        ("tenant", ["a_admin", "free_admin", "expired_admin"]),  # their contacts see only their own cases
        ("organizations", ["b_msp_admin_limited"]),
        ("requester or CC", ["b_contact_all"]),
        ("deactivation", ["b_contact_deactivated"]),
    ],
)
def test_each_rule_of_the_scope_has_an_outsider_who_catches_its_loss(world, monkeypatch, rule, caught_by):
    monkeypatch.setattr(CaseScope, "cases", _scope_forgetting(rule))
    reading = {"/portal/cases/<case_number:number>/", "/api/v1/tickets/<case_number:number>/"}
    caught = set()
    for route in CASE_ROUTES:
        if route.template in reading:
            for finding in trespass(world, route, "get", OUTSIDERS, world.case.number, MISSING_NUMBER):
                caught.add(finding.split(":")[0])
    assert sorted(caught) == sorted(caught_by)
