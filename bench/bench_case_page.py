"""Benchmark: the case page when the description is the longest allowed text of the worst shapes we know.

Run through the test services: ``scripts/with-test-services .venv/bin/python bench/bench_case_page.py``
(``make bench`` does). Needs PostgreSQL in DATABASE_URL: it creates its own database next to it
(``supportdesk_bench_case_page``), migrates, loads the demo data, and has Bob (Acme) file one case per
shape through ticket_create, each description DESCRIPTION_MAX_LENGTH characters long. For each shape it
times markdown_to_safe_html alone, then GET /portal/cases/<number>/ with Django's test Client, in-process,
as Bob (the customer) and as Erik (an engineer): REQUESTS per series after a warm-up, so a figure is the
server's time for the request including middleware, queries and template rendering (no network, no browser).

For comparison it renders 20,000 "[" once with Python-Markdown 3, the renderer this replaced (the issue
measured 44 s), in a child process stopped after PYTHON_MARKDOWN_CAP_S; skipped if `markdown` is missing.

Goal (issue): rendering linear in the text, so every shape at the longest length costs a few milliseconds.
"""

import datetime
import importlib.util
import os
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from harness import percentile, run_in_bench_database  # noqa: E402

REQUESTS = 50
WARM_UP = 5
RENDERS = 50
BENCH_DB = "supportdesk_bench_case_page"
PYTHON_MARKDOWN_CAP_S = 60


def shapes(n: int) -> list[tuple[str, str]]:
    """(name, text of exactly n characters): what made some renderer slow somewhere, and an ordinary text."""

    def repeat(unit: str) -> str:
        return (unit * (n // len(unit) + 1))[:n]

    pieces = ["[", ">", "*a ", "![[", "`a", "[x]: ", "_a", "<a ", "&#", "|-"]
    mixed = "".join(repeat(piece)[: n // len(pieces)] for piece in pieces)
    ordinary = repeat(
        "Since the **5.2 upgrade** every sign-in through the gateway fails.\n"
        "Steps so far:\n\n1. Restarted the gateway\n2. Checked the [SAML metadata](https://idp.example.com/md)\n\n"
        "```\nERROR saml: signature invalid (cert 3F:A2)\n```\n\n> Quoting the IdP team: nothing changed.\n\n"
    )
    return [
        ("[ x 20,000", repeat("[")),
        ("> x 20,000", repeat(">")),
        ("'*a ' repeated", repeat("*a ")),
        ("![[ repeated", repeat("![[")),
        ("mixed (10 shapes)", (mixed + repeat("["))[:n]),
        ("quotes 32 deep, repeated", repeat(">" * 32 + " x\n\n")),
        ("'- ' nested lists", repeat("- ")[:-1] + "a"),
        ("table, 1,000 cols, rows 'a'", repeat("|a" * 1000 + "|\n" + "|-" * 1000 + "|\n" + "a\n" * n)),
        ("table, 4 cols, typed", repeat("| 1 | 2 | 3 | 4 |\n|---|---|---|---|\n" + "|1|2|3|4|\n" * n)),
        ("[x]: references", repeat("[x]: ")),
        ("backtick runs", "".join("`" * i + "a" for i in range(1, 200))[:n].ljust(n, "a")),
        ("ordinary Markdown", ordinary),
    ]


def figures(samples: list[float]) -> dict:
    return {"p50": statistics.median(samples), "p95": percentile(samples, 0.95)}


def time_render(text: str) -> dict:
    from tickets.templatetags.case_text import markdown_to_safe_html

    samples = []
    for _ in range(RENDERS):
        start = time.perf_counter()
        markdown_to_safe_html(text)
        samples.append((time.perf_counter() - start) * 1000)
    return figures(samples)


def time_page(client, path: str) -> dict:
    for _ in range(WARM_UP):
        response = client.get(path)
        if response.status_code != 200:
            raise SystemExit(
                f"GET {path} answered {response.status_code}, not 200: the bench cannot measure it."
            )
    samples = []
    for _ in range(REQUESTS):
        start = time.perf_counter()
        client.get(path)
        samples.append((time.perf_counter() - start) * 1000)
    return figures(samples)


def python_markdown_figure(n: int) -> str:
    """Python-Markdown 3 over n "[", once, in a child process stopped after PYTHON_MARKDOWN_CAP_S."""
    script = (
        "import time, markdown\n"
        "start = time.perf_counter()\n"
        f"markdown.markdown('[' * {n}, extensions=['fenced_code', 'tables', 'sane_lists'])\n"
        "print(time.perf_counter() - start)\n"
    )
    try:
        done = subprocess.run(
            [sys.executable, "-c", script], capture_output=True, text=True, timeout=PYTHON_MARKDOWN_CAP_S
        )
    except subprocess.TimeoutExpired:
        return f"over {PYTHON_MARKDOWN_CAP_S} s (stopped)"
    if done.returncode != 0:
        return "failed: " + done.stderr.strip().splitlines()[-1]
    return f"{float(done.stdout):.1f} s (one run)"


def run() -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    from demo.people import demo_seed
    from tenants.models import Organization, User
    from tickets.models import DESCRIPTION_MAX_LENGTH, Category
    from tickets.services import ticket_create

    mark = time.perf_counter()
    call_command("collectstatic", interactive=False, verbosity=0)
    call_command("migrate", verbosity=0)
    demo_seed()
    print(f"Data: migrate + demo in {time.perf_counter() - mark:.1f} s.")
    readers = []
    for email, label in [("bob@acme.test", "customer"), ("engineer@demo.test", "engineer")]:
        client = Client()
        client.force_login(User.objects.get(email=email))
        readers.append((label, client))

    print(
        f"Each description {DESCRIPTION_MAX_LENGTH:,} characters. Render: markdown_to_safe_html alone, "
        f"{RENDERS} calls. Page: GET of the case page, {REQUESTS} requests after {WARM_UP} warm-up, "
        "as bob@acme.test (customer) and engineer@demo.test (engineer)."
    )
    print()
    header = (
        f"{'description':<26} {'render p50':>10} {'p95':>6} {'customer p50':>12} {'p95':>6} "
        f"{'engineer p50':>12} {'p95':>6}   (ms)"
    )
    print(header)
    print("-" * len(header))
    for name, text in shapes(DESCRIPTION_MAX_LENGTH):
        assert len(text) == DESCRIPTION_MAX_LENGTH, name
        case = ticket_create(
            requester=User.objects.get(email="bob@acme.test"),
            organization=Organization.objects.get(name="Acme"),
            category=Category.objects.get(slug="sign_in"),
            subject=f"Bench: {name}",
            description=text,
            requested_severity=3,
            best_time_from=datetime.time(9, 0),
            best_time_to=datetime.time(17, 0),
            contact_time_zone="America/Denver",
        )
        render = time_render(text)
        pages = [time_page(client, f"/portal/cases/{case.number}/") for _, client in readers]
        print(
            f"{name:<26} {render['p50']:>10.1f} {render['p95']:>6.1f} "
            + " ".join(f"{page['p50']:>12.1f} {page['p95']:>6.1f}" for page in pages)
        )
    print()
    if importlib.util.find_spec("markdown") is None:
        print("Python-Markdown 3, 20,000 '[': not installed, not measured.")
    else:
        print(f"Python-Markdown 3 (the renderer this replaced), 20,000 '[': {python_markdown_figure(20_000)}")


if __name__ == "__main__":
    run_in_bench_database(BENCH_DB, run)
