"""Reads of the knowledge base. Every read for a reader starts from
knowledge.visibility.articles_visible_to."""

import datetime
from dataclasses import dataclass

from django.db.models import Count, DateTimeField, Exists, ExpressionWrapper, OuterRef, Q, QuerySet

from knowledge.models import Article, ArticleFeedback, ArticleSentOnCase, ArticleSuggestion, Category
from knowledge.visibility import articles_visible_to
from tickets.models import Case

# Deflection (issue 12): a suggestion opened from the new-case form, then no case filed by that person
# within this long after. See deflected_form_sessions.
DEFLECTION_WINDOW = datetime.timedelta(minutes=30)
# The suggestions shown to a case's requester in this long before filing were shown on its form.
SHOWN_BEFORE_FILING = datetime.timedelta(hours=1)
RELATED_COUNT = 5


@dataclass(frozen=True)
class CategoryShelf:
    category: Category
    articles: list[Article]


def categories_for_reader(*, user) -> list[CategoryShelf]:
    """The knowledge base's home: each category with the articles `user` may read in it, most recent first;
    categories with nothing readable are left out. Two queries, whatever the number of articles."""
    articles = (
        articles_visible_to(user).select_related("category").order_by("category_id", "-updated_at", "pk")
    )
    by_category: dict[int, list[Article]] = {}
    for article in articles:
        by_category.setdefault(article.category_id, []).append(article)
    return [
        CategoryShelf(category=category, articles=by_category[category.pk])
        for category in Category.objects.filter(pk__in=by_category)
    ]


def article_for_reader(*, user, pk) -> Article:
    """The article, if `user` may read it; Article.DoesNotExist otherwise (a 404, as for no article)."""
    return (
        articles_visible_to(user)
        .select_related("category", "updated_by")
        .prefetch_related("products", "versions__product")
        .get(pk=pk)
    )


def article_related(*, article: Article, user, limit: int = RELATED_COUNT) -> list[Article]:
    """Other articles `user` may read that share a product with this one or sit in its category: shared
    products first, then the same category, then the most recently updated."""
    products = list(article.products.values_list("pk", flat=True))
    same = Q(category_id=article.category_id)
    if products:
        same |= Q(products__in=products)
    return list(
        articles_visible_to(user)
        .filter(same)
        .exclude(pk=article.pk)
        .annotate(shared_products=Count("products", filter=Q(products__in=products), distinct=True))
        .order_by("-shared_products", "-updated_at", "pk")[:limit]
    )


@dataclass(frozen=True)
class Helpfulness:
    helpful: int
    not_helpful: int


def article_helpfulness(*, article: Article) -> Helpfulness:
    counts = ArticleFeedback.objects.filter(article=article).aggregate(
        yes=Count("pk", filter=Q(helpful=True)), no=Count("pk", filter=Q(helpful=False))
    )
    return Helpfulness(helpful=counts["yes"], not_helpful=counts["no"])


def article_feedback_of(*, article: Article, user, session_key: str) -> ArticleFeedback | None:
    """This reader's own answer to "was this helpful?", if any."""
    if user is not None and user.is_authenticated:
        return ArticleFeedback.objects.filter(article=article, user=user).first()
    if session_key:
        return ArticleFeedback.objects.filter(article=article, user=None, session_key=session_key).first()
    return None


def article_sent_count(*, article: Article) -> int:
    """On how many cases the article was sent in a reply."""
    return ArticleSentOnCase.objects.filter(article=article).count()


def articles_for_staff(*, user) -> QuerySet[Article]:
    """Every article, for the editors' list: drafts first, then by last change."""
    return (
        articles_visible_to(user).select_related("category", "updated_by").order_by("status", "-updated_at")
    )


@dataclass(frozen=True)
class ShownSuggestion:
    article: Article
    shown_at: datetime.datetime
    opened_at: datetime.datetime | None


def articles_shown_for(case: Case) -> list[ShownSuggestion]:
    """The articles the new-case form suggested to the case's requester while they filled it in: those shown
    to them in the hour before the case was filed, each once, with whether they opened it. For the engineer
    reading the case (internal articles are never suggested to a customer, so none appear here)."""
    rows = (
        ArticleSuggestion.objects.filter(
            user_id=case.requester_id,
            shown_at__gte=case.created_at - SHOWN_BEFORE_FILING,
            shown_at__lte=case.created_at,
        )
        .select_related("article")
        .only("article_id", "shown_at", "opened_at", "article__title")  # a link to each: not their bodies
        .order_by("shown_at", "pk")
    )
    shown: dict[int, ShownSuggestion] = {}
    for row in rows:
        earlier = shown.get(row.article_id)
        opened = row.opened_at if row.opened_at and row.opened_at <= case.created_at else None
        if earlier is None:
            shown[row.article_id] = ShownSuggestion(
                article=row.article, shown_at=row.shown_at, opened_at=opened
            )
        elif opened and not earlier.opened_at:
            shown[row.article_id] = ShownSuggestion(
                article=row.article, shown_at=earlier.shown_at, opened_at=opened
            )
    return list(shown.values())


def deflected_form_sessions(*, since: datetime.datetime, until: datetime.datetime, now: datetime.datetime):
    """The form sessions that deflected a case: the new-case form sessions in which the person opened at least
    one suggested article (an opening in [since, until)), and filed no case within DEFLECTION_WINDOW after
    any of their openings. A session whose last opening is less than DEFLECTION_WINDOW ago is still
    undecided and not counted. One query; `.count()` it for the figure.

    Returns (user_id, form_session) rows.
    """
    filed_soon_after = Case.objects.filter(
        requester_id=OuterRef("user_id"),
        created_at__gte=OuterRef("opened_at"),
        created_at__lte=ExpressionWrapper(
            OuterRef("opened_at") + DEFLECTION_WINDOW, output_field=DateTimeField()
        ),
    )
    opened = ArticleSuggestion.objects.filter(opened_at__isnull=False)
    not_deflected = opened.filter(Q(Exists(filed_soon_after)) | Q(opened_at__gt=now - DEFLECTION_WINDOW))
    return (
        opened.filter(opened_at__gte=since, opened_at__lt=until)
        .exclude(form_session__in=not_deflected.values("form_session"))
        .values("user_id", "form_session")
        .distinct()
    )
