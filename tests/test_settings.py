"""Settings come from the environment: production passes the deploy checks; bad values fail loudly."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "a-long-production-secret-" + "x7Qp2" * 10,
    "ALLOWED_HOSTS": "support.example.com",
    "DATABASE_URL": os.environ.get("DATABASE_URL", "sqlite:////tmp/unused.sqlite3"),
    "REDIS_URL": os.environ.get("REDIS_URL", ""),
}


# Variables the test runner sets that a production process would not have.
NOT_INHERITED = {"DEBUG", "HTTPS", "SECRET_KEY", "ALLOWED_HOSTS", "BEHIND_PROXY", "DJANGO_ALLOW_ASYNC_UNSAFE"}


def manage(*args, **env):
    clean = {k: v for k, v in os.environ.items() if k not in NOT_INHERITED}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_the_deploy_check_without_a_warning():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = {k: v for k, v in PRODUCTION.items() if k != "SECRET_KEY"}
    result = manage("check", **env)
    assert result.returncode != 0
    assert "Set the SECRET_KEY environment variable." in result.stderr


def test_a_malformed_boolean_is_refused_by_name():
    result = manage("check", **{**PRODUCTION, "DEBUG": "maybe"})
    assert result.returncode != 0
    assert "DEBUG must be a boolean" in result.stderr


PROXY_PROBE = (
    "from django.conf import settings; from django.test import RequestFactory;"
    "from allauth.core.internal.httpkit import get_client_ip;"
    "request = RequestFactory().get('/', HTTP_X_FORWARDED_PROTO='https',"
    " HTTP_X_FORWARDED_FOR='203.0.113.9, 198.51.100.7', REMOTE_ADDR='10.0.0.2');"
    "print(settings.SECURE_PROXY_SSL_HEADER, request.is_secure(), get_client_ip(request))"
)


def test_without_a_proxy_a_forwarded_proto_header_from_anyone_is_ignored():
    result = manage("shell", "--no-imports", "-c", PROXY_PROBE, **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["None", "False", "10.0.0.2"]


def test_behind_the_proxy_its_forwarded_proto_and_client_address_count():
    result = manage("shell", "--no-imports", "-c", PROXY_PROBE, **PRODUCTION, BEHIND_PROXY="1")
    assert result.returncode == 0, result.stderr
    # The proxy appends the address it saw to X-Forwarded-For: only that last one is trusted.
    assert result.stdout.split() == ["('HTTP_X_FORWARDED_PROTO',", "'https')", "True", "198.51.100.7"]


def test_behind_the_proxy_production_still_passes_the_deploy_check():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION, BEHIND_PROXY="1")
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout
