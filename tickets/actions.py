"""Who may do what to a case: one function for the pages, the API and the services.

`case_actions(scope, case)` lists what the reader may do now; the case page shows only those, the API lists
them on the case (`actions`), and every write service asks `case_action_check` before it changes anything.
A refusal is a `CaseActionRefused`, answered once per surface: a 403 on the API, a message on the page.
(Outside the scope there is nothing to refuse: the case is a 404, like one that does not exist.)

The rules (domain.md §1, §5; docs/decisions.md):
- Nothing happens to a closed case: it is final, a follow-up is a new case.
- Vendor staff (engineer, supervisor, admin) reply, write internal notes, validate the severity, set the CC
  list and attach files. Deciding about a proposed solution, closing and asking to escalate are the
  customer's.
- A contact who may see the case (its requester, a CC'd colleague, a portal admin) replies, attaches files
  and sets the CC list. Confirming or turning down a proposed solution, closing and asking to escalate
  belong to the requester and the account's portal admins, not to a colleague who is only copied.
"""

from django.db import models

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


STAFF_ACTIONS = [
    CaseAction.REPLY,
    CaseAction.NOTE,
    CaseAction.VALIDATE_SEVERITY,
    CaseAction.SET_CC,
    CaseAction.ATTACH,
]
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
    if case.status == Status.CLOSED:
        return "This case is closed. Start a follow-up case instead."
    if scope.is_vendor_staff:
        if action in STAFF_ACTIONS:
            return ""
        return "This is the customer's decision."
    if action in (CaseAction.NOTE, CaseAction.VALIDATE_SEVERITY):
        return "Only support staff can do this."
    if action in CUSTOMER_ACTIONS:
        return ""
    if not (scope.is_portal_admin or case.requester_id == scope.user.pk):
        return "Only the person who filed this case or a portal admin of the account can do this."
    if action in (CaseAction.CONFIRM, CaseAction.NOT_FIXED) and case.status != Status.SOLUTION_PROPOSED:
        return "There is no proposed solution to answer."
    if action == CaseAction.ESCALATE and case.escalated_at is not None:
        return "This case is already escalated."
    return ""


def case_actions(scope, case: Case) -> list[str]:
    """What the reader may do to the case now, in a stable order."""
    return [action for action in CaseAction.values if not case_action_refusal(scope, case, action)]


def case_action_check(scope, case: Case, action: str) -> None:
    """Raise CaseActionRefused unless the reader may do `action` to `case` now."""
    refusal = case_action_refusal(scope, case, action)
    if refusal:
        raise CaseActionRefused(action, refusal)
