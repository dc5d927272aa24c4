import pytest

from demo.people import demo_seed
from tenants.models import User


@pytest.fixture
def demo(db):
    """The demo data set: two paying tenants (Acme, Northwind MSP) and the rest, as `make run` shows it."""
    demo_seed()
    return {user.email.split("@")[0]: user for user in User.objects.all()}


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Django's default hasher takes most of a second per password by design; tests create dozens.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def empty_cache():
    # Login rate limits live in the real Redis cache: each test starts with a clean slate.
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def start_worker(transactional_db, tmp_path):
    """Start real Celery worker processes on the test broker and the test database; stopped after the test.

    `start_worker(email_backend=…)` returns the process (`.log_path`, `.outbox`: the folder the workers'
    emails land in, shared by every worker of the test). A test may kill one and start another.
    """
    import os
    import subprocess
    import sys
    import time
    import uuid

    from django.db import connection

    from supportdesk.celery import app

    db = connection.settings_dict
    if db["ENGINE"] != "django.db.backends.postgresql":
        pytest.fail("Worker tests need PostgreSQL: run them through `make test`.")
    outbox = tmp_path / "outbox"
    app.control.purge()  # messages left by earlier tests that had no worker
    started = []

    def start(*, email_backend="django.core.mail.backends.filebased.EmailBackend"):
        name = f"test-{uuid.uuid4().hex[:8]}@localhost"
        env = {
            **os.environ,
            "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
            # The outside world is faked: the worker's emails land as files the test reads.
            "EMAIL_BACKEND": email_backend,
            "EMAIL_FILE_PATH": str(outbox),
        }
        log_path = tmp_path / f"worker-{len(started) + 1}.log"
        log = log_path.open("w")
        worker = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "supportdesk",
                "worker",
                "--pool",
                "solo",
                "--loglevel",
                "INFO",
                "--hostname",
                name,
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        started.append((worker, log))
        deadline = time.monotonic() + 60
        # Ready once it says so: a solo worker already busy with a waiting task answers no ping until done.
        while f"{name} ready." not in log_path.read_text() and not app.control.ping(
            destination=[name], timeout=0.5
        ):
            if worker.poll() is not None or time.monotonic() > deadline:
                worker.kill()
                pytest.fail("The Celery worker did not start:\n" + log_path.read_text())
        worker.log_path = log_path
        worker.outbox = outbox
        return worker

    yield start
    for worker, _ in started:
        if worker.poll() is None:
            worker.terminate()
    for worker, log in started:
        worker.wait(timeout=60)
        log.close()


@pytest.fixture
def celery_worker(start_worker):
    """One real Celery worker process whose emails land as files in `celery_worker.outbox`."""
    return start_worker()


def wait_until(condition, *, timeout=30.0, interval=0.2):
    """Poll until `condition()` is true; the answer of the last try is returned either way."""
    import time

    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result or time.monotonic() > deadline:
            return result
        time.sleep(interval)


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """`with committed():` runs what the block enqueues on commit, Celery tasks in-process, when it ends.

    For unit tests of what a change sends; background-work tests use real worker processes instead.
    """
    from supportdesk.celery import app

    app.conf.task_always_eager = True
    yield lambda: django_capture_on_commit_callbacks(execute=True)
    app.conf.task_always_eager = False
