"""Article bodies are Markdown, rendered and cleaned exactly like case text
(tickets/templatetags/case_text.py: cmark, the same size guards, nh3 with an allow-list), with second-level
headings allowed too: an article has sections, a case reply does not."""

import cmarkgfm
import nh3
from django.utils.safestring import SafeString, mark_safe

from tickets.templatetags.case_text import (
    ALLOWED_TAGS,
    CMARK_OPTIONS,
    MAX_NESTING,
    MAX_TABLE_CELLS,
    nests_deeper_than,
    plain_paragraphs,
    table_cells_at_most,
)

ARTICLE_TAGS = ALLOWED_TAGS | {"h2"}


def article_html(text: str) -> SafeString:
    text = text or ""
    html = None
    if table_cells_at_most(text) <= MAX_TABLE_CELLS:
        html = cmarkgfm.github_flavored_markdown_to_html(text, options=CMARK_OPTIONS)
    if html is None or nests_deeper_than(html, MAX_NESTING):
        html = plain_paragraphs(text)
    cleaned = nh3.clean(
        html,
        tags=ARTICLE_TAGS,
        attributes={"a": {"href", "title"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
    # Safe only because nh3 has just removed everything that is not on the allow-list above.
    return mark_safe(cleaned)  # noqa: S308
