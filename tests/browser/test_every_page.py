"""Every page each demo person can reach, in headless Chromium, on a phone (390 × 844) and a laptop
(1366 × 900).

A page fails when it is wider than the screen, logs a console error, has a request that fails (4xx, 5xx or
aborted, the favicon included) or has an axe-core violation of WCAG 2.0/2.1 level A or AA.

axe-core 4.14.1 is vendored in tests/browser/vendor/axe.min.js (`npm pack axe-core`, MPL-2.0, licence header
kept): no CDN. It is evaluated through the DevTools protocol, which our Content-Security-Policy does not
govern (an injected <script> tag would be refused, as it should be).

Which pages: PAGES[person] below (add a new page to the lists of the people who reach it) plus every link in
the header and footer of that person's first page, so a new menu entry is visited without being listed. One
test per person, so a failure names the person; its message names each page and width. Screenshots of every
page land in tests/browser/screenshots/every-page/<person>-<width>-<page>.png (gitignored).
"""

import re
from pathlib import Path

import pytest
from allauth.mfa.models import Authenticator
from django.test import Client
from django.utils import timezone

from demo.cases import demo_cases_seed
from demo.people import demo_seed
from demo.workspace import demo_workspace_seed
from knowledge.models import Article
from statuspage.models import Incident
from tenants.models import Membership, User
from tenants.services import contact_deactivate
from tickets.models import Status
from tickets.scope import scope_for

from .conftest import SCREENSHOTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
WIDTHS = {"phone": (390, 844), "laptop": (1366, 900)}

# Placeholders, filled in per person: a case of theirs (open, closed), a knowledge-base article, an incident.
CASE, CLOSED_CASE, ARTICLE, INCIDENT = "{case}", "{closed_case}", "{article}", "{incident}"

PUBLIC = ["/kb/", ARTICLE, "/kb/search/?q=sign", "/status/", INCIDENT]
SIGNED_IN = ["/accounts/email/", "/accounts/password/change/", "/accounts/2fa/"]
CUSTOMER = [
    "/portal/",
    "/portal/?status=closed",
    "/portal/?status=all",
    "/portal/?search=gateway",
    CASE,
    CLOSED_CASE,
    "/portal/cases/new/",
    *PUBLIC,
    *SIGNED_IN,
]
PORTAL_ADMIN = [*CUSTOMER, "/portal/account/"]
CANNOT_FILE = ["/portal/", *PUBLIC, *SIGNED_IN, "/portal/account/"]
ENGINEER = [
    "/queue/",
    "/staff/cases/new/",
    "/staff/notices/",
    "/staff/notices/preferences/",
    CASE,
    CLOSED_CASE,
    "/kb/manage/",
    "/kb/manage/new/",
    "/status/manage/",
    *PUBLIC,
    *SIGNED_IN,
]
SUPERVISOR = [*ENGINEER, "/queue/escalations/"]

# person: (email or None for someone signed out, the pages to visit)
PAGES = {
    "anonymous": (None, ["/accounts/login/", "/accounts/password/reset/", *PUBLIC]),
    "bob": ("bob@acme.test", CUSTOMER),
    "alice": ("alice@acme.test", PORTAL_ADMIN),
    "max": ("max@northwind-msp.test", PORTAL_ADMIN),
    "mia": ("mia@northwind-msp.test", PORTAL_ADMIN),
    "erin": ("erin@enterprise.test", PORTAL_ADMIN),
    "fred": ("fred@freeco.test", CANNOT_FILE),  # Free tier
    "olga": ("olga@oldco.test", CANNOT_FILE),  # contract expired
    "bob-deactivated": ("bob@acme.test", ["/portal/", *PUBLIC, *SIGNED_IN]),  # Alice deactivated Bob
    "engineer": ("engineer@demo.test", ENGINEER),
    "supervisor": ("supervisor@demo.test", SUPERVISOR),
    "admin": ("admin@demo.test", SUPERVISOR),
}

# Links the header and footer offer that are not our pages: Django's own admin.
NOT_OURS = ("/admin/",)


