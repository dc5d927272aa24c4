"""Bad input is the client's mistake, never a server error: every case a pentest found answers a 4xx naming
the problem (or shows the page that does exist), on PostgreSQL, where a number too big for a key or a NUL in
a string would otherwise reach the database and fail there."""

import datetime
import json

import pytest
from django.core.exceptions import ValidationError
from django.utils import dateformat, timezone
from rest_framework.test import APIClient

from sla.models import Calendar
from tenants.models import Organization, Product, Version
from tests.tickets.helpers import file_case
from tickets.models import Case, Category
from tickets.services import ticket_create, ticket_reply

HUGE = "99999999999999999999"  # more than a PostgreSQL bigint holds
VERY_LONG = "9" * 5000  # more digits than Python's int() reads from a string
NUL = "\x00"
MIA = "mia@northwind-msp.test"


def api_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def mia(client, demo):
    client.force_login(demo["mia"])
    return client


@pytest.fixture
def mia_case(demo):
    return file_case(MIA, "Contoso Dental", subject="Agents stopped reporting")


def api_case_form(**changes) -> dict:
    form = {
        "organization": Organization.objects.get(name="Contoso Dental").pk,
        "category": "agent",
        "subject": "Agents stopped reporting",
        "description": "Since 08:00 no agent has checked in.",
        "requested_severity": 3,
        "best_time_to_contact": {"from": "09:00", "to": "12:00", "time_zone": "America/Chicago"},
    }
    return {**form, **changes}


def portal_case_form(**changes) -> dict:
    form = {
        "organization": str(Organization.objects.get(name="Contoso Dental").pk),
        "category": "agent",
        "subject": "Agents stopped reporting",
        "description": "Since 08:00 no agent has checked in.",
        "requested_severity": "3",
        "best_time_from": "09:00",
        "best_time_to": "12:00",
        "contact_time_zone": "America/Chicago",
    }
    return {**form, **changes}


# --- page numbers -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("page", [HUGE, VERY_LONG, "2"], ids=["huge", "5000 digits", "just past the end"])
def test_a_page_past_the_end_of_the_portal_shows_the_last_page_there_is(mia, mia_case, page):
    response = mia.get("/portal/", {"page": page})

    assert response.status_code == 200
    assert response.context["page"].number == 1
    assert mia_case.number in response.content.decode()


@pytest.mark.parametrize("cursor", [HUGE, VERY_LONG, "not-a-cursor"])
def test_a_queue_page_link_that_is_not_one_shows_the_first_page(client, demo, mia_case, cursor):
    client.force_login(demo["engineer"])

    response = client.get("/queue/", {"cursor": cursor})

    # Said (a 400 naming the link) and the list from the top shown, not an error page.
    assert response.status_code == 400
    assert "Filter “cursor” ignored" in response.content.decode()
    assert mia_case.number in response.content.decode()


@pytest.mark.parametrize("page", [HUGE, VERY_LONG, "2"], ids=["huge", "5000 digits", "just past the end"])
def test_a_page_past_the_end_of_the_api_list_is_404_invalid_page(demo, mia_case, page):
    response = api_for(demo["mia"]).get("/api/v1/tickets/", {"page": page})

    assert response.status_code == 404
    assert response.json() == {"detail": "Invalid page."}


# --- ids too big for a key, or not whole numbers ------------------------------------------------------------


@pytest.mark.parametrize("field", ["organization", "severity"])
@pytest.mark.parametrize("value", [HUGE, VERY_LONG])
def test_the_portal_list_says_which_filter_it_ignored_and_lists_by_the_rest(mia, mia_case, field, value):
    """The page reads its filters through the same code as the API, so it refuses the same values by name;
    being a page, it still lists by the filters that are right."""
    response = mia.get("/portal/", {field: value, "status": "active"})

    assert response.status_code == 400
    page = response.content.decode()
    assert f"Filter “{field}” ignored:" in page
    assert mia_case.number in page


@pytest.mark.parametrize("field", ["organization", "severity"])
def test_the_api_list_refuses_a_filter_id_too_big_for_a_key(demo, field):
    response = api_for(demo["mia"]).get("/api/v1/tickets/", {field: HUGE})

    assert response.status_code == 400
    assert list(response.json()) == [field]


