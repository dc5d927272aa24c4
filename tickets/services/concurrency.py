"""No lost updates: an action taken against a stale view of a case is refused, not applied on top.

Every form of the staff case page carries the id of the last event the page showed (`last_event`); API
clients may send it too. Under the case's lock (the door has just taken it), `case_unchanged_check` looks for
events since then by anyone else; if there are any, the action is refused with CaseChanged, and the page shows
the case as it is now with what was typed kept (the API answers 409). The SLA markers written by the sweeps
change nothing a person decided, so they do not count.
"""

from tenants.models import User
from tickets.models import Case, CaseEvent, EventKind

# Written by the background work about the clock, not about the case: they never make a page stale.
MARKERS = [EventKind.AT_RISK, EventKind.BREACHED, EventKind.AUTO_CLOSE_REMINDED]


class CaseChanged(Exception):
    """Someone else changed the case since the reader's page (or client) last saw it."""

    def __init__(self, case: Case, events: list[CaseEvent]):
        self.case = case
        self.events = events
        who = sorted({event.actor.display_name if event.actor else "SupportDesk" for event in events})
        what = ", ".join(dict.fromkeys(event.get_kind_display().lower() for event in events))
        self.message = (
            f"{case.number} changed while you were looking at it ({what}, by {', '.join(who)}). "
            "Nothing was saved: check the case as it is now, then try again."
        )
        super().__init__(self.message)


def case_last_event_id(case: Case) -> int:
    """The id of the case's latest event: what a page or a client states it has seen."""
    return CaseEvent.objects.filter(case=case).order_by("-pk").values_list("pk", flat=True).first() or 0


def case_unchanged_check(*, case: Case, actor: User, last_event: int | None) -> None:
    """Raise CaseChanged when the case has events after `last_event` by someone other than `actor`.
    None means the caller did not say what it saw (an API client that does not care): nothing to check.
    Call with the case locked, so that no event can slip in between the check and the write."""
    if last_event is None:
        return
    newer = list(
        CaseEvent.objects.filter(case=case, pk__gt=last_event)
        .exclude(kind__in=MARKERS)
        .exclude(actor=actor)
        .select_related("actor")
        .order_by("pk")
    )
    if newer:
        raise CaseChanged(case, newer)
