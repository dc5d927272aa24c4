"""A large, realistic dataset for benchmarks: `manage.py generate_dataset --cases N --accounts M`.

What it builds (a fixed seed: the same arguments at the same moment give the same data):
- Vendor staff: 36 engineers and 4 supervisors (`engineer-01@dataset.test` …, password DEMO_PASSWORD).
- M accounts: about 20 % Free (a contract, no cases), 50 % Standard, 30 % Premium; one in twelve paying
  accounts is an MSP with 3-8 client organizations, the others have 1-3; every account has one contract
  (5 % of paying accounts have let theirs expire: their cases are all older and closed), a third of Premium
  accounts a named TAM. 1-6 contacts per account (more for MSPs), the first a portal admin acting for every
  organization; some MSP admins act for a subset; 3 % of contacts are deactivated.
- N cases over about three years, more of them recent, skewed over the paying accounts by a Zipf law
  (rank r weighs 1/r^1.1: at 10,000 accounts the top 1 % hold over half of the cases). About `open_share`
  of them (3 % by default) are open: new, open, waiting on customer, solution proposed, received lately
  (new ones in the last hours, so that on-track, at-risk and breached cases all exist); the rest are closed
  with a reason (confirmed, customer closed, resolved, unconfirmed, no response, merged, duplicate,
  withdrawn). Severities, channels (chat and phone on Premium only, email forcing severity 3), products and
  versions of the contract, assignees among the engineers (the TAM first), escalations, customer replies.
- Per case a few replies (staff answers, customer answers, internal notes) and events (created, severity
  validated, assigned, replied, first response, status changes), shaped as the services write them.

Case numbers are those of filing (tickets.services.filing.case_number_next): SD-<year>-<n>, n counted per
year of `received_at` in received order after the year's CaseNumberSequence value, which is then moved past
them, so a case filed afterwards gets the next number.

SLA deadlines are exact: each case's first_response_due and at-risk instant come from sla.services
.first_response_deadline for its tier and validated severity, as filing sets them. First
responses land before or after them, so met and missed both occur; open cases are on track, at risk, breached.

Speed: on PostgreSQL rows are written with COPY (chunks of CHUNK cases with their replies and events) inside
one transaction, the three tables locked against other writers (ids are handed out here), then VACUUM ANALYZE.
Foreign keys and indexes stay in place. On SQLite the same rows go through bulk_create: slower, fine for
small N. A progress bar goes to stderr.

Run it once per database: a second run is refused (`DatasetExists`), because account names and the case
numbers of a year would interleave with the first run's. The whole case load is one transaction: if it fails,
nothing of it stays (accounts and people, created before, do: start from a fresh database then).
"""

import datetime
import io
import json
import random
import sys
import time
from collections import Counter

from django.contrib.auth.hashers import make_password
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.utils import timezone

from demo.people import DEMO_PASSWORD, PRODUCTS
from sla.models import AutoCloseRule, Policy
from sla.services import business_days_engine, first_response_deadline
from tenants.models import (
    Account,
    Contract,
    Membership,
    Organization,
    Product,
    StaffRole,
    Tier,
    User,
    Version,
)
from tickets.models import (
    Case,
    CaseEvent,
    CaseNumberSequence,
    Category,
    Channel,
    CloseReason,
    EventKind,
    Reply,
    ResponseKind,
    Status,
)

DOMAIN = "dataset.test"
ENGINEERS = 36
SUPERVISORS = 4
CHUNK = 10_000  # cases per COPY round
YEARS = 3
ZIPF_EXPONENT = 1.1
UTC = datetime.UTC


class DatasetExists(Exception):
    """The database already holds a generated dataset."""


# --------------------------------------------------------------------------- vocabulary