@pytest.mark.parametrize("field", ["organization", "product", "version"])
@pytest.mark.parametrize(
    "raw, received",
    [
        ("1e400", "float"),  # read by JSON as infinity
        (HUGE, None),
        ("-1", None),
        ("1.5", "float"),
        ("true", "bool"),
        ('"12abc"', "str"),
    ],
)
def test_filing_through_the_api_refuses_an_id_that_is_not_a_key(demo, field, raw, received):
    # The number goes as written: json.dumps would turn infinity into "Infinity", which DRF refuses itself.
    payload = json.dumps(api_case_form(**{field: "ID"})).replace('"ID"', raw)

    response = api_for(demo["mia"]).post("/api/v1/tickets/", payload, content_type="application/json")

    assert response.status_code == 400
    assert list(response.json()) == [field]
    if received:
        assert response.json()[field] == [f"Incorrect type. Expected pk value, received {received}."]
    elif field == "organization":
        assert response.json()[field] == ["Choose one of the organizations you act for."]
    else:
        assert response.json()[field] == [f'Invalid pk "{raw}" - object does not exist.']
    assert Case.objects.count() == 0


def test_an_id_in_range_still_files_the_case(demo):
    gateway = Product.objects.get(name="Identity Gateway")
    form = api_case_form(product=gateway.pk, version=str(Version.objects.get(product=gateway, name="5.0").pk))

    response = api_for(demo["mia"]).post("/api/v1/tickets/", form, format="json")

    assert response.status_code == 201, response.json()
    assert response.json()["product"] == gateway.pk


def test_a_download_with_an_id_too_big_for_a_key_is_404(mia):
    assert mia.get(f"/portal/attachments/{HUGE}/").status_code == 404


@pytest.mark.parametrize("body", ["[" * 100_000, '{"a":' * 100_000], ids=["arrays", "objects"])
def test_json_nested_too_deeply_to_read_is_refused(demo, body):
    response = api_for(demo["mia"]).post("/api/v1/tickets/", body, content_type="application/json")

    assert response.status_code == 400
    assert response.json() == {"detail": "JSON parse error - nested too deeply."}


# --- NUL characters -----------------------------------------------------------------------------------------


def test_a_portal_search_with_a_nul_character_is_refused_by_name(mia, mia_case):
    response = mia.get("/portal/", {"search": f"a{NUL}b"})

    assert response.status_code == 400
    assert "Filter “search” ignored: Null characters are not allowed." in response.content.decode()


def test_an_api_search_with_a_nul_character_is_refused_by_name(demo):
    response = api_for(demo["mia"]).get("/api/v1/tickets/", {"search": f"a{NUL}b"})

    assert response.status_code == 400
    assert list(response.json()) == ["search"]


PORTAL_CASE_ROUTES = [
    ("get", ""),
    ("post", "reply/"),
    ("post", "confirm/"),
    ("post", "not-fixed/"),
    ("post", "close/"),
    ("post", "escalate/"),
    ("post", "cc/"),
    ("post", "severity/"),
]
API_CASE_ROUTES = [
    ("get", ""),
    ("get", "replies/"),
    ("post", "replies/"),
    ("post", "confirm/"),
    ("post", "not-fixed/"),
    ("post", "close/"),
    ("post", "escalate/"),
    ("put", "cc/"),
    ("get", "attachments/"),
    ("post", "attachments/"),
]


@pytest.mark.parametrize("number", [f"SD{NUL}", f"SD-2026-00001{NUL}", "SD-2026-" + "0" * 30, "SD 2026"])
@pytest.mark.parametrize("method, route", PORTAL_CASE_ROUTES)
def test_a_portal_case_route_with_a_number_no_case_can_have_is_404(client, demo, number, method, route):
    client.force_login(demo["engineer"])  # staff: every route would do something to a real case
    assert getattr(client, method)(f"/portal/cases/{number}/{route}").status_code == 404


@pytest.mark.parametrize("number", [f"SD{NUL}", f"SD-2026-00001{NUL}", "SD-2026-" + "0" * 30, "SD 2026"])
@pytest.mark.parametrize("method, route", API_CASE_ROUTES)
def test_an_api_case_route_with_a_number_no_case_can_have_is_404(demo, number, method, route):
    response = getattr(api_for(demo["engineer"]), method)(f"/api/v1/tickets/{number}/{route}")
    assert response.status_code == 404


