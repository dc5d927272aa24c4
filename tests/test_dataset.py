"""The dataset generator (`manage.py generate_dataset`): realistic, true to the rules, safe to file on.

Small sizes here; bench/bench_queue.py runs it at a million cases.
"""

import datetime
import io
import os
import re
import sqlite3
import subprocess
import sys
from collections import Counter

import pytest
from django.conf import settings
from django.db.models import Count, F
from django.utils import timezone

from demo.dataset import DOMAIN, DatasetExists, dataset_generate
from tenants.models import Account, Membership, User
from tickets.models import Case, CaseEvent, CaseNumberSequence, Category, EventKind, SlaState, Status
from tickets.scope import scope_for
from tickets.selectors import with_sla_state
from tickets.services import ticket_create

CASES = 2_000
ACCOUNTS = 60
NOW = datetime.datetime(2026, 11, 24, 15, 30, tzinfo=datetime.UTC)  # a Tuesday afternoon in Denver


@pytest.fixture
def dataset(db):
    return dataset_generate(cases=CASES, accounts=ACCOUNTS, open_share=0.1, now=NOW, stream=io.StringIO())


def test_the_cases_span_every_state_with_the_asked_share_open(dataset):
    statuses = Counter(Case.objects.values_list("status", flat=True))
    assert sum(statuses.values()) == CASES
    assert CASES - statuses[Status.CLOSED] == round(CASES * 0.1)
    assert set(statuses) == set(Status.values)
    assert not Case.objects.filter(status=Status.CLOSED, closed_at__isnull=True).exists()
    assert not Case.objects.filter(status=Status.CLOSED, close_reason="").exists()
    assert not Case.objects.exclude(status=Status.CLOSED).filter(closed_at__isnull=False).exists()
    assert len(set(Case.objects.values_list("close_reason", flat=True))) >= 7
    # Every case was filed (an event) and nearly all have a conversation; times never run past now.
    assert CaseEvent.objects.filter(kind=EventKind.CREATED).count() == CASES
    assert Case.objects.filter(replies__isnull=False).distinct().count() > 0.8 * CASES
    assert not Case.objects.filter(closed_at__gt=NOW).exists()
    assert not CaseEvent.objects.filter(created_at__gt=NOW).exists()
    oldest = Case.objects.order_by("received_at").first().received_at
    assert NOW - oldest > datetime.timedelta(days=2 * 365)


def test_free_accounts_have_no_cases_and_a_few_accounts_hold_most(dataset):
    free = Account.objects.filter(contracts__tier__slug="free")
    assert free.exists()
    assert not Case.objects.filter(account__in=free).exists()
    assert not Case.objects.filter(contract__tier__can_file_cases=False).exists()
    per_account = sorted(Case.objects.values("account").annotate(n=Count("pk")).values_list("n", flat=True))
    top_tenth = per_account[-max(1, len(per_account) // 10) :]
    assert sum(top_tenth) > 0.4 * CASES


def test_each_case_is_seen_by_its_own_accounts_contacts_only(dataset):
    # Every case's organization, contract and requester belong to its account.
    mismatched = (
        Case.objects.exclude(organization__account=F("account"))
        | Case.objects.exclude(contract__account=F("account"))
        | Case.objects.exclude(requester__membership__account=F("account"))
    )
    assert not mismatched.exists()
    busiest = Case.objects.values("account").annotate(n=Count("pk")).order_by("-n").first()["account"]
    admin = Membership.objects.filter(
        account_id=busiest, role=Membership.Role.ADMIN, all_organizations=True
    ).first()
    assert set(scope_for(admin.user).cases().values_list("pk", flat=True)) == set(
        Case.objects.filter(account_id=busiest).values_list("pk", flat=True)
    )
    for membership in Membership.objects.filter(is_active=True).exclude(account_id=busiest)[:20]:
        seen = scope_for(membership.user).cases()
        assert not seen.filter(account_id=busiest).exists()
        assert not seen.exclude(account_id=membership.account_id).exists()


def test_case_numbers_are_unique_and_filing_afterwards_takes_the_next(dataset):
    numbers = list(Case.objects.values_list("number", flat=True))
    assert len(numbers) == len(set(numbers))
    assert all(re.fullmatch(r"SD-\d{4}-\d{5,}", number) for number in numbers)
    for sequence in CaseNumberSequence.objects.all():
        assert Case.objects.filter(number=f"SD-{sequence.year}-{sequence.last_value:05d}").exists()

    membership = Membership.objects.filter(
        is_active=True,
        role=Membership.Role.ADMIN,
        all_organizations=True,
        account__contracts__tier__slug="premium",
        account__contracts__end_date__gte=timezone.localdate(),
    ).first()
    year = timezone.now().year
    last = CaseNumberSequence.objects.get(year=year).last_value
    filed = ticket_create(
        requester=membership.user,
        organization=membership.account.organizations.first(),
        category=Category.objects.get(slug="sign_in"),
        subject="Filed after the dataset",
        description="Nobody can sign in.",
        requested_severity=2,
        best_time_from=datetime.time(9),
        best_time_to=datetime.time(17),
        contact_time_zone="America/Denver",
    )
    assert filed.number == f"SD-{year}-{last + 1:05d}"


def test_a_merged_case_shows_on_its_survivors_page(dataset, client):
    duplicate = Case.objects.filter(merged_into__isnull=False).select_related("merged_into").first()
    survivor = duplicate.merged_into
    assert CaseEvent.objects.filter(
        case=survivor, kind=EventKind.MERGED_IN, data__duplicate=duplicate.number
    ).exists()
    client.force_login(User.objects.exclude(staff_role="").filter(is_active=True).first())
    page = client.get(f"/portal/cases/{survivor.number}/").content.decode()
    assert f'aria-label="Description of {duplicate.number}"' in page  # its thread, below the survivor's
    # As ticket_merge allows: never across two client organizations of an MSP.
    assert (
        not Case.objects.filter(merged_into__isnull=False)
        .exclude(merged_into__organization=F("organization"))
        .exists()
    )


def test_the_sla_state_annotation_finds_every_state(dataset):
    states = Counter(with_sla_state(Case.objects.all(), now=NOW).values_list("sla_state", flat=True))
    assert set(states) == set(SlaState.values)
    # Deadlines follow the received time and the tier: none before it, Premium Sev 1 an hour after it.
    assert not Case.objects.filter(first_response_due__lte=F("received_at")).exists()
    premium_sev1 = Case.objects.filter(contract__tier__slug="premium", severity=1).first()
    assert premium_sev1.first_response_due - premium_sev1.received_at == datetime.timedelta(hours=1)


def test_a_second_run_is_refused(dataset):
    with pytest.raises(DatasetExists):
        dataset_generate(cases=10, accounts=2, now=NOW, stream=io.StringIO())


def test_it_also_fills_an_embedded_sqlite_database(tmp_path):
    # Its own SQLite file, in a child process, whatever database the suite itself runs on.
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}", "VAR_DIR": str(tmp_path)}
    manage = [sys.executable, str(settings.BASE_DIR / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0"], env=env, check=True, timeout=300)
    done = subprocess.run(
        [*manage, "generate_dataset", "--cases", "300", "--accounts", "20"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "Dataset generated" in done.stdout
    with sqlite3.connect(tmp_path / "db.sqlite3") as database:
        (cases,) = database.execute("SELECT COUNT(*) FROM tickets_case").fetchone()
        (contacts,) = database.execute(
            "SELECT COUNT(*) FROM tenants_user WHERE email LIKE ?", (f"%{DOMAIN}",)
        ).fetchone()
    assert cases == 300
    assert contacts > 20
