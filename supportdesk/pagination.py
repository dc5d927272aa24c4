"""Pages of a long list without counting it: a COUNT over a million cases costs more than the page itself.

We fetch one row more than a page to know whether there is a next one.
"""

from dataclasses import dataclass


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
    """Page `number` (1-based; anything unreadable is page 1) of an ordered queryset."""
    try:
        number = max(1, int(number))
    except (TypeError, ValueError):
        number = 1
    start = (number - 1) * per_page
    rows = list(queryset[start : start + per_page + 1])
    return Page(object_list=rows[:per_page], number=number, has_next=len(rows) > per_page)
