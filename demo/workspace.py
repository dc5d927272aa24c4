"""What `make run` shows beyond people and stories: macros, a named TAM, cases taken by phone and by chat, a
few knowledge-base articles and the status page's components. Played through the services; safe to run again.

Kept apart from demo_seed (the people), which tests stand on: a TAM there would assign every new Northwind
case in every test.
"""

import datetime

from django.utils import timezone

from knowledge.services import knowledge_demo_article
from sla.services import chat_is_open
from statuspage.demo import status_demo_seed
from tenants.models import Account, Organization, User
from tickets.models import Case, Category, Channel, Macro, ResponseKind
from tickets.services import ticket_create

MACROS = [
    (
        "Looking into it",
        ResponseKind.ANSWER,
        "Hello {contact_name},\n\nthank you for {case_number}. I am looking into it now and will update you "
        "within the hour.\n\n{engineer_name}",
    ),
    (
        "Ask for a support bundle",
        ResponseKind.REQUEST_INFO,
        "Hello {contact_name},\n\nto go further on {case_number} we need a support bundle: run "
        "`support-bundle --last 24h` on the affected machine and attach the file here.\n\n{engineer_name}",
    ),
    (
        "Known issue, fix planned",
        ResponseKind.KNOWN_ISSUE,
        "Hello {contact_name},\n\nwhat you see on {case_number} is a known issue; a fix is planned for the "
        "next maintenance release. Until then, restarting the agent service clears it.\n\n{engineer_name}",
    ),
]

ARTICLES = [
    (
        "Rotating the IdP signing certificate without downtime",
        "Sign-in and single sign-on",
        "Add the new certificate to the gateway's trusted list **before** the identity provider starts "
        "signing with it, then remove the old one a day later.\n\n1. `idgw-cli metadata refresh --idp NAME`\n"
        "2. Check `idgw-cli metadata show --idp NAME` lists both thumbprints.",
    ),
    (
        "Agents stopped reporting: first checks",
        "Agents",
        "Most silent agents have lost their route to the collector.\n\n- Check the agent service is running\n"
        "- Check port 8443 to the collector is open\n- Attach `agent.log` to your case if both are fine.",
    ),
    (
        "Which versions are still supported?",
        "Product life cycle",
        "A major version is supported for two years from its general availability date. The portal's case "
        "form says when the version you choose is past its end of support.",
    ),
]


def last_chat_hours(moment: datetime.datetime) -> datetime.datetime:
    """`moment` if chat was staffed then, else the last half hour before it when it was (domain.md §8): the
    demo is seeded at any hour, and a chat case can only come in while chat is staffed."""
    while not chat_is_open(now=moment):
        moment -= datetime.timedelta(minutes=30)
    return moment


def demo_workspace_seed(*, now: datetime.datetime | None = None) -> None:
    now = now or timezone.now()
    erik = User.objects.get(email="engineer@demo.test")
    priya = User.objects.get(email="engineer2@demo.test")
    for name, kind, body in MACROS:
        Macro.objects.get_or_create(name=name, defaults={"kind": kind, "body": body})

    # Northwind (Premium) has a named TAM: its new cases go to Priya first.
    Account.objects.filter(name="Northwind MSP", technical_account_manager=None).update(
        technical_account_manager=priya
    )
    if not Case.objects.filter(channel=Channel.PHONE).exists():
        ticket_create(
            requester=User.objects.get(email="mia@northwind-msp.test"),
            organization=Organization.objects.get(name="Contoso Dental"),
            category=Category.objects.get(slug="agent"),
            subject="Phoned in: front-desk PCs lost their printers",
            description="Mia called: since the 07:00 update, the four front-desk PCs show no printers.",
            requested_severity=2,
            best_time_from=datetime.time(8, 0),
            best_time_to=datetime.time(17, 0),
            contact_time_zone="America/Denver",
            channel=Channel.PHONE,
            filed_by=erik,
            received_at=now - datetime.timedelta(minutes=50),
        )
    if not Case.objects.filter(channel=Channel.CHAT).exists():
        ticket_create(
            requester=User.objects.get(email="max@northwind-msp.test"),
            organization=Organization.objects.get(name="Fabrikam Logistics"),
            category=Category.objects.get(slug="agent"),
            subject="Chat: agents on the warehouse scanners went silent",
            description="Max in chat: the 12 handheld scanners in the Rotterdam warehouse stopped reporting "
            "after last night's agent update; the dashboard shows them offline since 23:10 CET.",
            requested_severity=2,
            best_time_from=datetime.time(9, 0),
            best_time_to=datetime.time(18, 0),
            contact_time_zone="Europe/Berlin",
            channel=Channel.CHAT,
            filed_by=priya,
            received_at=last_chat_hours(now - datetime.timedelta(minutes=20)),
        )

    for title, category, body in ARTICLES:
        knowledge_demo_article(title=title, body=body, category=category, author=erik, now=now)
    status_demo_seed(actor=erik, now=now)