ACCOUNT_WORDS = [
    "Alder", "Beacon", "Cedar", "Delta", "Ember", "Fjord", "Granite", "Harbor", "Iris", "Juniper", "Keystone",
    "Lumen", "Maple", "Nimbus", "Orchid", "Pioneer", "Quartz", "Riverside", "Summit", "Tidewater", "Union",
    "Vertex", "Willow", "Zenith",
]  # fmt: skip
ACCOUNT_TRADES = [
    "Dental", "Logistics", "Clinics", "Bank", "Insurance", "Foods", "Robotics", "Legal", "Schools", "Energy",
    "Retail", "Hotels", "Labs", "Media", "Freight", "Pharma",
]  # fmt: skip
MSP_WORDS = ["IT Partners", "Managed Services", "Cloud Ops", "Tech Group"]
FIRST_NAMES = [
    "Ana", "Ben", "Chloe", "Dev", "Elena", "Farid", "Grace", "Hiro", "Ines", "Jonas", "Kofi", "Lena", "Marco",
    "Nadia", "Omar", "Paula", "Quinn", "Rosa", "Sven", "Tara", "Uma", "Victor", "Wen", "Yara",
]  # fmt: skip
LAST_NAMES = [
    "Adler", "Brooks", "Castro", "Dubois", "Eriksen", "Fischer", "Garcia", "Huang", "Ivanova", "Jensen",
    "Kowalski", "Larsen", "Moreau", "Novak", "Okafor", "Patel", "Rossi", "Silva", "Tanaka", "Weber",
]  # fmt: skip
TIME_ZONES = [
    "America/Denver", "America/Chicago", "America/New_York", "America/Los_Angeles", "Europe/London",
    "Europe/Berlin", "Asia/Singapore", "Australia/Sydney",
]  # fmt: skip
# (category slug, subject): about one in five mentions SSO, so a search for it matches a realistic share.
SUBJECTS = [
    ("sign_in", "SSO sign-in fails with “Invalid SAML response”"),
    ("sign_in", "SSO loop between the gateway and the app after upgrade"),
    ("sign_in", "Users get AADSTS50011 on SSO to Microsoft 365"),
    ("sign_in", "Intermittent HTTP 502 on sign-in"),
    ("sign_in", "New IdP certificate not picked up"),
    ("sign_in", "Password reset link expires immediately"),
    ("mfa", "MFA enrollment QR code not shown"),
    ("mfa", "MFA push notifications delayed"),
    ("mfa", "Remember-this-device ignored, MFA at every sign-in"),
    ("directory_sync", "LDAP sync skips users in nested groups"),
    ("directory_sync", "LDAP sync stalls at “Fetching changes”"),
    ("directory_sync", "Duplicate accounts after UPN change"),
    ("directory_sync", "SCIM provisioning stopped for one app"),
    ("agent", "Windows agent install fails with error 1603"),
    ("agent", "Silent install ignores the proxy parameter"),
    ("agent", "Agent reports “certificate not trusted”"),
    ("admin_console", "Audit log export missing sign-in events"),
    ("admin_console", "Admin console slow to load the users page"),
    ("licensing", "License count wrong after renewal"),
    ("performance", "Gateway CPU at 100 % since this morning"),
    ("performance", "Sign-in takes 30 seconds for remote users"),
    ("question", "How to rotate the SAML signing certificate"),
    ("question", "Best practice for break-glass accounts"),
    ("other", "Question about the data processing agreement"),
]
STAFF_REPLIES = [
    (
        ResponseKind.ANSWER,
        "Thanks for the details. The cause is the clock skew on the gateway: please sync NTP.",
    ),
    (ResponseKind.KB_LINK, "This is covered step by step in the knowledge base article KB-{n}."),
    (
        ResponseKind.REQUEST_INFO,
        "Could you send the support package from the gateway and the time of a failure?",
    ),
    (ResponseKind.PATCH, "Fixed in the next maintenance release; the hotfix for your version is attached."),
    (
        ResponseKind.KNOWN_ISSUE,
        "This is a known issue (BUG-{n}); the workaround is to restart the sync service.",
    ),
    (ResponseKind.SESSION, "Could we look at it together? I am free tomorrow in your best time to call."),
    (ResponseKind.DESIGN, "This is by design: the session ends when the IdP session ends."),
    (ResponseKind.OPTIONS, "Two ways forward: raise the timeout, or move the users to the new connector."),
]
CUSTOMER_REPLIES = [
    "Here is the support package. It failed again at 09:12 our time.",
    "Thanks, that worked for most users but {n} still cannot sign in.",
    "We tried the workaround, no change.",
    "Any news? This is blocking our rollout.",
]
INTERNAL_NOTES = [
    "Looks like the same root cause as the case last week. Checking with engineering.",
    "Customer is on an old connector; asked the TAM to raise the upgrade.",
    "Reproduced in the lab on version {n}.",
]
ESCALATION_REASONS = ["Business impact: our sales team cannot work.", "No useful answer for two days."]
SEVERITY_REASONS = ["A workaround exists, so not production down.", "Only some users are impacted."]

OPEN_STATUSES = [
    (Status.NEW, 18),
    (Status.OPEN, 45),
    (Status.WAITING_ON_CUSTOMER, 22),
    (Status.SOLUTION_PROPOSED, 15),
]
CLOSE_REASONS = [
    (CloseReason.CONFIRMED, 40),
    (CloseReason.CUSTOMER, 14),
    (CloseReason.RESOLVED, 15),
    (CloseReason.UNCONFIRMED, 12),
    (CloseReason.NO_RESPONSE, 8),
    (CloseReason.MERGED, 3),
    (CloseReason.DUPLICATE, 3),
    (CloseReason.WITHDRAWN, 5),
]
CONTACT_WINDOWS = [
    (datetime.time(8), datetime.time(17)),
    (datetime.time(9), datetime.time(12)),
    (datetime.time(13), datetime.time(18)),
    (datetime.time(7), datetime.time(15)),
]


# --------------------------------------------------------------------------- progress


