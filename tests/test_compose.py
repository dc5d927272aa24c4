"""docker-compose.yml stays true to the settings: same services, same environment variables."""

from pathlib import Path

import yaml

COMPOSE = Path(__file__).resolve().parent.parent / "docker-compose.yml"


def test_compose_runs_postgres_redis_web_worker_and_beat_on_the_settings_variables():
    compose = yaml.safe_load(COMPOSE.read_text())
    assert set(compose["services"]) == {"postgres", "redis", "web", "worker", "beat"}
    for name in ["web", "worker", "beat"]:
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
