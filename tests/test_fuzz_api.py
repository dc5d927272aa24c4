"""No request makes the API fail: schemathesis writes requests from our own OpenAPI schema, valid ones and
invalid ones, for every operation, and every answer must be below 500.

Mia (Northwind) signs in with a token, against the demo data and two cases of hers (one with a proposed
solution, so that the customer's decisions do something), on PostgreSQL through the WSGI application as a
server runs it. The budget is bounded and the examples are derived from the test's name (derandomize), so CI
sees the same requests every run; Hypothesis keeps no example database in the repository.
"""

import datetime
import json
import sys

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import got_request_exception, request_finished, request_started
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from schemathesis import GenerationMode

from tenants.models import Organization, Product, Version
from tests.tickets.helpers import file_case
from tickets.models import Category
from tickets.services import ticket_reply

EXAMPLES = 25  # per operation and mode: about 700 requests in all
# Any characters, NUL and unpaired surrogates included.
TEXT = st.text(st.characters(exclude_categories=()), min_size=1, max_size=40)
EMAILS = ["max@northwind-msp.test", "mia@northwind-msp.test", "bob@acme.test", "nobody@example.test"]


def _schema():
    document = SchemaGenerator().get_schema(request=None, public=True)
    return schemathesis.openapi.from_dict(json.loads(OpenApiJsonRenderer().render(document)))


SCHEMA = _schema()
OPERATIONS = [
    (method.upper(), path)
    for path, item in SCHEMA.raw_schema["paths"].items()
    for method in item
    if method in {"get", "post", "put", "patch", "delete"}
]


def _takes_more(path: str, method: str) -> bool:
    operation = SCHEMA.raw_schema["paths"][path][method.lower()]
    return "requestBody" in operation or any(p["in"] == "query" for p in operation.get("parameters", []))


@pytest.fixture
def app():
    """The WSGI application inside the test's transaction: as Django's test client does, keep each request
    from closing the database connection when it ends (which would end the transaction too)."""
    errors = []

    def keep(sender, request=None, **kwargs):
        errors.append(sys.exc_info()[1])

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    got_request_exception.connect(keep)
    handler = WSGIHandler()
    handler.errors = errors
    yield handler
    got_request_exception.disconnect(keep)
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def mia_cases(demo):
    plain = file_case("mia@northwind-msp.test", "Contoso Dental", subject="Agents stopped reporting")
    proposed = file_case("mia@northwind-msp.test", "Tailspin Clinics", subject="Sign-in loops")
    ticket_reply(
        case=proposed, author=demo["engineer"], body="Restart.", kind="answer", propose_solution=True
    )
    Category.objects.create(slug="fax", label="Fax machines", is_active=False)
    return [plain, proposed]


def real_values(method: str, path: str, cases) -> tuple[str, st.SearchStrategy[dict]] | None:
    """Values naming real rows (Mia's and another tenant's), mixed into valid requests so that some get past
    the lookups to the services."""
    if (method, path) == ("POST", "/api/v1/tickets/"):
        window = st.fixed_dictionaries(
            {
                "from": st.sampled_from(["09:00", "17:30"]),
                "to": st.sampled_from(["12:00", "09:00"]),
                "time_zone": st.sampled_from(["America/Chicago", "UTC", "America", "Mars/Olympus"]),
            }
        )
        mine = list(Organization.objects.filter(account__name="Northwind MSP").values_list("pk", flat=True))
        return "body", st.fixed_dictionaries(
            {
                "organization": st.sampled_from(mine * 3 + [Organization.objects.get(name="Acme").pk]),
                "requested_severity": st.integers(1, 3),
                "best_time_to_contact": window,
                # The slugs on offer, a retired one ("fax"), or anything.
                "category": st.sampled_from(list(Category.objects.values_list("slug", flat=True))) | TEXT,
                "subject": TEXT,
                "description": TEXT,
                "product": st.none() | st.sampled_from(list(Product.objects.values_list("pk", flat=True))),
                "version": st.none() | st.sampled_from(list(Version.objects.values_list("pk", flat=True))),
                "cc": st.lists(st.sampled_from(EMAILS), max_size=2),
            },
            optional={"continues": st.sampled_from([case.number for case in cases])},
        )
    if (method, path) == ("PUT", "/api/v1/tickets/{number}/cc/"):
        return "body", st.fixed_dictionaries({"cc": st.lists(st.sampled_from(EMAILS), max_size=3)})
    if path == "/api/v1/sla/preview":
        return "query", st.fixed_dictionaries(
            {
                "tier": st.sampled_from(["standard", "premium", "enterprise", "free"]),
                "severity": st.integers(1, 3),
                # Any instant in any zone, years 1 to 9999: the preview must refuse what it cannot compute.
                "received_at": st.one_of(
                    st.datetimes(
                        min_value=datetime.datetime(2000, 1, 2),
                        max_value=datetime.datetime(2060, 12, 30),
                        timezones=st.timezones(),
                    ),
                    st.datetimes(timezones=st.timezones()),
                ).map(datetime.datetime.isoformat),
            }
        )
    return None


def with_real_values(strategy, real):
    """Each generated request with some real values put in."""
    where, values = real

    def merge(case, chosen):
        container = getattr(case, where)
        if chosen and isinstance(container, dict):
            setattr(case, where, {**container, **chosen})
        return case

    return st.tuples(strategy, values).map(lambda pair: merge(*pair))


def _takes_anything(path: str, method: str) -> bool:
    return "{" in path or _takes_more(path, method)


# An operation that takes no input at all (GET /status/) has nothing a negative run could make invalid.
RUNS = [
    (method, path, mode)
    for method, path in OPERATIONS
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
    if mode == GenerationMode.POSITIVE or _takes_anything(path, method)
]


@pytest.mark.parametrize("method, path, mode", RUNS, ids=[f"{m} {p} - {mode.value}" for m, p, mode in RUNS])
def test_no_request_makes_the_api_fail(app, demo, mia_cases, method, path, mode):
    operation = SCHEMA[path][method]
    headers = {"Authorization": f"Token {Token.objects.create(user=demo['mia']).key}"}
    number = mia_cases[1].number if "confirm" in path or "not-fixed" in path else mia_cases[0].number
    # One of Mia's cases, so that requests reach the handlers; but when the number is all there is to make
    # invalid, the negative run makes it invalid (the converter answers 404).
    fixed = (
        {"number": number}
        if "{number}" in path and (mode == GenerationMode.POSITIVE or _takes_more(path, method))
        else None
    )

    strategy = operation.as_strategy(generation_mode=mode, path_parameters=fixed)
    real = real_values(method, path, mia_cases)
    if real and mode == GenerationMode.POSITIVE:
        strategy = with_real_values(strategy, real)

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def answers_below_500(case):
        app.errors.clear()
        response = case.call(app=app, headers=headers)
        if app.errors:  # the traceback, rather than the bare 500 Django answered
            app.errors[0].add_note(f"Reproduce with: {case.as_curl_command(headers=headers)}")
            raise app.errors[0]
        assert response.status_code < 500, case.as_curl_command(headers=headers)

    answers_below_500()
