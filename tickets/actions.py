"""Who may do what to a case: one function for the pages, the API and the services.

`case_actions(scope, case)` lists what the reader may do now; the case page shows only those, the API lists
them on the case (`actions`), and every write service asks `case_action_check` before it changes anything.
A refusal is a `CaseActionRefused`, answered once per surface: a 403 on the API, a message on the page.
(Outside the scope there is nothing to refuse: the case is a 404, like one that does not exist.)

The rules (domain.md §1, §5; docs/decisions.md):
- A closed case is final: a follow-up is a new case. Staff may only reopen it (a case auto-closed or closed by
  mistake; nothing about it was deleted) and nothing else happens to it.
- Vendor staff (engineer, supervisor, admin) reply, write internal notes, validate the severity, set the CC
  list, attach files, assign (take, unassign), close with a reason, split, merge a duplicate into another
  case, link the closed case a case continues, and set product and version. Clearing an escalation and
  reassigning a case a colleague holds are a supervisor's (or an admin's): an engineer assigns, takes or
  unassigns a case only while nobody or the engineer holds it. Deciding about a proposed solution and
  asking to escalate are the customer's.
- A contact who may see the case (its requester, a CC'd colleague, a portal admin) replies, attaches files
  and sets the CC list. Confirming or turning down a proposed solution, closing and asking to escalate
  belong to the requester and the account's portal admins, not to a colleague who is only copied.
"""

from django.db import models

from tenants.models import StaffRole
from tickets.models import Case, Status


class CaseAction(models.TextChoices):
    REPLY = "reply", "Reply"
    NOTE = "note", "Write an internal note"
    VALIDATE_SEVERITY = "validate_severity", "Validate the severity"
    SET_CC = "set_cc", "Set who is copied"
    ATTACH = "attach", "Attach files"
    CONFIRM = "confirm", "Confirm the proposed solution"
    NOT_FIXED = "not_fixed", "Say the proposed solution did not fix it"
    CLOSE = "close", "Close the case"
    ESCALATE = "escalate", "Ask to escalate"
    ASSIGN = "assign", "Assign, take or unassign"
    SPLIT = "split", "Split into several cases"
    MERGE = "merge", "Merge into another case"
    LINK = "link", "Link the case this continues"
    SET_PRODUCT = "set_product", "Set product and version"
    SET_STATUS = "set_status", "Change the status (open, waiting on customer)"
    CLEAR_ESCALATION = "clear_escalation", "Clear the escalation"
    REOPEN = "reopen", "Reopen"


STAFF_ACTIONS = [
    CaseAction.REPLY,
    CaseAction.NOTE,
    CaseAction.VALIDATE_SEVERITY,
    CaseAction.SET_CC,
    CaseAction.ATTACH,
    CaseAction.CLOSE,
    CaseAction.ASSIGN,
    CaseAction.SPLIT,
    CaseAction.MERGE,
    CaseAction.LINK,
    CaseAction.SET_PRODUCT,
    CaseAction.SET_STATUS,
]
SUPERVISOR_ACTIONS = [CaseAction.CLEAR_ESCALATION]
CUSTOMER_ACTIONS = [CaseAction.REPLY, CaseAction.SET_CC, CaseAction.ATTACH]
DECIDER_ACTIONS = [CaseAction.CONFIRM, CaseAction.NOT_FIXED, CaseAction.CLOSE, CaseAction.ESCALATE]


class CaseActionRefused(Exception):
    """This person may see the case but may not do this to it now; the message says why."""

    def __init__(self, action: str, message: str):
        super().__init__(message)
        self.action = action
        self.message = message


def case_action_refusal(scope, case: Case, action: str) -> str:
    """Why the reader may not do `action` to `case` now, or "" when it may."""
    if action not in CaseAction.values:
        raise ValueError(f"Unknown case action {action!r}")
    if scope.is_vendor_staff:
        return _staff_refusal(scope, case, action)
    if case.status == Status.CLOSED:
        return "This case is closed. Start a follow-up case instead."
    if action in CUSTOMER_ACTIONS:
        return ""
    if action not in DECIDER_ACTIONS:
        return "Only support staff can do this."
    if not (scope.is_portal_admin or case.requester_id == scope.user.pk):
        return "Only the person who filed this case or a portal admin of the account can do this."
    if action in (CaseAction.CONFIRM, CaseAction.NOT_FIXED) and case.status != Status.SOLUTION_PROPOSED:
        return "There is no proposed solution to answer."
    if action == CaseAction.ESCALATE and case.escalated_at is not None:
        return "This case is already escalated."
    return ""


def _staff_refusal(scope, case: Case, action: str) -> str:
    if case.status == Status.CLOSED:
        return "" if action == CaseAction.REOPEN else "This case is closed. Reopen it first."
    if action == CaseAction.REOPEN:
        return "This case is not closed."
    if action in SUPERVISOR_ACTIONS:
        if scope.user.staff_role not in (StaffRole.SUPERVISOR, StaffRole.ADMIN):
            return "Only a supervisor can clear an escalation."
        if case.escalated_at is None:
            return "This case is not escalated."
        return ""
    if (
        action == CaseAction.ASSIGN
        and case.assignee_id not in (None, scope.user.pk)
        and scope.user.staff_role == StaffRole.ENGINEER
    ):
        return "Another engineer holds this case: only a supervisor can reassign it."
    if action in STAFF_ACTIONS:
        return ""
    return "This is the customer's decision."


def case_actions(scope, case: Case) -> list[str]:
    """What the reader may do to the case now, in a stable order."""
    return [action for action in CaseAction.values if not case_action_refusal(scope, case, action)]


def case_action_check(scope, case: Case, action: str) -> None:
    """Raise CaseActionRefused unless the reader may do `action` to `case` now."""
    refusal = case_action_refusal(scope, case, action)
    if refusal:
        raise CaseActionRefused(action, refusal)
