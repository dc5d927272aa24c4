import pytest

from tenants.demo import demo_seed
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
