"""Writes about cases, along the life cycle.

A person's action is a pair: the check (`case_action`: find the case in the person's scope, lock it, ask
`case_actions`), then the write, which takes the locked case, `actor` (None for the system) and `now`, and
leaves a typed audit event; emails are outbox rows of the same transaction. Pages, API, tasks and the demo
all call the same pair.

Import from here; the modules are filing, conversation, life_cycle and what they share (common).
"""

from tickets.services.assignment import STAFF_STATUSES, ticket_assign, ticket_status_set
from tickets.services.common import (
    _event,
    attachment_check,
    case_action,
    case_for_action,
    case_locked,
    text_length_check,
)
from tickets.services.concurrency import CaseChanged, case_last_event_id, case_unchanged_check
from tickets.services.conversation import ticket_attach, ticket_cc_set, ticket_reply
from tickets.services.filing import case_number_next, contact_window_check, ticket_create
from tickets.services.life_cycle import (
    STAFF_CLOSE_REASONS,
    TRANSITIONS,
    case_transition,
    ticket_clear_escalation,
    ticket_close,
    ticket_confirm,
    ticket_escalate,
    ticket_link_continuation,
    ticket_not_fixed,
    ticket_reopen,
    ticket_set_product,
    ticket_validate_severity,
)
from tickets.services.restructure import SPLIT_MAX_CASES, ticket_merge, ticket_split

__all__ = [
    "SPLIT_MAX_CASES",
    "STAFF_CLOSE_REASONS",
    "CaseChanged",
    "case_last_event_id",
    "case_unchanged_check",
    "ticket_assign",
    "ticket_status_set",
    "STAFF_STATUSES",
    "ticket_clear_escalation",
    "ticket_link_continuation",
    "ticket_merge",
    "ticket_reopen",
    "ticket_set_product",
    "ticket_split",
    "TRANSITIONS",
    "_event",
    "attachment_check",
    "case_action",
    "case_for_action",
    "case_locked",
    "case_number_next",
    "case_transition",
    "contact_window_check",
    "text_length_check",
    "ticket_attach",
    "ticket_cc_set",
    "ticket_close",
    "ticket_confirm",
    "ticket_create",
    "ticket_escalate",
    "ticket_not_fixed",
    "ticket_reply",
    "ticket_validate_severity",
]
