"""sla/ and tenants/ only announce a change; the open cases follow because tickets/ listens."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction

from sla.models import Policy
from sla.signals import rules_changed, rules_changed_announce
from tenants.models import Contract, Tier
from tenants.signals import contract_tier_changed_announce
from tests.tickets import helpers
from tickets.models import Case, CaseEvent

DENVER = ZoneInfo("America/Denver")
WEDNESDAY_3PM = datetime.datetime(2026, 11, 25, 15, 0, tzinfo=DENVER)


def test_a_policy_change_announced_by_sla_moves_the_open_cases_once_committed(demo, committed):
    case = helpers.file_case("bob@acme.test", "Acme", 2, received_at=WEDNESDAY_3PM)
    policy = Policy.objects.get(tier__slug="standard", severity=2)
    with committed():
        Policy.objects.filter(pk=policy.pk).update(target_minutes=60)
        rules_changed_announce(policy_ids=[policy.pk])
        assert Case.objects.get(pk=case.pk).first_response_due == case.first_response_due  # not before commit

    assert Case.objects.get(pk=case.pk).first_response_due == WEDNESDAY_3PM + datetime.timedelta(hours=1)
    assert CaseEvent.objects.filter(case=case, kind="first_response_due_changed").count() == 1


def test_a_contract_moved_to_premium_announced_by_tenants_gives_its_cases_premium_deadlines(demo, committed):
    case = helpers.file_case("bob@acme.test", "Acme", 1, received_at=WEDNESDAY_3PM)
    contract = Contract.objects.get(account__name="Acme")
    with committed():
        Contract.objects.filter(pk=contract.pk).update(tier=Tier.objects.get(slug="premium"))
        contract_tier_changed_announce(contract_ids=[contract.pk])

    assert Case.objects.get(pk=case.pk).first_response_due == WEDNESDAY_3PM + datetime.timedelta(hours=1)


def test_a_change_rolled_back_is_never_announced(demo, committed):
    heard = []

    def listener(sender, *, signal, **ids):
        heard.append(ids)

    rules_changed.connect(listener)
    try:
        with committed():
            with pytest.raises(RuntimeError), transaction.atomic():
                rules_changed_announce(calendar_ids=[1])
                raise RuntimeError("the admin's save failed")
            rules_changed_announce(tier_ids=[2])
    finally:
        rules_changed.disconnect(listener)
    assert heard == [{"calendar_ids": [], "policy_ids": [], "tier_ids": [2]}]
