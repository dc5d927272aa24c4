"""What the SLA layer announces. It knows no cases: the apps that measure something against its rules listen.

`rules_changed` is sent once the change has committed, with the ids of what changed: `calendar_ids` (hours or
closed dates), `policy_ids` (a target) and `tier_ids` (every policy of these tiers, e.g. a preset loaded or a
policy moved away from a tier). Receivers must be quick: enqueue work, do not do it.
"""

from django.db import transaction
from django.dispatch import Signal

rules_changed = Signal()


def rules_changed_announce(*, calendar_ids=(), policy_ids=(), tier_ids=()) -> None:
    """Send `rules_changed` when the current transaction commits (at once outside a transaction)."""
    ids = {"calendar_ids": list(calendar_ids), "policy_ids": list(policy_ids), "tier_ids": list(tier_ids)}
    transaction.on_commit(lambda: rules_changed.send(sender=rules_changed_announce, **ids))
