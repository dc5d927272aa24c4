from tests.fixtures import two_tenants  # noqa: F401 (the shared two-tenant fixture)
