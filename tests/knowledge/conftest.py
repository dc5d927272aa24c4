import pytest

from knowledge.models import Audience
from knowledge.services import article_create, category_get_or_create
from tests.fixtures import two_tenants  # noqa: F401 (the shared two-tenant fixture)


@pytest.fixture
def write_article(db):
    """`write_article(title=…, body=…, audience=…, publish=…)`: an article written through the service."""

    def write(*, title, body="Steps to follow.", audience=Audience.PUBLIC, publish=True, actor=None, **extra):
        category = category_get_or_create(name=extra.pop("category", "Printing"))
        return article_create(
            actor=actor,
            title=title,
            body=body,
            category=category,
            audience=audience,
            publish=publish,
            **extra,
        )

    return write
