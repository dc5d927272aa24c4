"""Subjects, descriptions and replies are Markdown; nothing a customer types can run in someone's browser."""

from tests.tickets.helpers import file_case
from tickets.models import ResponseKind
from tickets.services import ticket_reply

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
