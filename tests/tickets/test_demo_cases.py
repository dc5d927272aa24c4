"""The demo cases: every paying account shows every state, told through the real services."""

import datetime

import pytest
from django.db.models import F
from django.utils import timezone

from demo.cases import PAYING_ACCOUNTS, demo_cases_seed
from tenants.models import Account, Organization
from tickets.models import Attachment, Case, CaseEvent, Reply, Status


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def seeded(media, demo):
    # Whether demo_seed() already filed the cases or not, afterwards they are there.
    created = demo_cases_seed()
    assert created in (0, Case.objects.count())
    return {"people": demo, "now": timezone.now()}


def test_every_paying_account_has_cases_in_every_status(seeded):
    for name in PAYING_ACCOUNTS:
        statuses = set(Case.objects.filter(account__name=name).values_list("status", flat=True))
        assert statuses == set(Status.values), name


def test_accounts_without_a_paying_contract_have_no_cases(seeded):
    assert not Case.objects.filter(account__name__in=["FreeCo", "OldCo"]).exists()


def test_every_organization_of_northwind_has_several_cases_filed_by_who_acts_for_it(seeded):
    for organization in Organization.objects.filter(account__name="Northwind MSP"):
        cases = Case.objects.filter(organization=organization)
        assert cases.count() >= 3, organization.name
        assert set(cases.values_list("requester__email", flat=True)) == (
            {"mia@northwind-msp.test"}
            if organization.name == "Tailspin Clinics"
            else {"max@northwind-msp.test"}
        )
    for name in ["Acme", "Enterprise Corp"]:
        assert Case.objects.filter(organization__name=name).count() >= 5


def test_running_it_twice_creates_nothing_more(seeded):
    counts = [model.objects.count() for model in (Case, Reply, Attachment, CaseEvent)]
    assert demo_cases_seed() == 0
    assert [model.objects.count() for model in (Case, Reply, Attachment, CaseEvent)] == counts


def test_cases_have_public_replies_internal_notes_and_log_attachments(seeded):
    assert Reply.objects.filter(is_internal=False, author__staff_role="").exists()  # customers reply
    assert Reply.objects.filter(is_internal=False).exclude(author__staff_role="").exclude(kind="").exists()
    assert Reply.objects.filter(is_internal=True).exists()
    assert Attachment.objects.filter(reply__isnull=True).exists()  # filed with the case
    assert Attachment.objects.filter(reply__isnull=False).exists()  # sent with a reply
    for attachment in Attachment.objects.all():
        assert attachment.name.endswith(".log")
        with attachment.file.open("rb") as handle:
            assert len(handle.read()) == attachment.size > 0


def test_the_demo_shows_a_cc_a_sev_1_an_escalation_and_an_end_of_support_version(seeded):
    alice = seeded["people"]["alice"]
    assert Case.objects.filter(requester__email="bob@acme.test", cc=alice).exists()
    assert Case.objects.filter(severity=1).exists()
    escalated = Case.objects.filter(escalated_at__isnull=False)
    assert escalated.exists() and not escalated.filter(status=Status.CLOSED).exists()
    assert Case.objects.filter(version_past_end_of_support=True).count() == 1


def test_the_stories_are_spread_over_the_last_weeks_and_in_order(seeded):
    now = seeded["now"]
    received = sorted(Case.objects.values_list("received_at", flat=True))
    assert received[0] >= now - datetime.timedelta(days=31)
    assert received[-1] <= now
    assert received[-1] - received[0] >= datetime.timedelta(days=21)
    assert not Reply.objects.filter(created_at__lt=F("case__received_at")).exists()
    assert not Reply.objects.filter(created_at__gt=now).exists()
    assert not CaseEvent.objects.filter(created_at__lt=F("case__received_at")).exists()
    assert not CaseEvent.objects.filter(created_at__gt=now).exists()
    assert not Case.objects.filter(closed_at__gt=now).exists()
    # Cases numbered in the order they came in.
    numbers = list(Case.objects.order_by("received_at").values_list("number", flat=True))
    assert numbers == sorted(numbers)


def test_cases_waiting_on_the_customer_do_not_close_by_themselves_yet(seeded):
    waiting = Case.objects.filter(status__in=[Status.WAITING_ON_CUSTOMER, Status.SOLUTION_PROPOSED])
    assert waiting.exists()
    assert not waiting.filter(auto_close_at__isnull=True).exists()
    assert not waiting.filter(auto_close_at__lte=seeded["now"] + datetime.timedelta(days=5)).exists()


def test_new_cases_have_no_response_and_answered_ones_have_their_first_response(seeded):
    assert not Case.objects.filter(status=Status.NEW, first_responded_at__isnull=False).exists()
    assert (
        not Case.objects.exclude(status=Status.NEW)
        .filter(first_responded_at__isnull=True, account__in=Account.objects.filter(name__in=PAYING_ACCOUNTS))
        .exists()
    )