class Progress:
    """A plain progress bar on stderr: redrawn in place on a terminal, a line every tenth otherwise."""

    def __init__(self, total: int, label: str, stream=None):
        self.total, self.label, self.done = max(total, 1), label, 0
        self.stream = stream if stream is not None else sys.stderr
        self.tty = getattr(self.stream, "isatty", lambda: False)()
        self.started = time.monotonic()
        self.last_tenth = -1

    def advance(self, n: int) -> None:
        self.done += n
        share = min(self.done / self.total, 1.0)
        elapsed = time.monotonic() - self.started
        left = elapsed / share - elapsed if share else 0
        bar = "#" * int(share * 30)
        line = (
            f"{self.label} [{bar:<30}] {share:4.0%} {self.done:,}/{self.total:,}  "
            f"{elapsed:.0f} s, ~{left:.0f} s left"
        )
        if self.tty:
            self.stream.write("\r" + line + ("\n" if self.done >= self.total else ""))
        elif int(share * 10) != self.last_tenth:
            self.last_tenth = int(share * 10)
            self.stream.write(line + "\n")
        self.stream.flush()


# --------------------------------------------------------------------------- writing rows


def copy_text(value) -> str:
    """A value in COPY's text format."""
    if value is None:
        return r"\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, dict | list):
        value = json.dumps(value)
    text = str(value)
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        text = text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return text


class RowSink:
    """Rows of one model, given as {attname: value} (the other columns get the model's default), written in
    batches: COPY on PostgreSQL, bulk_create elsewhere. Every column the model has is written, so columns
    other work adds later get their defaults."""

    def __init__(self, model: type[models.Model]):
        self.model = model
        self.fields = list(model._meta.concrete_fields)
        # Computed once: a default that is a clock (auto_now, timezone.now) is overwritten by every row here.
        self.defaults = {field.attname: field.get_default() for field in self.fields}
        self.copy = connection.vendor == "postgresql"
        self.default_texts = [(name, copy_text(value)) for name, value in self.defaults.items()]
        self.rows: list = []

    def add(self, row: dict) -> None:
        if self.copy:
            self.rows.append(
                "\t".join(copy_text(row[name]) if name in row else text for name, text in self.default_texts)
            )
        else:
            self.rows.append(self.model(**row))

    def take(self) -> list:
        """The rows added since the last take: text lines for COPY, model instances for bulk_create."""
        rows, self.rows = self.rows, []
        return rows

    def write(self, rows: list) -> None:
        if not rows:
            return
        if not self.copy:
            self.model.objects.bulk_create(rows, batch_size=500)
            return
        columns = ", ".join(connection.ops.quote_name(field.column) for field in self.fields)
        statement = f"COPY {self.model._meta.db_table} ({columns}) FROM STDIN"
        data = "\n".join(rows) + "\n"
        with connection.cursor() as cursor:
            raw = cursor.cursor
            if hasattr(raw, "copy_expert"):  # psycopg2
                raw.copy_expert(statement, io.StringIO(data))
            else:  # psycopg 3
                with raw.copy(statement) as copy:
                    copy.write(data)


def _next_id(model: type[models.Model]) -> int:
    return (model.objects.aggregate(top=models.Max("pk"))["top"] or 0) + 1


# --------------------------------------------------------------------------- accounts and people


class AccountPlan:
    """One generated account and what its cases draw from."""

    __slots__ = (
        "account",
        "tier",
        "contract",
        "expired_on",
        "organizations",
        "requesters",
        "tam_id",
        "products",
    )

    def __init__(self, account, tier, contract, expired_on, tam_id):
        self.account, self.tier, self.contract = account, tier, contract
        self.expired_on, self.tam_id = expired_on, tam_id
        self.organizations: list[Organization] = []
        self.requesters: dict[int, list[User]] = {}
        self.products: list[tuple[int, list[Version]]] = []


def _pick(rng: random.Random, weighted: list[tuple]) -> object:
    return rng.choices([item for item, _ in weighted], weights=[weight for _, weight in weighted])[0]


