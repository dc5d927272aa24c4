"""docker-compose.yml stays true to the settings: same services, same environment variables."""

from pathlib import Path

import yaml

COMPOSE = Path(__file__).resolve().parent.parent / "docker-compose.yml"


def test_compose_runs_postgres_redis_web_worker_and_beat_on_the_settings_variables():
    compose = yaml.safe_load(COMPOSE.read_text())
    assert set(compose["services"]) == {"proxy", "postgres", "redis", "web", "worker", "beat", "mailwatch"}
    for name in ["web", "worker", "beat", "mailwatch"]:
        service = compose["services"][name]
        env = service["environment"]
        assert env["DEBUG"] == "0"
        assert env["DATABASE_URL"].startswith("postgres://") and env["DATABASE_URL"].endswith(
            "@postgres:5432/supportdesk"
        )
        assert env["CELERY_BROKER_URL"].startswith("redis://redis:6379")
        assert env["REDIS_URL"].startswith("redis://redis:6379")
        assert "SECRET_KEY" in env and "ALLOWED_HOSTS" in env
    assert "gunicorn supportdesk.wsgi" in compose["services"]["web"]["command"]
    assert compose["services"]["worker"]["command"].startswith("celery -A supportdesk worker")
    assert "django_celery_beat.schedulers:DatabaseScheduler" in compose["services"]["beat"]["command"]
    # The IMAP IDLE watcher runs only where an IMAP mailbox is configured (COMPOSE_PROFILES=imap).
    assert compose["services"]["mailwatch"]["command"] == "python manage.py mail_watch"
    assert compose["services"]["mailwatch"]["profiles"] == ["imap"]


def test_only_the_proxy_takes_outside_traffic_and_the_web_service_trusts_its_headers():
    compose = yaml.safe_load(COMPOSE.read_text())
    web, proxy = compose["services"]["web"], compose["services"]["proxy"]
    assert "ports" not in web and web["expose"] == ["8000"]
    assert web["environment"]["BEHIND_PROXY"] == "1"
    assert "--forwarded-allow-ips" in web["command"]
    assert proxy["image"].startswith("nginx:")
    assert {port.split(":")[-1] for port in proxy["ports"]} == {"80", "443"}
    assert "web" in proxy["depends_on"]
    [config] = [volume for volume in proxy["volumes"] if volume.endswith("/etc/nginx/conf.d/default.conf:ro")]
    nginx_conf = (COMPOSE.parent / config.split(":")[0]).read_text()
    assert "proxy_pass http://web:8000" in nginx_conf
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in nginx_conf
    assert "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;" in nginx_conf
    for name in ["worker", "beat", "mailwatch"]:  # they serve nothing over HTTP
        assert "BEHIND_PROXY" not in compose["services"][name]["environment"]
        assert "ports" not in compose["services"][name]
