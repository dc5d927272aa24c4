"""Writes of the knowledge base. Each takes the acting person (`actor`, None for the system) and `now`, checks
its input (a ValidationError naming the field), and never checks permissions: the views do, through
knowledge.visibility.

An article's every change leaves a revision (who, when, what it said after the change), and refreshes its
search vector in the same transaction.
"""

import re

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from knowledge.models import (
    BODY_MAX_CHARS,
    Article,
    ArticleFeedback,
    ArticleRevision,
    ArticleSentOnCase,
    ArticleStatus,
    ArticleSuggestion,
    Audience,
    Category,
)
from knowledge.search import search_vectors_refresh
from knowledge.visibility import articles_customers_read
from tickets.models import ResponseKind

FORM_SESSION_MAX_CHARS = 40


def _form_session(value: str | None) -> str:
    """The form session id, or "" for one the new-case form could not have drawn (it draws hex digits). It
    is only a tracking hint, so a mangled one (a NUL, which PostgreSQL cannot hold) is ignored, never an
    error."""
    value = (value or "")[:FORM_SESSION_MAX_CHARS]
    return value if value.isalnum() else ""


def _clean(*, title: str, summary: str, body: str, audience: str, products, versions) -> dict:
    errors = {}
    title, summary, body = (title or "").strip(), (summary or "").strip(), (body or "").strip()
    if not title:
        errors["title"] = "An article needs a title."
    elif len(title) > 200:
        errors["title"] = "Keep the title under 200 characters."
    if len(summary) > 300:
        errors["summary"] = "Keep the summary under 300 characters."
    if not body:
        errors["body"] = "An article needs a body."
    elif len(body) > BODY_MAX_CHARS:
        errors["body"] = f"An article is at most {BODY_MAX_CHARS:,} characters."
    if audience not in Audience.values:
        errors["audience"] = "Choose who may read the article."
    products, versions = list(products or []), list(versions or [])
    stray = [version for version in versions if version.product_id not in {p.pk for p in products}]
    if stray:
        errors["versions"] = f"{stray[0]} is a version of a product the article is not tagged with."
    if errors:
        raise ValidationError(errors)
    return {"title": title, "summary": summary, "body": body, "audience": audience}


def _revision(article: Article, *, change: str, actor, now) -> None:
    ArticleRevision.objects.create(
        article=article,
        change=change,
        title=article.title,
        summary=article.summary,
        body=article.body,
        audience=article.audience,
        status=article.status,
        edited_by=actor,
        edited_at=now,
    )


@transaction.atomic
def article_create(
    *,
    actor,
    title: str,
    body: str,
    category: Category,
    audience: str = Audience.CUSTOMERS,
    summary: str = "",
    products=(),
    versions=(),
    publish: bool = False,
    now=None,
) -> Article:
    """A new article, a draft unless `publish`; its first revision records who wrote it."""
    now = now or timezone.now()
    fields = _clean(
        title=title, summary=summary, body=body, audience=audience, products=products, versions=versions
    )
    article = Article.objects.create(
        **fields,
        category=category,
        status=ArticleStatus.PUBLISHED if publish else ArticleStatus.DRAFT,
        published_at=now if publish else None,
        created_by=actor,
        created_at=now,
        updated_by=actor,
        updated_at=now,
    )
    article.products.set(products)
    article.versions.set(versions)
    _revision(article, change=ArticleRevision.Change.CREATED, actor=actor, now=now)
    if publish:
        _revision(article, change=ArticleRevision.Change.PUBLISHED, actor=actor, now=now)
    search_vectors_refresh(article_ids=[article.pk])
    return article


@transaction.atomic
def article_update(
    *,
    article: Article,
    actor,
    title: str,
    body: str,
    category: Category,
    audience: str,
    summary: str = "",
    products=(),
    versions=(),
    now=None,
) -> Article:
    """Change what an article says (its id, and so its URL, stays). Locks the article row; a save that
    changes nothing leaves no revision."""
    now = now or timezone.now()
    fields = _clean(
        title=title, summary=summary, body=body, audience=audience, products=products, versions=versions
    )
    locked = Article.objects.select_for_update().get(pk=article.pk)
    before = (
        locked.title,
        locked.summary,
        locked.body,
        locked.audience,
        locked.category_id,
        set(locked.products.values_list("pk", flat=True)),
        set(locked.versions.values_list("pk", flat=True)),
    )
    after = (
        fields["title"],
        fields["summary"],
        fields["body"],
        fields["audience"],
        category.pk,
        {product.pk for product in products},
        {version.pk for version in versions},
    )
    if before == after:
        return locked
    for name, value in fields.items():
        setattr(locked, name, value)
    locked.category = category
    locked.updated_by, locked.updated_at = actor, now
    locked.save()
    locked.products.set(products)
    locked.versions.set(versions)
    _revision(locked, change=ArticleRevision.Change.EDITED, actor=actor, now=now)
    search_vectors_refresh(article_ids=[locked.pk])
    return locked


@transaction.atomic
def article_publish(*, article: Article, actor, now=None) -> Article:
    """Publish a draft: from now on its readers (by its audience) find it. Publishing twice does nothing."""
    now = now or timezone.now()
    locked = Article.objects.select_for_update().get(pk=article.pk)
    if locked.status == ArticleStatus.PUBLISHED:
        return locked
    locked.status, locked.published_at = ArticleStatus.PUBLISHED, now
    locked.updated_by, locked.updated_at = actor, now
    locked.save(update_fields=["status", "published_at", "updated_by", "updated_at"])
    _revision(locked, change=ArticleRevision.Change.PUBLISHED, actor=actor, now=now)
    return locked