def _people_and_accounts(*, rng: random.Random, accounts: int, now: datetime.datetime, progress: Progress):
    """Staff, accounts, organizations, contracts, contacts and memberships, with bulk_create."""
    password = make_password(DEMO_PASSWORD)  # one hash for everyone: hashing 30,000 times would take hours
    staff = [
        User(
            email=f"{role}-{i:02d}@{DOMAIN}",
            first_name=rng.choice(FIRST_NAMES),
            last_name=rng.choice(LAST_NAMES),
            staff_role=role,
            time_zone=rng.choice(TIME_ZONES[:4]),
            password=password,
        )
        for role, count in [(StaffRole.ENGINEER, ENGINEERS), (StaffRole.SUPERVISOR, SUPERVISORS)]
        for i in range(1, count + 1)
    ]
    staff = User.objects.bulk_create(staff)
    engineers = [user for user in staff if user.staff_role == StaffRole.ENGINEER]

    tiers = {tier.slug: tier for tier in Tier.objects.filter(slug__in=["free", "standard", "premium"])}
    products = []
    for name, versions in PRODUCTS.items():
        product, _ = Product.objects.get_or_create(name=name)
        for version, ga_date in versions:
            Version.objects.get_or_create(product=product, name=version, defaults={"ga_date": ga_date})
        products.append((product, list(product.versions.select_related("product"))))

    plans: list[AccountPlan] = []
    account_rows = []
    for i in range(1, accounts + 1):
        tier = tiers[_pick(rng, [("free", 20), ("standard", 50), ("premium", 30)])]
        kind = Account.Kind.MSP if tier.can_file_cases and rng.random() < 1 / 12 else Account.Kind.DIRECT
        word = rng.choice(ACCOUNT_WORDS)
        trade = rng.choice(MSP_WORDS) if kind == Account.Kind.MSP else rng.choice(ACCOUNT_TRADES)
        tam = rng.choice(engineers).pk if tier.slug == "premium" and rng.random() < 1 / 3 else None
        account_rows.append(
            Account(
                name=f"{word} {trade} {i:05d}", kind=kind, technical_account_manager_id=tam, created_at=now
            )
        )
        expired = tier.can_file_cases and rng.random() < 0.05
        expired_on = (now - datetime.timedelta(days=rng.randint(30, 600))).date() if expired else None
        plans.append(AccountPlan(None, tier, None, expired_on, tam))
    for plan, account in zip(plans, Account.objects.bulk_create(account_rows, batch_size=2000), strict=True):
        plan.account = account
    progress.advance(accounts // 4)

    start = (now - datetime.timedelta(days=365 * YEARS + 60)).date()
    contracts = Contract.objects.bulk_create(
        [
            Contract(
                account=plan.account,
                tier=plan.tier,
                start_date=start,
                end_date=plan.expired_on or (now + datetime.timedelta(days=rng.randint(30, 700))).date(),
            )
            for plan in plans
        ],
        batch_size=2000,
    )
    covered = []
    for plan, contract in zip(plans, contracts, strict=True):
        plan.contract = contract
        chosen = [pair for pair in products if rng.random() < 0.7] or [products[0]]
        plan.products = [(product.pk, versions) for product, versions in chosen]
        covered += [
            Contract.products.through(contract_id=contract.pk, product_id=product.pk) for product, _ in chosen
        ]
    Contract.products.through.objects.bulk_create(covered, batch_size=5000)

    organization_rows = []
    for plan in plans:
        count = (
            rng.randint(3, 8)
            if plan.account.kind == Account.Kind.MSP
            else _pick(rng, [(1, 80), (2, 15), (3, 5)])
        )
        names = (
            [plan.account.name]
            if count == 1
            else [f"{plan.account.name} site {n}" for n in range(1, count + 1)]
        )
        organization_rows += [Organization(account=plan.account, name=name) for name in names]
    by_account: dict[int, list[Organization]] = {}
    for organization in Organization.objects.bulk_create(organization_rows, batch_size=5000):
        by_account.setdefault(organization.account_id, []).append(organization)
    progress.advance(accounts // 4)

    # Contacts: (plan, user, role, organizations it acts for or None for all, active)
    contact_specs = []
    for index, plan in enumerate(plans):
        plan.organizations = by_account[plan.account.pk]
        msp = plan.account.kind == Account.Kind.MSP
        count = (
            rng.randint(3, 10) if msp else _pick(rng, [(1, 25), (2, 30), (3, 20), (4, 12), (5, 8), (6, 5)])
        )
        for n in range(count):
            role = Membership.Role.ADMIN if n == 0 or rng.random() < 0.15 else Membership.Role.CONTACT
            limited = None
            if n > 0 and len(plan.organizations) > 1 and rng.random() < 0.4:
                limited = rng.sample(plan.organizations, rng.randint(1, len(plan.organizations) - 1))
            active = n == 0 or rng.random() > 0.03
            user = User(
                email=f"contact-{n + 1}@a{index + 1:05d}.{DOMAIN}",
                first_name=rng.choice(FIRST_NAMES),
                last_name=rng.choice(LAST_NAMES),
                time_zone=rng.choice(TIME_ZONES),
                password=password,
            )
            contact_specs.append((plan, user, role, limited, active))
    users = User.objects.bulk_create([spec[1] for spec in contact_specs], batch_size=5000)
    memberships = Membership.objects.bulk_create(
        [
            Membership(
                user=user,
                account=plan.account,
                role=role,
                all_organizations=limited is None,
                is_active=active,
                deactivated_at=None if active else now,
                created_at=now,
            )
            for (plan, _, role, limited, active), user in zip(contact_specs, users, strict=True)
        ],
        batch_size=5000,
    )
    limits = []
    for (plan, _, _, limited, _), user, membership in zip(contact_specs, users, memberships, strict=True):
        for organization in plan.organizations:
            if limited is None or organization in limited:
                # Deactivated contacts filed cases too, before they left.
                plan.requesters.setdefault(organization.pk, []).append(user)
        limits += [
            Membership.organizations.through(membership_id=membership.pk, organization_id=organization.pk)
            for organization in limited or []
        ]
    Membership.organizations.through.objects.bulk_create(limits, batch_size=5000)
    progress.advance(accounts - 2 * (accounts // 4))
    return plans, staff, engineers


# --------------------------------------------------------------------------- cases


def _skeleton(*, rng, plans, cases, open_share, now) -> list[tuple[float, int, str]]:
    """(received timestamp, account index, final status) of every case, oldest first.

    Cases go to the paying accounts by a Zipf law over a shuffled ranking. Open cases are recent (new ones
    within hours, others within weeks); closed ones spread over YEARS, more of them recent. An account
    whose contract expired only has closed cases from before it ended."""
    paying = [index for index, plan in enumerate(plans) if plan.tier.can_file_cases]
    if not paying:
        raise ValueError("No account on a tier that files cases: generate more accounts.")
    ranks = list(range(1, len(paying) + 1))
    rng.shuffle(ranks)
    weight = {index: 1 / rank**ZIPF_EXPONENT for index, rank in zip(paying, ranks, strict=True)}
    live = [index for index in paying if plans[index].expired_on is None] or paying
    opened = round(cases * open_share)
    now_ts = now.timestamp()
    skeleton = []
    for index in rng.choices(live, weights=[weight[i] for i in live], k=opened):
        status = _pick(rng, OPEN_STATUSES)
        if status == Status.NEW:
            age = rng.uniform(60, 10 * 3600) if rng.random() < 0.55 else 60 + rng.expovariate(1 / (2 * 86400))
        else:
            age = min(3600 + rng.expovariate(1 / (10 * 86400)), 120 * 86400)
        skeleton.append((now_ts - age, index, status))
    span = YEARS * 365 * 86400
    for index in rng.choices(paying, weights=[weight[i] for i in paying], k=cases - opened):
        earliest = 2 * 3600
        if plans[index].expired_on:
            ended = datetime.datetime.combine(plans[index].expired_on, datetime.time(12), tzinfo=UTC)
            earliest = max(earliest, now_ts - ended.timestamp())
        age = earliest + (span - earliest) * rng.random() ** 1.25
        skeleton.append((now_ts - age, index, Status.CLOSED))
    skeleton.sort()
    return skeleton


class CaseWriter:
    """Tells each case's story from its skeleton (account, received time, final status): the case row, its
    replies and its events, consistent with one another, with the life cycle and with the SLA rules."""

    def __init__(self, *, rng, now, plans, engineers, policies, auto_close, categories):
        self.rng, self.now, self.plans, self.engineers = rng, now, plans, engineers
        # Events name people by email, as the services write them (tickets.services.assignment).
        self.email_of = {engineer.pk: engineer.email for engineer in engineers}
        self.policies, self.auto_close, self.categories = policies, auto_close, categories
        self.cases, self.replies, self.events = RowSink(Case), RowSink(Reply), RowSink(CaseEvent)
        self.reply_id, self.event_id = _next_id(Reply), _next_id(CaseEvent)
        self.first_reply_id, self.first_event_id = self.reply_id, self.event_id
        # Duplicates merge into the organization's previous case, as ticket_merge allows (one organization).
        self.last_case_of_organization: dict[int, tuple[int, str]] = {}
        self.counts: Counter = Counter()
        self.latest = now - datetime.timedelta(minutes=1)

    def take(self) -> list[tuple[RowSink, list]]:
        """The rows told since the last take, cases first: replies and events point at them."""
        return [(sink, sink.take()) for sink in (self.cases, self.replies, self.events)]

    def _later(self, last, low_minutes: int, high_minutes: int):
        """A moment some minutes after `last`, never in the future."""
        return max(
            last,
            min(last + datetime.timedelta(minutes=self.rng.randint(low_minutes, high_minutes)), self.latest),
        )

    def _reply(self, case_id, author_id, at, body, *, internal=False, kind="") -> int:
        reply_id = self.reply_id
        self.reply_id += 1
        self.replies.add(
            {
                "id": reply_id,
                "case_id": case_id,
                "author_id": author_id,
                "body": body.format(n=self.rng.randint(1000, 9999)),
                "is_internal": internal,
                "kind": kind,
                "created_at": at,
            }
        )
        return reply_id

    def _event(self, case_id, actor_id, kind: EventKind, at, **data) -> None:
        self.events.add(
            {
                "id": self.event_id,
                "case_id": case_id,
                "actor_id": actor_id,
                "kind": kind.value,
                "data": data,
                "created_at": at,
            }
        )
        self.event_id += 1

    def _status(self, case_id, actor_id, at, before, after, reason="") -> str:
        if before != after:
            self._event(
                case_id,
                actor_id,
                EventKind.STATUS_CHANGED,
                at,
                reason=reason,
                **{"from": str(before), "to": str(after)},
            )
        return after

    def _staff_reply(self, case_id, staff_id, at, kind_and_text, current) -> str:
        """A public staff reply and the status it leads to, as ticket_reply moves it."""
        kind, text = kind_and_text
        reply_id = self._reply(case_id, staff_id, at, text, kind=kind)
        self._event(case_id, staff_id, EventKind.REPLIED, at, reply_id=reply_id, response_kind=str(kind))
        after = Status.WAITING_ON_CUSTOMER if kind == ResponseKind.REQUEST_INFO else Status.OPEN
        return self._status(case_id, staff_id, at, current, after)

    def _customer_reply(self, case_id, requester_id, at, current) -> str:
        reply_id = self._reply(case_id, requester_id, at, self.rng.choice(CUSTOMER_REPLIES))
        self._event(case_id, requester_id, EventKind.REPLIED, at, reply_id=reply_id, response_kind="")
        return self._status(case_id, requester_id, at, current, Status.OPEN)

    def _auto_close(self, plan, kind: str, since):
        rule = self.auto_close.get(plan.tier.pk)
        if rule is None:
            return None
        days = rule.unconfirmed_after_days if kind == "unconfirmed" else rule.no_response_after_days
        return business_days_engine(rule.business_days).add_business_days(since, days).astimezone(UTC)

    def write(self, *, case_id: int, number: str, plan_index: int, received_at, status: str) -> None:
        rng = self.rng
        plan: AccountPlan = self.plans[plan_index]
        premium = plan.tier.slug == "premium"
        organization = rng.choice(plan.organizations)
        requester = rng.choice(plan.requesters[organization.pk])
        category_slug, subject = rng.choice(SUBJECTS)
        channel = (
            _pick(rng, [(Channel.PORTAL, 72), (Channel.EMAIL, 14), (Channel.PHONE, 8), (Channel.CHAT, 6)])
            if premium
            else _pick(rng, [(Channel.PORTAL, 85), (Channel.EMAIL, 15)])
        )
        requested = _pick(rng, [(1, 8), (2, 27), (3, 65)])
        filed_severity = 3 if channel == Channel.EMAIL else requested
        severity = filed_severity + 1 if filed_severity < 3 and rng.random() < 0.1 else filed_severity
        deadline = first_response_deadline(
            policy=self.policies[(plan.tier.pk, severity)], received_at=received_at
        )
        due = deadline.due
        staff_id = plan.tam_id if plan.tam_id and rng.random() < 0.7 else rng.choice(self.engineers).pk
        window = rng.choice(CONTACT_WINDOWS)
        row = {
            "id": case_id,
            "number": number,
            "account_id": plan.account.pk,
            "organization_id": organization.pk,
            "contract_id": plan.contract.pk,
            "requester_id": requester.pk,
            "category_id": self.categories[category_slug],
            "subject": subject,
            "description": f"{subject}. Seen on {rng.randint(1, 400)} devices since this morning.",
            "channel": channel,
            "status": status,
            "requested_severity": requested,
            "severity": severity,
            "best_time_from": window[0],
            "best_time_to": window[1],
            "contact_time_zone": requester.time_zone,
            "received_at": received_at,
            "first_response_due": due,
            "first_response_at_risk_at": deadline.at_risk_at,
            "created_at": received_at,
        }
        if plan.products and rng.random() < 0.7:
            product_id, versions = rng.choice(plan.products)
            version = rng.choice(versions)
            row.update(
                product_id=product_id,
                version_id=version.pk,
                version_past_end_of_support=not version.is_supported_on(received_at.date()),
            )
        self._event(
            case_id,
            requester.pk,
            EventKind.CREATED,
            received_at,
            channel=str(channel),
            requested_severity=requested,
            severity=filed_severity,
            first_response_due=due.isoformat(),
        )
        last = received_at
        if severity != filed_severity:
            last = self._later(last, 2, 30)
            self._event(
                case_id,
                staff_id,
                EventKind.SEVERITY_VALIDATED,
                last,
                reason=rng.choice(SEVERITY_REASONS),
                first_response_due=due.isoformat(),
                **{"from": filed_severity, "to": severity},
            )
        if status != Status.NEW or rng.random() < 0.55:
            last = self._later(last, 1, 60)
            row["assignee_id"] = staff_id
            self._event(
                case_id, staff_id, EventKind.ASSIGNED, last, **{"from": None, "to": self.email_of[staff_id]}
            )

        if status == Status.NEW:
            row["updated_at"] = last
        elif status == Status.CLOSED and rng.random() < 0.03:
            # Closed by the customer before anyone answered.
            at = self._later(last, 5, 600)
            self._status(case_id, requester.pk, at, Status.NEW, Status.CLOSED, CloseReason.CUSTOMER.value)
            row.update(closed_at=at, close_reason=CloseReason.CUSTOMER, updated_at=at)
        else:
            # The first response: before the deadline mostly, after it sometimes.
            share = rng.uniform(0.05, 0.95) if rng.random() < 0.85 else rng.uniform(1.02, 2.5)
            responded = max(last, min(received_at + (due - received_at) * share, self.latest))
            row["first_responded_at"] = responded
            first = STAFF_REPLIES[2] if status == Status.WAITING_ON_CUSTOMER else rng.choice(STAFF_REPLIES)
            current = self._staff_reply(case_id, staff_id, responded, first, Status.NEW)
            self._event(
                case_id,
                staff_id,
                EventKind.FIRST_RESPONSE,
                responded,
                sla_state="met" if responded <= due else "missed",
                due=due.isoformat(),
            )
            last = responded
            if rng.random() < 0.3:
                last = self._later(last, 5, 600)
                note_id = self._reply(case_id, staff_id, last, rng.choice(INTERNAL_NOTES), internal=True)
                self._event(
                    case_id, staff_id, EventKind.INTERNAL_NOTE, last, reply_id=note_id, response_kind=""
                )
            if rng.random() < 0.5:  # an exchange: the customer answers, support answers back
                last = self._later(last, 30, 3000)
                current = self._customer_reply(case_id, requester.pk, last, current)
                last = self._later(last, 10, 600)
                current = self._staff_reply(case_id, staff_id, last, rng.choice(STAFF_REPLIES[:2]), current)
            self._settle(row, plan, staff_id, requester.pk, status, current, last)
        if status != Status.CLOSED and rng.random() < 0.04:
            at = min(received_at + datetime.timedelta(hours=rng.uniform(1, 48)), self.latest)
            reason = rng.choice(ESCALATION_REASONS)
            row.update(escalated_at=at, escalation_reason=reason)
            self._event(case_id, requester.pk, EventKind.ESCALATED, at, reason=reason)
        self.cases.add(row)
        self.last_case_of_organization[row["organization_id"]] = (case_id, number)
        self.counts[status] += 1

    def _settle(self, row, plan, staff_id, requester_id, status, current, last) -> None:
        """Bring an answered case to its final status, the way people and the sweeps move it."""
        rng, case_id = self.rng, row["id"]
        if status == Status.OPEN:
            if current == Status.WAITING_ON_CUSTOMER or rng.random() < 0.25:
                last = self._later(last, 10, 2000)
                self._customer_reply(case_id, requester_id, last, current)
                row["customer_replied_at"] = last  # not answered yet: back on top of the assignee's view
        elif status in (Status.WAITING_ON_CUSTOMER, Status.SOLUTION_PROPOSED):
            # The wait started recently enough that it has not closed by itself yet.
            floor = max(last, self.now - datetime.timedelta(days=9))
            since = max(floor, min(floor + (self.now - floor) * rng.uniform(0, 0.9), self.latest))
            if status == Status.SOLUTION_PROPOSED:
                self._staff_reply(case_id, staff_id, since, STAFF_REPLIES[3], current)
                self._status(case_id, staff_id, since, Status.OPEN, status)
                kind = "unconfirmed"
            else:
                if current != Status.WAITING_ON_CUSTOMER or since > last:
                    self._staff_reply(case_id, staff_id, since, STAFF_REPLIES[2], current)
                kind = "no_response"
            row.update(waiting_since=since, auto_close_at=self._auto_close(plan, kind, since))
            last = since
        else:
            last = self._close(row, plan, staff_id, requester_id, current, last)
        row.setdefault("updated_at", last)

    def _close(self, row, plan, staff_id, requester_id, current, last):
        rng, case_id = self.rng, row["id"]
        reason = _pick(rng, CLOSE_REASONS)
        previous = self.last_case_of_organization.get(row["organization_id"])
        if reason == CloseReason.MERGED and previous is None:
            reason = CloseReason.DUPLICATE
        actor = staff_id
        if reason in (CloseReason.NO_RESPONSE, CloseReason.UNCONFIRMED):
            since = self._later(last, 60, 3000)
            if reason == CloseReason.NO_RESPONSE:
                self._staff_reply(case_id, staff_id, since, STAFF_REPLIES[2], current)
                current = Status.WAITING_ON_CUSTOMER
            else:
                self._staff_reply(case_id, staff_id, since, STAFF_REPLIES[3], current)
                current = self._status(case_id, staff_id, since, Status.OPEN, Status.SOLUTION_PROPOSED)
            at = min(self._auto_close(plan, reason.value, since) or self._later(since, 1, 9), self.latest)
            closed_at, actor = max(at, since), None  # the sweep closes it
        elif reason in (CloseReason.CONFIRMED, CloseReason.CUSTOMER):
            since = self._later(last, 60, 3000)
            self._staff_reply(case_id, staff_id, since, STAFF_REPLIES[3], current)
            current = self._status(case_id, staff_id, since, Status.OPEN, Status.SOLUTION_PROPOSED)
            closed_at, actor = self._later(since, 30, 5000), requester_id
        else:
            closed_at = self._later(last, 10, 3000)
        if reason == CloseReason.MERGED:
            row["merged_into_id"] = previous[0]
            self._event(case_id, staff_id, EventKind.MERGED, closed_at, into=previous[1])
            # As ticket_merge writes it: the survivor's page finds its merged threads by this event.
            self._event(previous[0], staff_id, EventKind.MERGED_IN, closed_at, duplicate=row["number"])
        self._status(case_id, actor, closed_at, current, Status.CLOSED, reason.value)
        row.update(closed_at=closed_at, close_reason=reason)
        return closed_at


# --------------------------------------------------------------------------- the whole


def dataset_exists() -> bool:
    return User.objects.filter(email__endswith=DOMAIN).exists()


def dataset_generate(
    *,
    cases: int,
    accounts: int,
    seed: int = 20261122,
    open_share: float = 0.03,
    now: datetime.datetime | None = None,
    stream=None,
) -> dict:
    """Generate the dataset described at the top of this module into the default database.

    Refuses (DatasetExists) when one was generated already. Needs the catalogue the migrations install
    (tiers, SLA policies, auto-close rules, categories). Returns the counts and the time of each phase."""
    if cases < 0 or accounts < 1 or not 0 <= open_share <= 1:
        raise ValueError("Need cases >= 0, accounts >= 1 and 0 <= open share <= 1.")
    if dataset_exists():
        raise DatasetExists(
            f"This database already holds a generated dataset (people @…{DOMAIN}); generate into a fresh one."
        )
    now = (now or timezone.now()).astimezone(UTC).replace(microsecond=0)
    rng = random.Random(seed)
    policies = {
        (policy.tier_id, policy.severity): policy for policy in Policy.objects.select_related("calendar")
    }
    auto_close = {rule.tier_id: rule for rule in AutoCloseRule.objects.select_related("business_days")}
    categories = dict(Category.objects.values_list("slug", "pk"))
    missing = {slug for slug, _ in SUBJECTS} - set(categories)
    if missing:
        raise ValueError(f"Categories missing (run the migrations): {', '.join(sorted(missing))}.")
    timings = {}

    mark = time.monotonic()
    with transaction.atomic():
        plans, staff, engineers = _people_and_accounts(
            rng=rng, accounts=accounts, now=now, progress=Progress(accounts, "accounts", stream)
        )
    for tier in {plan.tier for plan in plans if plan.tier.can_file_cases}:
        for severity in (1, 2, 3):
            if (tier.pk, severity) not in policies:
                raise ValueError(f"No SLA policy for {tier.name}, severity {severity}: run the migrations.")
    timings["accounts and people"] = time.monotonic() - mark

    mark = time.monotonic()
    skeleton = _skeleton(rng=rng, plans=plans, cases=cases, open_share=open_share, now=now)
    writer = CaseWriter(
        rng=rng,
        now=now,
        plans=plans,
        engineers=engineers,
        policies=policies,
        auto_close=auto_close,
        categories=categories,
    )
    progress = Progress(cases, "cases", stream)
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Ids and case numbers are handed out here: nobody else writes these tables meanwhile (filing
            # waits at its case number). Foreign keys are checked row by row rather than queued to the end.
            cursor.execute(
                "LOCK TABLE tickets_casenumbersequence, tickets_case, tickets_reply, tickets_caseevent "
                "IN EXCLUSIVE MODE"
            )
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        last_numbers = dict(CaseNumberSequence.objects.values_list("year", "last_value"))
        first_id = _next_id(Case)

        def tell(start: int) -> list[tuple[RowSink, list]]:
            """The rows of the cases skeleton[start : start + CHUNK] (numbered in received order)."""
            for offset, (received_ts, plan_index, status) in enumerate(skeleton[start : start + CHUNK]):
                received_at = datetime.datetime.fromtimestamp(int(received_ts), UTC)
                year = received_at.year
                last_numbers[year] = last_numbers.get(year, 0) + 1
                writer.write(
                    case_id=first_id + start + offset,
                    number=f"SD-{year}-{last_numbers[year]:05d}",
                    plan_index=plan_index,
                    received_at=received_at,
                    status=status,
                )
            return writer.take()

        for start in range(0, len(skeleton), CHUNK):
            for sink, rows in tell(start):
                sink.write(rows)
            progress.advance(min(CHUNK, len(skeleton) - start))
        for year, value in last_numbers.items():
            CaseNumberSequence.objects.update_or_create(year=year, defaults={"last_value": value})
        for statement in connection.ops.sequence_reset_sql(no_style(), [Case, Reply, CaseEvent]):
            cursor.execute(statement)
    timings["cases, replies, events"] = time.monotonic() - mark

    mark = time.monotonic()
    # What autovacuum would do soon after such a load: fresh statistics, and (VACUUM, which cannot run inside
    # a transaction such as a test's) the visibility map that lets counts use index-only scans.
    statement = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for model in (Case, Reply, CaseEvent, User, Account, Organization, Membership, Contract):
                cursor.execute(f"{statement} {model._meta.db_table}")
        else:
            cursor.execute("ANALYZE")
    timings["vacuum analyze"] = time.monotonic() - mark
    return {
        "accounts": accounts,
        "paying accounts": sum(plan.tier.can_file_cases for plan in plans),
        "organizations": sum(len(plan.organizations) for plan in plans),
        "contacts": sum(
            len({user.pk for users in plan.requesters.values() for user in users}) for plan in plans
        ),
        "staff": len(staff),
        "cases": cases,
        "open cases": cases - writer.counts[Status.CLOSED],
        "replies": writer.reply_id - writer.first_reply_id,
        "events": writer.event_id - writer.first_event_id,
        "by status": dict(writer.counts),
        "now": now,
        "timings": timings,
    }
