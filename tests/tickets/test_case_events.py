"""The audit trail is typed: every case event has a kind of EventKind, and a free string is refused."""

import pytest

from demo.cases import demo_cases_seed
from tests.tickets.helpers import file_case
from tickets.models import CaseEvent, EventKind
from tickets.services import _event


def test_every_event_the_demo_stories_leave_is_an_event_kind(settings, tmp_path, demo):
    settings.MEDIA_ROOT = tmp_path
    demo_cases_seed()
    kinds = set(CaseEvent.objects.values_list("kind", flat=True))
    assert kinds and kinds <= set(EventKind.values)


def test_an_event_of_a_free_string_is_a_programming_error(demo):
    case = file_case("bob@acme.test", "Acme")
    before = CaseEvent.objects.count()
    with pytest.raises(ValueError, match="EventKind"):
        _event(case, demo["bob"], "replied")
    assert CaseEvent.objects.count() == before


def test_events_show_their_kind_by_its_label(demo):
    case = file_case("bob@acme.test", "Acme")
    assert CaseEvent.objects.get(case=case).get_kind_display() == "Case filed"