@transaction.atomic
def article_unpublish(*, article: Article, actor, now=None) -> Article:
    """Take an article back to draft: only staff read it until it is published again."""
    now = now or timezone.now()
    locked = Article.objects.select_for_update().get(pk=article.pk)
    if locked.status == ArticleStatus.DRAFT:
        return locked
    locked.status = ArticleStatus.DRAFT
    locked.updated_by, locked.updated_at = actor, now
    locked.save(update_fields=["status", "updated_by", "updated_at"])
    _revision(locked, change=ArticleRevision.Change.UNPUBLISHED, actor=actor, now=now)
    return locked


def article_feedback_record(
    *, article: Article, user=None, session_key: str = "", helpful: bool, now=None
) -> ArticleFeedback:
    """Was this helpful? One answer per person, or per browser session for someone not signed in.
    Answering again changes the answer; it is never counted twice."""
    now = now or timezone.now()
    if user is not None and user.is_authenticated:
        reader = {"user": user}
    elif session_key:
        reader = {"user": None, "session_key": session_key}
    else:
        raise ValidationError({"session_key": "An anonymous answer needs a browser session."})
    for _ in range(2):  # two first answers at once: the loser of the insert updates the winner's row
        try:
            with transaction.atomic():
                feedback, _created = ArticleFeedback.objects.update_or_create(
                    article=article, **reader, defaults={"helpful": helpful, "answered_at": now}
                )
            return feedback
        except IntegrityError:
            continue
    raise ValidationError({"helpful": "Your answer could not be saved; please try again."})


def article_sent_on_case(*, article: Article, case, actor, now=None) -> ArticleSentOnCase:
    """Record that `actor` linked `article` in a reply on `case` (a "knowledge-base link" reply). Once per
    article and case, however often it is linked again. Only a published article customers may read can be
    sent: an internal article or a draft would be a dead link for the customer."""
    now = now or timezone.now()
    if article.status != ArticleStatus.PUBLISHED or article.audience == Audience.INTERNAL:
        raise ValidationError({"article": "Only a published article customers may read can be sent."})
    sent, _created = ArticleSentOnCase.objects.get_or_create(
        article=article, case=case, defaults={"sent_by": actor, "sent_at": now}
    )
    return sent


# A link to an article as the picker inserts it, or as pasted from the address bar: /kb/articles/<id>[-slug]/.
ARTICLE_LINK = re.compile(r"/kb/articles/(\d{1,12})[-/]")


def articles_linked_in_reply(*, reply, case, **kwargs) -> None:
    """A staff "knowledge-base link" reply (domain.md §5): every article it links that customers may read is
    counted as sent on the case (`article_sent_on_case`). Receives tickets.signals.reply_posted."""
    if reply.is_internal or reply.kind != ResponseKind.KB_LINK:
        return
    ids = {int(found) for found in ARTICLE_LINK.findall(reply.body)}
    for article in articles_customers_read().filter(pk__in=ids):
        article_sent_on_case(article=article, case=case, actor=reply.author, now=reply.created_at)


def suggestions_record_shown(*, user, form_session: str, articles, now=None) -> None:
    """Remember that the new-case form showed these articles to `user` in this form session (once each)."""
    now = now or timezone.now()
    form_session = _form_session(form_session)
    if not form_session or user is None or not user.is_authenticated:
        return
    ArticleSuggestion.objects.bulk_create(
        [
            ArticleSuggestion(user=user, form_session=form_session, article=article, shown_at=now)
            for article in articles
        ],
        ignore_conflicts=True,
    )


def suggestion_record_opened(*, user, form_session: str, article: Article, now=None) -> bool:
    """`user` opened an article the form suggested to them. Only a suggestion actually shown in that form
    session counts, and only its first opening. Says whether anything was recorded."""
    now = now or timezone.now()
    form_session = _form_session(form_session)
    if user is None or not user.is_authenticated or not form_session:
        return False
    return bool(
        ArticleSuggestion.objects.filter(
            user=user, form_session=form_session, article=article, opened_at=None
        ).update(opened_at=now)
    )


def category_get_or_create(*, name: str, description: str = "", position: int = 0) -> Category:
    from django.utils.text import slugify

    category, _created = Category.objects.get_or_create(
        slug=slugify(name)[:120], defaults={"name": name, "description": description, "position": position}
    )
    return category


def knowledge_demo_article(
    *,
    title: str,
    body: str,
    category: str,
    audience: str = Audience.PUBLIC,
    summary: str = "",
    products=(),
    versions=(),
    author=None,
    publish: bool = True,
    now=None,
) -> Article:
    """For the demo loader: a published article (by default) in the category of that name, written through
    the same service as an engineer's. Calling it again with the same title returns the existing article."""
    existing = Article.objects.filter(title=title).first()
    if existing is not None:
        return existing
    return article_create(
        actor=author,
        title=title,
        summary=summary,
        body=body,
        category=category_get_or_create(name=category),
        audience=audience,
        products=products,
        versions=versions,
        publish=publish,
        now=now,
    )