def test_filing_through_the_api_refuses_a_continued_case_number_with_a_nul(demo, mia_case):
    form = api_case_form(continues=f"{mia_case.number}{NUL}")

    response = api_for(demo["mia"]).post("/api/v1/tickets/", form, format="json")

    assert response.status_code == 400
    assert list(response.json()) == ["continues"]


def test_filing_through_the_api_refuses_a_cc_email_with_a_nul(demo):
    form = api_case_form(cc=[f"max@northwind-msp.test{NUL}"])

    response = api_for(demo["mia"]).post("/api/v1/tickets/", form, format="json")

    assert response.status_code == 400
    assert list(response.json()) == ["cc"]


def test_setting_the_cc_list_through_the_api_refuses_an_email_with_a_nul(demo, mia_case):
    response = api_for(demo["mia"]).put(
        f"/api/v1/tickets/{mia_case.number}/cc/", {"cc": [f"max{NUL}@northwind-msp.test"]}, format="json"
    )

    assert response.status_code == 400
    assert list(response.json()) == ["cc"]


def test_the_sla_preview_refuses_a_tier_with_a_nul(demo):
    response = api_for(demo["mia"]).get(
        "/api/v1/sla/preview",
        {"tier": f"standard{NUL}", "severity": 1, "received_at": "2026-11-25T15:00:00-07:00"},
    )

    assert response.status_code == 400
    assert list(response.json()) == ["tier"]


@pytest.mark.parametrize("field", ["subject", "description", "category", "troubleshooting", "device_id"])
def test_filing_through_the_api_refuses_text_with_a_nul(demo, field):
    response = api_for(demo["mia"]).post(
        "/api/v1/tickets/", api_case_form(**{field: f"a{NUL}b"}), format="json"
    )

    assert response.status_code == 400
    assert list(response.json()) == [field]


@pytest.mark.parametrize("field", ["subject", "description", "troubleshooting", "continues"])
def test_filing_in_the_portal_refuses_text_with_a_nul(mia, field):
    response = mia.post("/portal/cases/new/", portal_case_form(**{field: f"a{NUL}b"}))

    assert response.status_code == 400
    assert list(response.context["form"].errors) == [field]


def test_filing_in_the_portal_refuses_a_cc_choice_with_a_nul(mia):
    response = mia.post("/portal/cases/new/", portal_case_form(cc=[f"1{NUL}"]))

    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["cc"]


@pytest.fixture
def proposed(demo, mia_case):
    ticket_reply(
        case=mia_case, author=demo["engineer"], body="Restart.", kind="answer", propose_solution=True
    )
    return mia_case


def test_turning_down_a_solution_in_the_portal_refuses_a_message_with_a_nul(mia, proposed):
    response = mia.post(f"/portal/cases/{proposed.number}/not-fixed/", {"body": f"still{NUL}broken"})

    assert response.status_code == 400
    assert list(response.context["not_fixed_form"].errors) == ["body"]
    assert Case.objects.get(pk=proposed.pk).status == "solution_proposed"


@pytest.mark.parametrize(
    "route, form_name, data",
    [
        ("reply/", "reply_form", {"body": f"a{NUL}b"}),
        ("escalate/", "escalate_form", {"reason": f"a{NUL}b"}),
    ],
)
def test_the_case_page_forms_refuse_text_with_a_nul(mia, mia_case, route, form_name, data):
    response = mia.post(f"/portal/cases/{mia_case.number}/{route}", data)

    assert response.status_code == 400
    assert list(response.context[form_name].errors) == list(data)


# --- time zones ---------------------------------------------------------------------------------------------

NOT_ZONES = ["America", "Etc", "../etc", "/etc/passwd", f"UTC{NUL}", "posixrules/../UTC"]


@pytest.mark.parametrize("zone", NOT_ZONES)
def test_filing_through_the_api_refuses_a_time_zone_that_is_not_one(demo, zone):
    window = {"from": "09:00", "to": "12:00", "time_zone": zone}

    response = api_for(demo["mia"]).post(
        "/api/v1/tickets/", api_case_form(best_time_to_contact=window), format="json"
    )

    assert response.status_code == 400
    assert list(response.json()) == ["best_time_to_contact"]
    assert list(response.json()["best_time_to_contact"]) == ["time_zone"]


