"""What the tenants layer announces. It knows nothing built on top of it: those apps listen.

`contract_tier_changed` is sent once the change has committed, with `contract_ids`: contracts now on another
tier, so whatever is measured against their tier's rules must follow. Receivers must be quick: enqueue work.
"""

from django.db import transaction
from django.dispatch import Signal

contract_tier_changed = Signal()


def contract_tier_changed_announce(*, contract_ids) -> None:
    """Send `contract_tier_changed` when the current transaction commits (at once outside a transaction)."""
    ids = list(contract_ids)
    transaction.on_commit(
        lambda: contract_tier_changed.send(sender=contract_tier_changed_announce, contract_ids=ids)
    )