@pytest.fixture
def demo_everything(transactional_db):
    """The demo as `manage.py seed_demo` leaves it: people, cases, macros, articles and the status page."""
    demo_seed()
    demo_cases_seed()
    demo_workspace_seed()


def _fill(path: str, user: User | None) -> str | None:
    """The page a placeholder stands for, for this person; None when they have nothing of the kind."""
    if path in (CASE, CLOSED_CASE):
        cases = scope_for(user).cases()
        cases = (
            cases.filter(status=Status.CLOSED) if path == CLOSED_CASE else cases.exclude(status=Status.CLOSED)
        )
        case = cases.order_by("-received_at").first()
        return case and f"/portal/cases/{case.number}/"
    if path == ARTICLE:
        article = Article.objects.filter(status="published", audience="public").order_by("pk").first()
        return article and article.get_absolute_url()
    if path == INCIDENT:
        incident = Incident.objects.order_by("pk").first()
        return incident and f"/status/incidents/{incident.pk}/"
    return path


def _sign_in(context, live_server, user: User) -> None:
    client = Client()
    client.force_login(user)
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def _menu_links(page) -> list[str]:
    hrefs = page.eval_on_selector_all(
        "header a[href], footer a[href]", "links => links.map(link => link.getAttribute('href'))"
    )
    return [href for href in hrefs if href.startswith("/") and not href.startswith(NOT_OURS)]


def _axe_violations(page) -> list[str]:
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text())
    result = page.evaluate(
        """levels => axe.run(document, {runOnly: {type: 'tag', values: levels}})
        .then(r => r.violations.map(v => `${v.id} (${v.impact}): ${v.help} at ` +
            v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', ')))""",
        ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"],
    )
    return [f"axe {violation}" for violation in result]


def _slug(path: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-") or "home"


@pytest.mark.parametrize("person", list(PAGES))
def test_every_page_fits_the_screen_and_has_no_errors_or_accessibility_violations(
    person, browser, live_server, settings, demo_everything
):
    # The live server finds static files through the finders, which know no hashed manifest names.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    email, pages = PAGES[person]
    user = email and User.objects.get(email=email)
    if person == "bob-deactivated":
        alice = User.objects.get(email="alice@acme.test")
        contact_deactivate(actor=alice, membership=Membership.objects.get(user=user), now=timezone.now())
    if person == "admin":  # admins set up two-factor before anything else; this one has
        Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": "unused"})

    context = browser.new_context(base_url=live_server.url)
    if user:
        _sign_in(context, live_server, user)
    page = context.new_page()
    page.set_default_timeout(15_000)
    problems: list[str] = []
    current: list[str] = []  # what the listeners below blame: the page and width being visited
    page.on(
        "console",
        lambda m: m.type == "error" and current and problems.append(f"{current[0]}: console {m.text}"),
    )
    page.on("pageerror", lambda error: current and problems.append(f"{current[0]}: page error {error}"))
    page.on("requestfailed", lambda r: problems.append(f"{current[0]}: request failed {r.url} {r.failure}"))
    page.on(
        "response",
        lambda r: (
            r.status >= 400
            and problems.append(f"{current[0]}: {r.status} from {r.url.removeprefix(live_server.url)}")
        ),
    )

    paths = [path for path in (_fill(path, user) for path in pages) if path]
    folder = SCREENSHOTS / "every-page"
    folder.mkdir(parents=True, exist_ok=True)
    visited: set[str] = set()
    for width_name, (width, height) in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": height})
        queue = list(paths)
        while queue:
            path = queue.pop(0)
            if (path, width_name) in visited:
                continue
            visited.add((path, width_name))
            current[:] = [f"{path} at {width_name}"]
            page.goto(path, wait_until="load")
            page.wait_for_load_state("networkidle")
            if path == paths[0]:
                queue += [link for link in _menu_links(page) if link not in paths]
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            if overflow > 0:
                problems.append(f"{current[0]}: {overflow} px wider than the screen")
            problems += [f"{current[0]}: {violation}" for violation in _axe_violations(page)]
            page.screenshot(path=str(folder / f"{person}-{width_name}-{_slug(path)}.png"), full_page=True)
    context.close()
    assert problems == [], f"{person}:\n" + "\n".join(problems)
