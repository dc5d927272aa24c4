"""The case page draws its forms fast without drawing them differently: its widgets (tickets/form_renderer.py)
and its fields (`{% form_field %}`) write exactly what Django's widget templates and templates/field.html
write, for every field of the forms that use them, blank, filled in, and sent back with errors. And the page
reads a fixed number of queries however long the thread is."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.forms.renderers import DjangoTemplates
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext

from tenants.models import Product, User, Version
from tenants.selectors import colleagues_for, filing_eligibility
from tests.tickets.helpers import file_case
from tickets import forms
from tickets.form_renderer import QUICK_WIDGETS
from tickets.macros import macros_offered
from tickets.models import Macro, ResponseKind
from tickets.phone_forms import PhoneCaseForm
from tickets.scope import scope_for
from tickets.services import ticket_reply
from tickets.templatetags.form_fields import form_field

TEMPLATES = DjangoTemplates()


def forms_to_draw(demo):
    """Every form class that draws through QUICK_WIDGETS or `{% form_field %}`, with what it is built with."""
    Macro.objects.create(name="Hello", kind=ResponseKind.ANSWER, body="Hello {contact_name}")
    bob = demo["bob"]
    scope = scope_for(bob)
    case_form = {
        "organizations": scope.organizations(),
        "contract": filing_eligibility(user=bob).contract,
        "colleagues": colleagues_for(scope=scope),
        "time_zone": "Europe/Berlin",
    }
    engineers = User.objects.exclude(staff_role="").order_by("pk")
    return [
        (forms.ReplyForm, {"macros": macros_offered()}),
        (forms.EscalateForm, {}),
        (forms.SeverityForm, {}),
        (forms.NotFixedForm, {}),
        (forms.CcForm, {"colleagues": colleagues_for(scope=scope)}),
        (forms.AssignForm, {"engineers": engineers}),
        (forms.StaffCloseForm, {}),
        (forms.ReopenForm, {}),
        (forms.ProductForm, {}),
        (forms.LinkForm, {}),
        (forms.MergeForm, {}),
        (forms.SplitForm, {}),
        (forms.ClearEscalationForm, {}),
        (forms.CaseForm, case_form),
        (PhoneCaseForm, case_form),
    ]


def filled_in(demo):
    """What people send: well-formed, then everything wrong at once (including markup to escape)."""
    colleague = colleagues_for(scope=scope_for(demo["bob"])).first()
    good = {
        "last_event": "12",
        "body": 'First line\n<script>alert("x")</script> & more',
        "kind": ResponseKind.ANSWER,
        "internal": "on",
        "macro": str(Macro.objects.get().pk),
        "reason": "Customer's words: <b>urgent</b>",
        "severity": "2",
        "cc": [str(colleague.pk)] if colleague else [],
        "assignee": str(demo["engineer"].pk),
        "close_reason": "resolved",
        "reopen_reason": "It came back",
        "product": str(Product.objects.order_by("pk").first().pk),
        "version": str(Version.objects.order_by("pk").first().pk),
        "continues": "SD-2026-00001",
        "into": "SD-2026-00002",
        "subject_1": 'Printer "A"',
        "description_1": "\nLeading line break",
        "close_original": "on",
        "note": "Done",
        "subject": "Cannot sign in",
        "description": "Nobody can.",
        "requested_severity": "2",
        "best_time_from": "09:00",
        "best_time_to": "17:00",
        "contact_time_zone": "Europe/Berlin",
        "channel": "phone",
    }
    wrong = {
        "last_event": "x",
        "kind": "nope",
        "severity": "9",
        "assignee": "999999",
        "product": "abc",
        "version": "888888",
        "close_reason": "bogus",
        "subject_1": "only a subject",
        "cc": ["-1"],
        "best_time_from": "25:00",
        "requested_severity": "7",
        "channel": "fax",
        "into": "x" * 30,
    }
    return [good, wrong, {}]


def each_state(form_class, kwargs, demo):
    yield form_class(auto_id="page_%s", initial={"severity": 3, "assignee": demo["engineer"].pk}, **kwargs)
    for data in filled_in(demo):
        files = {"attachments": [SimpleUploadedFile("log.txt", b"x")]}
        form = form_class(data, files, auto_id="page_%s", **kwargs)
        form.is_valid()
        yield form


def test_case_page_widgets_are_written_as_djangos_templates_write_them(demo):
    for form_class, kwargs in forms_to_draw(demo):
        for form in each_state(form_class, kwargs, demo):
            for name in form.fields:
                field = form[name]
                quick = field.as_widget()
                field.form.renderer = TEMPLATES
                assert quick == field.as_widget(), (form_class.__name__, name)
                field.form.renderer = QUICK_WIDGETS


def test_form_field_tag_writes_what_field_html_writes(demo):
    for form_class, kwargs in forms_to_draw(demo):
        for form in each_state(form_class, kwargs, demo):
            for name in form.fields:
                field = form[name]
                if field.is_hidden:
                    continue  # the page writes hidden fields bare, never through field.html
                assert form_field(field) == render_to_string("field.html", {"field": field}), (
                    form_class.__name__,
                    name,
                )


def _page_queries(client, case) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(f"/portal/cases/{case.number}/").status_code == 200
    return len(queries)


@pytest.mark.parametrize("who", ["engineer", "bob"])
def test_the_case_page_reads_the_same_number_of_queries_however_long_the_thread(demo, client, who):
    short = file_case("bob@acme.test", "Acme", 2, subject="Short thread")
    long = file_case("bob@acme.test", "Acme", 2, subject="Long thread")
    for number in range(6):
        ticket_reply(
            case=long,
            author=demo["engineer"] if number % 2 else demo["bob"],
            body=f"Message {number}",
            internal=number == 3,
            kind=ResponseKind.ANSWER if number % 2 else "",
            attachments=[SimpleUploadedFile(f"log-{number}.txt", b"log")],
        )
    client.force_login(demo[who])
    _page_queries(client, short)  # the first visit reads the session anew
    assert _page_queries(client, long) == _page_queries(client, short)
