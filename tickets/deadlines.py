"""A case's SLA deadlines: set from the rules of sla/, and recomputed when those rules change.

sla/ computes deadlines for a tier, a severity and an instant, and announces when its rules change
(sla.signals.rules_changed); tenants/ announces a contract moving to another tier
(tenants.signals.contract_tier_changed). Cases are ours: the receivers below enqueue the recompute
(tickets.tasks.recompute_deadlines), which gives the open cases concerned their new deadlines.

A moved deadline re-arms its sweep timers by itself (tickets/sweeps.py): the stamps `at_risk_warned_for` and
`breach_marked_for` hold the instants already acted on, and a new instant does not match them. So nothing here
clears them, and moving back to an instant already warned for does not warn twice.
"""

from django.db import transaction
from django.db.models import Q

from sla.models import Policy
from sla.services import first_response_deadline, policy_for
from tickets.models import Case, CaseEvent, EventKind, Status

RECOMPUTE_BATCH_SIZE = 500


def case_deadlines_apply(*, case, policies: dict | None = None) -> bool:
    """Set the case's first-response deadline and at-risk instant from its tier, validated severity and
    received time. Does not save. Returns whether anything changed.

    `policies` maps (tier_id, severity) to a Policy, for callers working through many cases.
    """
    tier_id = case.contract.tier_id if case.contract_id else None
    if policies is not None:
        policy = policies.get((tier_id, case.severity))
    else:
        policy = policy_for(tier=case.contract.tier, severity=case.severity) if tier_id else None
    if policy is None:
        due = at_risk_at = None
    else:
        deadline = first_response_deadline(policy=policy, received_at=case.received_at)
        due, at_risk_at = deadline.due, deadline.at_risk_at
    changed = (case.first_response_due, case.first_response_at_risk_at) != (due, at_risk_at)
    case.first_response_due, case.first_response_at_risk_at = due, at_risk_at
    return changed


def case_deadlines_recompute(
    *,
    calendar_ids: list[int] = (),
    policy_ids: list[int] = (),
    tier_ids: list[int] = (),
    contract_ids: list[int] = (),
    batch_size: int = RECOMPUTE_BATCH_SIZE,
) -> int:
    """Give new deadlines to the cases still waiting for a first response whose rules changed.

    A case depends on the policy of its contract's tier and its validated severity, and on that policy's
    calendar. Works in batches, each in its own transaction with its rows locked, so a worker that dies
    leaves every case either untouched or fully recomputed, and running it twice changes nothing more.
    Returns the number of cases whose deadline moved.
    """
    pairs = set(
        Policy.objects.filter(Q(pk__in=policy_ids) | Q(calendar_id__in=calendar_ids)).values_list(
            "tier_id", "severity"
        )
    )
    depends = Q(contract_id__in=contract_ids) | Q(contract__tier_id__in=tier_ids)
    for tier_id, severity in pairs:
        depends |= Q(contract__tier_id=tier_id, severity=severity)
    waiting = Case.objects.filter(depends, first_responded_at__isnull=True).exclude(status=Status.CLOSED)

    policies = {(p.tier_id, p.severity): p for p in Policy.objects.select_related("calendar")}
    moved = 0
    last_pk = 0
    while True:
        with transaction.atomic():
            batch = list(
                waiting.filter(pk__gt=last_pk)
                .select_related("contract")
                .select_for_update(of=("self",))
                .order_by("pk")[:batch_size]
            )
            if not batch:
                return moved
            last_pk = batch[-1].pk
            changed, events = [], []
            for case in batch:
                before = case.first_response_due
                if case_deadlines_apply(case=case, policies=policies):
                    changed.append(case)
                    events.append(
                        CaseEvent(
                            case=case,
                            kind=EventKind.FIRST_RESPONSE_DUE_CHANGED,
                            data={
                                "from": before.isoformat() if before else None,
                                "to": case.first_response_due.isoformat()
                                if case.first_response_due
                                else None,
                                "why": "SLA rules changed",
                            },
                        )
                    )
            Case.objects.bulk_update(changed, ["first_response_due", "first_response_at_risk_at"])
            CaseEvent.objects.bulk_create(events)
            moved += len(changed)


def on_sla_rules_changed(sender, *, calendar_ids=(), policy_ids=(), tier_ids=(), **kwargs) -> None:
    """sla.signals.rules_changed (sent after commit): recompute the open cases concerned in the background."""
    from tickets.tasks import recompute_deadlines

    recompute_deadlines.delay(
        calendar_ids=list(calendar_ids), policy_ids=list(policy_ids), tier_ids=list(tier_ids)
    )


def on_contract_tier_changed(sender, *, contract_ids=(), **kwargs) -> None:
    """tenants.signals.contract_tier_changed (sent after commit): the contract's open cases follow its new
    tier's targets, recomputed in the background."""
    from tickets.tasks import recompute_deadlines

    recompute_deadlines.delay(contract_ids=list(contract_ids))
