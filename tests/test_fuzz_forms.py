"""No form post makes the portal fail: Hypothesis fills the portal's forms (and the case list's filters) with
anything at all, sensible values mixed with NUL characters, numbers too big for any key, odd Unicode, time
zones that are folders, times with offsets, and every answer must be below 500.

Bounded and derandomized (the same examples every run), on PostgreSQL, with no example database written.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tenants.models import Organization, Product, User, Version
from tests.tickets.helpers import file_case
from tickets.models import Category
from tickets.services import ticket_reply

FUZZ = settings(
    max_examples=30,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
ODD = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "99999999999999999999",
    "9" * 5000,
    "-1",
    "0",
    "1.5",
    "1e400",
    "true",
    "America",
    "../etc",
    "09:00+05:00",
    "24:00",
    "SD-2026-00001",
    "SD-2026-00001\x00",
    "\u202etxt.exe",
    "𝕊𝔻",
    "ＳＤ",
    "x" * 300,
    # Markdown that has made renderers stumble: deep nesting, runs of markers, raw HTML.
    "> " * 1000 + "deep",
    "*" * 5000,
    "[a](" * 1000,
    "`" * 1000,
    "<img src=x onerror=alert(1)>",
    "[x](javascript:alert(1))",
]
# Browsers send text, never unpaired surrogates: those cannot even be encoded into a form post.
TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=60)
ANYTHING = st.one_of(st.sampled_from(ODD), TEXT, st.integers().map(str))


def form(sensible: dict, extra: dict | None = None):
    """A sensible form (one strategy per field), then up to three of its fields, or of `extra` (fields a
    browser would not send), replaced by anything at all or left out. A form with every field odd would stop
    at the first check; this way each check gets its turn, and some posts go all the way through."""
    keys = sorted({*sensible, *(extra or {})})
    odd = st.dictionaries(st.sampled_from(keys), st.none() | ANYTHING, max_size=3)

    def merge(base, changes):
        merged = {**base, **changes}
        return {key: value for key, value in merged.items() if value is not None}

    return st.tuples(st.fixed_dictionaries(sensible), odd).map(lambda pair: merge(*pair))


def one_of_these(values):
    return st.sampled_from(list(values))


ODD_FILE_NAMES = [
    "ok.log",
    "a\x00b.log",
    "../../etc/passwd.log",
    "x" * 300 + ".log",
    "noext",
    "\u202egol.exe",
]
FILES = st.lists(
    st.builds(
        lambda name, content: SimpleUploadedFile(name, content),
        st.sampled_from(ODD_FILE_NAMES),
        st.binary(max_size=64),
    ),
    max_size=2,
)


@pytest.fixture
def world(demo, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    case = file_case("mia@northwind-msp.test", "Contoso Dental", subject="Agents stopped reporting")
    proposed = file_case("mia@northwind-msp.test", "Tailspin Clinics", subject="Sign-in loops")
    ticket_reply(
        case=proposed, author=demo["engineer"], body="Restart.", kind="answer", propose_solution=True
    )
    return {
        "case": case.number,
        "proposed": proposed.number,
        # Mia's three, and Acme of another tenant.
        "organizations": [
            str(pk)
            for pk in Organization.objects.filter(account__name__in=["Northwind MSP", "Acme"]).values_list(
                "pk", flat=True
            )
        ],
        "products": [str(pk) for pk in Product.objects.values_list("pk", flat=True)],
        "versions": [str(pk) for pk in Version.objects.values_list("pk", flat=True)],
        "people": [str(pk) for pk in User.objects.values_list("pk", flat=True)],
        # Every slug on offer, and one retired.
        "categories": [
            *Category.objects.values_list("slug", flat=True),
            Category.objects.create(slug="fax", label="Fax machines", is_active=False).slug,
        ],
    }


def answers_below_500(response):
    assert response.status_code < 500, response.request


@FUZZ
@given(data=st.data())
def test_filing_a_case_in_the_portal_never_fails(client, demo, world, data):
    client.force_login(demo["mia"])
    case_form = form(
        {
            "organization": one_of_these(world["organizations"]),
            "category": one_of_these(world["categories"]),
            "subject": st.just("Agents stopped reporting"),
            "description": st.just("Since 08:00 no agent has checked in."),
            "requested_severity": one_of_these(["1", "2", "3"]),
            "best_time_from": one_of_these(["09:00", "17:30"]),
            "best_time_to": one_of_these(["12:00", "09:00"]),
            "contact_time_zone": one_of_these(["America/Chicago", "UTC"]),
            "product": one_of_these(["", *world["products"]]),
            "version": one_of_these(["", *world["versions"]]),
            "continues": one_of_these(["", world["case"], world["proposed"]]),
            "cc": st.lists(one_of_these(world["people"]), max_size=2),
            "attachments": FILES,
        },
        extra={
            "device_id": None,
            "operating_system": None,
            "os_version": None,
            "contact_phone": None,
            "troubleshooting": None,
        },
    )
    answers_below_500(client.post("/portal/cases/new/", data.draw(case_form)))


@FUZZ
@given(query=form({"continues": one_of_these(["", "SD-2026-00001"])}))
def test_opening_the_case_form_never_fails(client, demo, world, query):
    client.force_login(demo["mia"])
    answers_below_500(client.get("/portal/cases/new/", query))


@FUZZ
@given(data=st.data())
def test_the_case_page_forms_never_fail(client, demo, world, data):
    """Reply, escalate, not fixed, CC, confirm and close, as the customer."""
    client.force_login(demo["mia"])
    route, posted = data.draw(
        st.one_of(
            st.tuples(
                st.just("reply"),
                form(
                    {"body": st.just("It still fails."), "attachments": FILES},
                    extra={"internal": None, "kind": None, "propose_solution": None},
                ),
            ),
            st.tuples(st.just("escalate"), form({"reason": st.just("Production is down.")})),
            st.tuples(st.just("not-fixed"), form({"body": st.just("Still loops.")})),
            st.tuples(st.just("cc"), form({"cc": st.lists(one_of_these(world["people"]), max_size=2)})),
            st.tuples(one_of_these(["confirm", "close"]), form({}, extra={"body": None})),
        )
    )
    number = data.draw(one_of_these([world["case"], world["proposed"]]))
    answers_below_500(client.post(f"/portal/cases/{number}/{route}/", posted))
    answers_below_500(client.get(f"/portal/cases/{number}/"))  # the conversation, rendered


@FUZZ
@given(data=st.data())
def test_the_staff_forms_never_fail(client, demo, world, data):
    """Severity and replies as an engineer, who may use every field."""
    client.force_login(demo["engineer"])
    route, posted = data.draw(
        st.one_of(
            st.tuples(
                st.just("severity"),
                form({"severity": one_of_these(["1", "2", "3"]), "reason": st.just("Customer confirmed.")}),
            ),
            st.tuples(
                st.just("reply"),
                form(
                    {
                        "body": st.just("Restart the agent."),
                        "kind": one_of_these(["answer", "request_info", ""]),
                        "internal": one_of_these(["on", ""]),
                        "propose_solution": one_of_these(["on", ""]),
                        "attachments": FILES,
                    }
                ),
            ),
        )
    )
    answers_below_500(client.post(f"/portal/cases/{world['case']}/{route}/", posted))
    answers_below_500(client.get(f"/portal/cases/{world['case']}/"))


@FUZZ
@given(data=st.data())
def test_the_case_list_filters_never_fail(client, demo, world, data):
    client.force_login(demo["mia"])
    filters = form(
        {
            "search": one_of_these(["", "SD-2026", "Agents"]),
            "status": one_of_these(["", "active", "new", "closed"]),
            "organization": one_of_these(["", *world["organizations"]]),
            "severity": one_of_these(["", "1", "2", "3"]),
            "page": one_of_these(["1", "2"]),
        }
    )
    answers_below_500(client.get("/portal/", data.draw(filters)))


@FUZZ
@given(page=ANYTHING, who=one_of_these(["engineer", "supervisor"]))
def test_the_queue_never_fails(client, demo, world, page, who):
    client.force_login(demo[who])
    answers_below_500(client.get("/queue/", {"page": page}))


@FUZZ
@given(number=ANYTHING, attachment=ANYTHING)
def test_case_and_download_addresses_never_fail(client, demo, world, number, attachment):
    client.force_login(demo["mia"])
    answers_below_500(client.get(f"/portal/cases/{number}/"))
    answers_below_500(client.get(f"/portal/attachments/{attachment}/"))
