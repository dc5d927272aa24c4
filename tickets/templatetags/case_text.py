"""User text is Markdown, rendered and then sanitised: no script, no event handler, no javascript: link.

Rendering costs time linear in the text, whatever a customer types: cmark (GitHub's CommonMark) is linear by
design, and two guards below keep what it writes small and shallow enough for nh3. A text that fails them
shows as typed. bench/bench_case_page.py times the worst shapes.
"""

import re

import cmarkgfm
import nh3
from cmarkgfm.cmark import Options
from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

register = template.Library()

ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "a",
    "h3",
    "h4",
    "hr",
    "del",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}


# Single line breaks are kept, as people expect from chat and email. Without CMARK_OPT_UNSAFE cmark drops raw
# HTML and javascript: links itself; nh3 still has the last word.
CMARK_OPTIONS = Options.CMARK_OPT_HARDBREAKS
# nh3 (html5ever) takes time quadratic in how deeply elements nest: 20,000 ">" are 20,000 nested blockquotes
# that take it most of a second. No one writes 32 levels on purpose.
MAX_NESTING = 32
TAG = re.compile(r"<(/?)[a-z][^>]*>")
# cmark fills every row of a table up to the header's width, so a 1,000-column header over 20,000 characters
# of short lines writes 500,000 cells (5 MB, a second to clean). A table typed by hand has a few thousand.
MAX_TABLE_CELLS = 10_000
DELIMITER_ROW_CHARS = set("|-: \t\v\f")
LINE_ENDING = re.compile(r"\r\n?|\n")  # cmark's; str.splitlines() knows more


def table_cells_at_most(text: str) -> int:
    """At most how many cells the tables in `text` have, in one pass. A table starts at a delimiter row
    ("|---|:-:|", maybe quoted) and ends at the latest at a blank line; each of its lines has as many cells as
    the delimiter row has columns. Taking the widest table seen since the last blank line keeps it a bound
    when one table ends and a wider one starts (after a heading, say)."""
    cells = columns = 0
    for line in LINE_ENDING.split(text):
        if not line.strip(" \t"):
            columns = 0
            continue
        row = line.lstrip(" \t>")
        if "|" in row and "-" in row and set(row) <= DELIMITER_ROW_CHARS:
            columns = max(columns, sum("-" in cell for cell in row.split("|")))
        cells += columns
    return cells


def nests_deeper_than(html: str, levels: int) -> bool:
    """Whether the elements of cmark's output nest deeper than `levels`, counting tags in one pass: cmark
    escapes every "<" and ">" it did not write, and writes empty elements as `<br />`."""
    depth = 0
    for tag in TAG.finditer(html):
        if tag.group(1):
            depth -= 1
        elif not tag.group(0).endswith("/>"):
            depth += 1
            if depth > levels:
                return True
    return False


def plain_paragraphs(text: str) -> str:
    """The text as it was typed: escaped, a paragraph per blank line, a line break per line."""
    paragraphs, lines = [], []
    for line in [*text.splitlines(), ""]:
        if line.strip():
            lines.append(escape(line))
        elif lines:
            paragraphs.append("<p>" + "<br>".join(lines) + "</p>")
            lines = []
    return "".join(paragraphs)


def markdown_to_safe_html(text: str) -> str:
    text = text or ""
    html = None
    if table_cells_at_most(text) <= MAX_TABLE_CELLS:
        html = cmarkgfm.github_flavored_markdown_to_html(text, options=CMARK_OPTIONS)
    if html is None or nests_deeper_than(html, MAX_NESTING):
        # Only a made-up text is this deep or this wide: it shows as typed, which nh3 cleans in linear time.
        html = plain_paragraphs(text)
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes={"a": {"href", "title"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )


@register.filter
def markdown(text: str) -> str:
    # Safe only because nh3 has just removed everything that is not on the allow-list above.
    return mark_safe(markdown_to_safe_html(text))  # noqa: S308