@pytest.mark.parametrize("zone", ["America", "../etc"])
def test_filing_in_the_portal_refuses_a_time_zone_that_is_not_one(mia, demo, zone):
    demo["mia"].time_zone = zone  # a stored zone is offered in the list, so only the check stands in the way
    demo["mia"].save(update_fields=["time_zone"])

    response = mia.post("/portal/cases/new/", portal_case_form(contact_time_zone=zone))

    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["contact_time_zone"]


@pytest.mark.parametrize("zone", ["America", "", "../etc"])
def test_the_service_refuses_a_time_zone_that_is_not_one(demo, zone):
    with pytest.raises(ValidationError) as refused:
        ticket_create(
            requester=demo["mia"],
            organization=Organization.objects.get(name="Contoso Dental"),
            category=Category.objects.get(slug="agent"),
            subject="Agents stopped reporting",
            description="Since 08:00.",
            requested_severity=3,
            best_time_from=datetime.time(9),
            best_time_to=datetime.time(12),
            contact_time_zone=zone,
        )
    assert list(refused.value.message_dict) == ["best_time_to_contact"]


@pytest.mark.parametrize("zone", ["America", "../etc", ""])
def test_a_reader_whose_stored_time_zone_is_not_one_sees_times_in_utc(mia, demo, mia_case, zone):
    demo["mia"].time_zone = zone
    demo["mia"].save(update_fields=["time_zone"])

    response = mia.get(f"/portal/cases/{mia_case.number}/")

    assert response.status_code == 200
    filed = dateformat.format(timezone.localtime(mia_case.received_at, datetime.UTC), "D M j, Y H:i T")
    assert f"filed {filed}" in response.content.decode()


# --- times out of range, times with an offset ---------------------------------------------------------------


@pytest.mark.parametrize("received_at", ["0001-01-01T00:00:00+00:00", "9999-12-31T23:59:59-12:00"])
def test_the_sla_preview_refuses_a_received_time_outside_the_calendar(demo, received_at):
    response = api_for(demo["mia"]).get(
        "/api/v1/sla/preview", {"tier": "standard", "severity": 1, "received_at": received_at}
    )

    assert response.status_code == 400
    assert list(response.json()) == ["received_at"]
    assert "between 2000 and 2060" in response.json()["received_at"][0]


@pytest.mark.parametrize("end", ["from", "to"])
def test_filing_through_the_api_refuses_a_contact_time_with_an_offset(demo, end):
    window = {"from": "09:00", "to": "12:00", "time_zone": "Asia/Kolkata", end: "10:30+05:30"}

    response = api_for(demo["mia"]).post(
        "/api/v1/tickets/", api_case_form(best_time_to_contact=window), format="json"
    )

    assert response.status_code == 400
    assert response.json() == {
        "best_time_to_contact": {
            end: ["Give a local time such as 09:00; the time zone goes in time_zone."],
        }
    }


@pytest.mark.parametrize("field", ["best_time_from", "best_time_to"])
def test_filing_in_the_portal_refuses_a_contact_time_with_an_offset(mia, field):
    response = mia.post("/portal/cases/new/", portal_case_form(**{field: "09:00+05:00"}))

    assert response.status_code == 400
    assert list(response.context["form"].errors) == [field]


def test_an_sla_calendar_refuses_a_time_zone_that_is_not_one(db):
    calendar = Calendar(slug="odd", name="Odd", time_zone="America", weekly_hours="Mon-Fri 09:00-17:00")

    with pytest.raises(ValidationError) as refused:
        calendar.full_clean()
    assert list(refused.value.message_dict) == ["time_zone"]


def test_a_person_refuses_a_time_zone_that_is_not_one(demo):
    """Every form over a person (the admin's, allauth's) validates the model: a stored zone is always one."""
    person = demo["bob"]
    person.time_zone = "America"

    with pytest.raises(ValidationError) as refused:
        person.full_clean()
    assert list(refused.value.message_dict) == ["time_zone"]


def test_a_token_with_a_nul_character_is_refused_like_any_wrong_token(demo):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION="Token abc\x00def")
    response = api.get("/api/v1/tickets/")
    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid token."}
