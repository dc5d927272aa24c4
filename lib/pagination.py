"""Pages of a long list without counting it: a COUNT over a million cases costs more than the page itself.

We fetch one row more than a page to know whether there is a next one. A page past the end (a stale link, or a
number typed into the address) shows the last page there is: only then do we count.
"""

import math
from dataclasses import dataclass

from lib.keys import KEY_MAX


@dataclass(frozen=True)
class Page:
    object_list: list
    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_other_pages(self) -> bool:
        return self.has_next or self.has_previous

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1


def page_of(queryset, *, number, per_page: int) -> Page:
    """Page `number` (1-based; anything unreadable is page 1) of an ordered queryset, or its last page when
    `number` is past the end."""
    number = _page_number(number)
    rows = _rows(queryset, number, per_page)
    if not rows and number > 1:
        number = max(1, math.ceil(queryset.count() / per_page))
        rows = _rows(queryset, number, per_page)
    return Page(object_list=rows[:per_page], number=number, has_next=len(rows) > per_page)


def _page_number(value) -> int:
    text = "" if value is None else str(value).strip()
    if not (text.isascii() and text.isdigit()):
        return 1
    # More digits than any page could have (or int() reads): past the end, whatever the number.
    return max(1, int(text)) if len(text) <= len(str(KEY_MAX)) else KEY_MAX


def _rows(queryset, number: int, per_page: int) -> list:
    start = (number - 1) * per_page
    if start + per_page + 1 > KEY_MAX:
        return []  # PostgreSQL's OFFSET and LIMIT are bigints: no list is that long
    return list(queryset[start : start + per_page + 1])
