"""User text is Markdown, rendered and then sanitised: no script, no event handler, no javascript: link.

Rendering costs time linear in the text, whatever a customer types: cmark (GitHub's CommonMark) is linear by
design, and two guards below keep what it writes small and shallow enough for nh3. A text that fails them
shows as typed. bench/bench_case_page.py times the worst shapes.
"""

import re
from html.parser import HTMLParser

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


class _PlainText(HTMLParser):
    """cmark's cleaned HTML read back as plain text, for the text part of an email: paragraphs a blank line
    apart, list items after "- " or "1. ", quotes after "> ", a link's address after its text, table cells
    between " | ". Emphasis marks and entities are gone: "**Restart** Tom &amp; Jerry" reads "Restart Tom &
    Jerry"."""

    PARAGRAPHS = {"p", "pre", "h1", "h2", "h3", "h4", "h5", "h6", "table", "blockquote", "ul", "ol", "hr"}
    # What cmark writes; any other tag is one the person typed, and shows as typed.
    CMARK_TAGS = PARAGRAPHS | {
        "br",
        "li",
        "a",
        "strong",
        "em",
        "del",
        "code",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
    }

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.line: str | None = None  # the line being written; None before the first word
        self.gap = 0  # before the next word: 1 a new line, 2 a blank line
        self.quotes = 0
        self.lists: list[int | None] = []  # per open list: None (bullets) or the next number
        self.marker = ""  # a list item's marker, written before its first word
        self.links: list[tuple[str, int]] = []  # (href, where its text starts in the line)
        self.in_pre = False
        self.cells = 0
        self.line_quotes = 0  # how deep the line being written is quoted

    def _prefix(self) -> str:
        return "> " * self.quotes + "   " * max(len(self.lists) - 1, 0)

    def _write(self, text: str) -> None:
        if self.line is None:
            self.line = self._prefix()
        elif self.gap:
            self.lines.append(self.line.rstrip())
            if self.gap == 2:
                self.lines.append(("> " * min(self.quotes, self.line_quotes)).rstrip())
            self.line = self._prefix()
        self.line_quotes = self.quotes
        if self.marker:
            self.line += self.marker
            self.marker = ""
        self.gap = 0
        self.line += text

    def handle_starttag(self, tag, attrs):
        if tag == "img":
            self._write(dict(attrs).get("alt") or "")
            return
        if tag == "input":  # a task list's box
            self._write("[x]" if "checked" in dict(attrs) else "[ ]")
            return
        if tag not in self.CMARK_TAGS:
            self._write(self.get_starttag_text() or "")
            return
        if tag in self.PARAGRAPHS:
            # A list inside a list item starts on the next line, not after a blank one.
            self.gap = 1 if tag in ("ul", "ol") and self.lists else 2
        if tag == "blockquote":
            self.quotes += 1
        elif tag in ("ul", "ol"):
            self.lists.append(None if tag == "ul" else int(dict(attrs).get("start") or 1))
        elif tag == "li":
            self.gap = max(self.gap, 1)
            number = self.lists[-1] if self.lists else None
            self.marker = "- " if number is None else f"{number}. "
            if number is not None:
                self.lists[-1] = number + 1
        elif tag == "br":
            self.gap = max(self.gap, 1)
        elif tag == "pre":
            self.in_pre = True
        elif tag == "tr":
            self.gap, self.cells = max(self.gap, 1), 0
        elif tag in ("td", "th"):
            if self.cells:
                self._write(" | ")
            self.cells += 1
        elif tag == "a":
            self.links.append((dict(attrs).get("href") or "", len(self.line or "")))
        elif tag == "hr":
            self._write("---")
            self.gap = 2

    def handle_endtag(self, tag):
        if tag not in self.CMARK_TAGS:
            if tag not in ("img", "input"):
                self._write(f"</{tag}>")
            return
        if tag in self.PARAGRAPHS:
            self.gap = 2
        if tag == "blockquote":
            self.quotes = max(self.quotes - 1, 0)
        elif tag in ("ul", "ol") and self.lists:
            self.lists.pop()
            if self.lists:
                self.gap = 1
        elif tag == "pre":
            self.in_pre = False
        elif tag == "a" and self.links:
            href, start = self.links.pop()
            text = (self.line or "")[start:].strip()
            if href and href not in (text, f"mailto:{text}"):
                self._write(f" ({href})")

    def handle_data(self, data):
        if self.in_pre:
            for number, part in enumerate(data.rstrip("\n").split("\n")):
                if number:
                    self.gap = max(self.gap, 1)
                self._write(part)
            return
        data = data.replace("\n", "")
        if data and (data.strip() or (self.line is not None and not self.gap)):
            self._write(data)

    def handle_comment(self, data):
        self._write(f"<!--{data}-->")

    def text(self) -> str:
        self.close()
        return "\n".join([*self.lines, (self.line or "").rstrip()]).strip()


def markdown_to_text(text: str) -> str:
    """User text (Markdown) as an email's text part shows it: without the Markdown marks, and with whatever
    looks like HTML kept as typed (plain text needs no cleaning; the HTML part drops it). A text too wide
    for the guards above shows as typed."""
    text = text or ""
    if table_cells_at_most(text) > MAX_TABLE_CELLS:
        return text
    reader = _PlainText()
    reader.feed(
        cmarkgfm.github_flavored_markdown_to_html(text, options=CMARK_OPTIONS | Options.CMARK_OPT_UNSAFE)
    )
    return reader.text()


@register.filter
def markdown_text(text: str) -> str:
    return markdown_to_text(text)
