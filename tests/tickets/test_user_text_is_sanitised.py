"""Subjects, descriptions and replies are Markdown; nothing a customer types can run in someone's browser,
nor make a case page slow to show."""

import pytest

from tests.tickets.helpers import file_case
from tickets.models import DESCRIPTION_MAX_LENGTH, ResponseKind
from tickets.services import ticket_reply
from tickets.templatetags.case_text import markdown_to_safe_html

HOSTILE = (
    "Hello <script>alert('x')</script> **bold**\n\n"
    '<img src="x" onerror="alert(1)">\n\n'
    "[click me](javascript:alert(2)) and [docs](https://example.com/docs)"
)


def test_scripts_event_handlers_and_javascript_links_never_reach_the_page(client, demo):
    case = file_case(
        "bob@acme.test", "Acme", subject="<script>alert('subject')</script>", description=HOSTILE
    )
    ticket_reply(case=case, author=demo["engineer"], body=HOSTILE, kind=ResponseKind.ANSWER)
    client.force_login(demo["bob"])
    for path in [f"/portal/cases/{case.number}/", "/portal/"]:
        page = client.get(path).content.decode()
        assert "<script>alert" not in page
        assert "onerror" not in page
        assert "javascript:" not in page
    page = client.get(f"/portal/cases/{case.number}/").content.decode()
    assert "<strong>bold</strong>" in page
    assert '<a href="https://example.com/docs" rel="noopener noreferrer nofollow">docs</a>' in page
    assert "&lt;script&gt;alert(&#x27;subject&#x27;)&lt;/script&gt;" in page  # the subject shows as text


def test_single_line_breaks_are_kept_and_tables_render():
    assert (
        markdown_to_safe_html("Since 08:00\nevery sign-in fails")
        == "<p>Since 08:00<br>\nevery sign-in fails</p>\n"
    )
    assert "<td>502</td>" in markdown_to_safe_html("| host | code |\n|---|---|\n| gw1 | 502 |")


def test_quoted_mail_shows_as_quotes_but_text_nested_beyond_reason_shows_as_typed():
    assert markdown_to_safe_html("> > > the first mail").count("<blockquote>") == 3
    too_deep = "> " * 40 + "<script>alert(1)</script>\nsecond line\n\nnext paragraph"
    assert markdown_to_safe_html(too_deep) == (
        "<p>" + "&gt; " * 40 + "&lt;script&gt;alert(1)&lt;/script&gt;<br>second line</p><p>next paragraph</p>"
    )


def test_a_typed_table_renders_but_one_padded_out_to_millions_of_cells_shows_as_typed():
    typed = "| host | code |\n|---|---|\n" + "| gw1 | 502 |\n" * 1000
    assert markdown_to_safe_html(typed).count("<td>502</td>") == 1000
    # cmark would give each of 5,000 one-letter rows the header's 1,000 columns.
    padded = "|a" * 1000 + "|\n" + "|-" * 1000 + "|\n" + "a\n" * 5_000
    assert (
        markdown_to_safe_html(padded)
        == "<p>" + "|a" * 1000 + "|<br>" + "|-" * 1000 + "|<br>" + "a<br>" * 4_999 + "a</p>"
    )


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("[" * DESCRIPTION_MAX_LENGTH, "<p>" + "[" * DESCRIPTION_MAX_LENGTH + "</p>"),
        (">" * DESCRIPTION_MAX_LENGTH, "<p>" + "&gt;" * DESCRIPTION_MAX_LENGTH + "</p>"),
    ],
    ids=["brackets", "quote-marks"],
)
def test_the_longest_pathological_description_shows_on_the_case_page(client, demo, text, shown):
    # Python-Markdown took 44 s over 20,000 "["; bench/bench_case_page.py keeps the figures.
    case = file_case("bob@acme.test", "Acme", description=text)
    client.force_login(demo["bob"])
    response = client.get(f"/portal/cases/{case.number}/")
    assert response.status_code == 200
    assert shown in response.content.decode()
