"""Every page carries a Content-Security-Policy that allows no inline code, and no page needs any."""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib import admin
from django.urls import reverse

from demo.people import DEMO_PASSWORD
from tests.tickets.helpers import file_case

ROOT = Path(__file__).resolve().parent.parent
POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",  # allauth shows the TOTP QR code as a data: image
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
}


def policy_of(response) -> dict[str, str]:
    header = response.headers.get("Content-Security-Policy")
    assert header, f"{response.request['PATH_INFO']} answered without a Content-Security-Policy"
    return {
        name: value
        for name, _, value in (part.strip().partition(" ") for part in header.split(";") if part.strip())
    }


class InlineCode(HTMLParser):
    """Collects whatever a policy without 'unsafe-inline' would block: inline scripts, styles and handlers."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []
        self._in_inline_script = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "script" and "src" not in attributes and attributes.get("type") != "application/json":
            self._in_inline_script = True
        if tag == "style":
            self.found.append("<style>")
        for name, value in attrs:
            if name == "style" or name.startswith("on"):
                self.found.append(f"<{tag} {name}=…>")
            if (value or "").strip().lower().startswith("javascript:"):
                self.found.append(f"<{tag} {name}=javascript:…>")

    def handle_data(self, data):
        if self._in_inline_script and data.strip():
            self.found.append(f"<script>{data.strip()[:60]}</script>")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_inline_script = False


def inline_code_in(html: str) -> list[str]:
    parser = InlineCode()
    parser.feed(html)
    return parser.found


def assert_strict_page(client, path):
    response = client.get(path)
    assert response.status_code == 200, f"{path} answered {response.status_code}"
    assert policy_of(response) == POLICY
    assert inline_code_in(response.content.decode()) == [], path


@pytest.fixture
def case(demo):
    return file_case("bob@acme.test", "Acme", subject="Tom & Jerry <3")


def test_the_sign_in_pages_carry_the_policy(client, db):
    for path in ["/accounts/login/", "/accounts/password/reset/"]:
        assert_strict_page(client, path)


def test_customer_pages_carry_the_policy(client, demo, case):
    client.force_login(demo["bob"])
    for path in [
        "/portal/",
        "/portal/cases/new/",
        f"/portal/cases/{case.number}/",
        "/accounts/2fa/",
        "/accounts/email/",
        "/accounts/password/change/",
    ]:
        assert_strict_page(client, path)
    client.force_login(demo["alice"])
    assert_strict_page(client, "/portal/account/")


def test_the_email_change_page_with_a_change_waiting_carries_the_policy(client, demo):
    EmailAddress.objects.create(user=demo["bob"], email="bob.baker@acme.test", verified=False, primary=False)
    client.force_login(demo["bob"])
    assert "bob.baker@acme.test" in client.get("/accounts/email/").content.decode()
    assert_strict_page(client, "/accounts/email/")


def test_staff_pages_carry_the_policy(client, demo, case):
    client.force_login(demo["engineer"])
    for path in ["/queue/", f"/portal/cases/{case.number}/"]:
        assert_strict_page(client, path)


def test_the_two_factor_setup_shows_its_qr_code_under_the_policy(client, demo):
    client.force_login(demo["admin"])
    assert_strict_page(client, "/accounts/reauthenticate/")
    client.post("/accounts/reauthenticate/", {"password": DEMO_PASSWORD})
    response = client.get("/accounts/2fa/totp/activate/")
    assert re.search(r'<img[^>]+src="data:image/', response.content.decode())
    assert_strict_page(client, "/accounts/2fa/totp/activate/")


def test_every_admin_list_and_add_page_carries_the_policy(client, rf, demo, case):
    admin_user = demo["admin"]
    Authenticator.objects.create(user=admin_user, type=Authenticator.Type.TOTP, data={"secret": "unused"})
    client.force_login(admin_user)
    assert_strict_page(client, "/admin/")
    assert_strict_page(client, reverse("admin:tickets_case_change", args=[case.pk]))
    request = rf.get("/admin/")
    request.user = admin_user
    for model, model_admin in admin.site._registry.items():
        info = (model._meta.app_label, model._meta.model_name)
        assert_strict_page(client, reverse("admin:{}_{}_changelist".format(*info)))
        if model_admin.has_add_permission(request):  # the outbox, a record of what was sent, has none
            assert_strict_page(client, reverse("admin:{}_{}_add".format(*info)))


def test_the_api_docs_load_every_script_from_our_own_origin(client, db):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    assert policy_of(response) == POLICY
    html = response.content.decode()
    assert inline_code_in(html) == []
    scripts = re.findall(r'<script[^>]*\bsrc="([^"]+)"', html)
    assert len(scripts) == 3 and all(src.startswith("/") and not src.startswith("//") for src in scripts)
    styles = re.findall(r'<link[^>]*\bhref="([^"]+)"', html)
    assert styles and all(href.startswith("/") and not href.startswith("//") for href in styles)
    init = client.get(scripts[-1])
    assert init.status_code == 200 and init["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle(" in init.content.decode()


def test_errors_and_api_answers_carry_the_policy_too(client, demo):
    assert policy_of(client.get("/no-such-page/")) == POLICY
    client.force_login(demo["bob"])
    assert policy_of(client.get("/api/v1/tickets/")) == POLICY


# The templates themselves: a browser under this policy would refuse what these patterns find.
INLINE_IN_TEMPLATES = [
    (re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", re.I), "inline <script>"),
    (re.compile(r"<style\b", re.I), "<style> block"),
    (re.compile(r"""\sstyle\s*=\s*["'{]""", re.I), "style attribute"),
    (re.compile(r"""\son[a-z]+\s*=\s*["'{]""", re.I), "on* handler"),
    (re.compile(r"javascript:", re.I), "javascript: URL"),
]


def test_our_templates_hold_no_inline_script_style_or_handler():
    found = []
    for template in sorted((ROOT / "templates").rglob("*.html")):
        if "emails" in template.parts:  # mail is read in mail clients, not under our policy
            continue
        text = template.read_text()
        for pattern, what in INLINE_IN_TEMPLATES:
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                found.append(f"{template.relative_to(ROOT)}:{line}: {what}")
    assert found == []


def test_the_template_scan_finds_what_it_looks_for():
    sample = '<script>x()</script><style></style><p style="x" onclick="y"><a href="javascript:z">'
    hits = {what for pattern, what in INLINE_IN_TEMPLATES if pattern.search(sample)}
    assert len(hits) == len(INLINE_IN_TEMPLATES)
    assert not any(
        pattern.search('<script src="/a.js" defer></script>') for pattern, _ in INLINE_IN_TEMPLATES
    )
