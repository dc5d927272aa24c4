"""Who may read which article: the one rule, used by every page, search, suggestion and API of the knowledge
base (a test walks every audience and article kind through each of them).

- Vendor staff read every article, drafts and internal ones included (drafts show as drafts).
- A signed-in customer with an active membership reads published public and customers-only articles. That
  includes the Free tier and an account whose contract has ended: the knowledge base is where they are sent
  (domain.md §1–§2).
- Everyone else (nobody signed in, a deactivated contact, a sign-in with no account) reads published public
  articles only.

Anything else answers 404, exactly like an article that does not exist.
"""

from django.db.models import QuerySet

from knowledge.models import Article, ArticleStatus, Audience
from tenants.scope import scope_for

# What each kind of reader may read, once published.
AUDIENCES_FOR_CUSTOMERS = [Audience.PUBLIC, Audience.CUSTOMERS]
AUDIENCES_FOR_EVERYONE = [Audience.PUBLIC]


def articles_visible_to(user) -> QuerySet[Article]:
    """The articles `user` (maybe anonymous, maybe None) may read."""
    scope = scope_for(user)
    if scope.is_vendor_staff:
        return Article.objects.all()
    audiences = AUDIENCES_FOR_CUSTOMERS if scope.is_customer else AUDIENCES_FOR_EVERYONE
    return articles_customers_read(audiences=audiences)


def articles_customers_read(*, audiences=tuple(AUDIENCES_FOR_CUSTOMERS)) -> QuerySet[Article]:
    """Published articles for these audiences: what an engineer may link in a reply to a customer."""
    return Article.objects.filter(status=ArticleStatus.PUBLISHED, audience__in=list(audiences))


def may_write_articles(user) -> bool:
    """Every member of vendor staff writes, edits and publishes articles."""
    return scope_for(user).is_vendor_staff
