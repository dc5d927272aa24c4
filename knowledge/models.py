"""The knowledge base (issue 12): articles in categories, their revisions, what readers thought of them, and
what the new-case form suggested.

Who may read which article is decided in one place, knowledge/visibility.py; nothing here knows it.
"""

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

BODY_MAX_CHARS = 100_000


class Audience(models.TextChoices):
    """Who may read a published article. Staff read every article, drafts included."""

    PUBLIC = "public", "Everyone (no sign-in needed)"
    CUSTOMERS = "customers", "Signed-in customers (Free tier included)"
    INTERNAL = "internal", "Vendor staff only"


class ArticleStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"


class Category(models.Model):
    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=120, unique=True)
    description = models.CharField(max_length=300, blank=True)
    position = models.PositiveSmallIntegerField(default=0, help_text="Lower comes first on the home page.")

    class Meta:
        ordering = ["position", "name"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name


class Article(models.Model):
    """An article. Its URL is its id (with the slug of its current title for humans): a new title keeps every
    old link working, the old slug redirects."""

    title = models.CharField(max_length=200)
    summary = models.CharField(max_length=300, blank=True, help_text="One or two sentences shown in lists.")
    body = models.TextField(help_text="Markdown.")
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="articles")
    audience = models.CharField(max_length=12, choices=Audience.choices, default=Audience.CUSTOMERS)
    status = models.CharField(max_length=12, choices=ArticleStatus.choices, default=ArticleStatus.DRAFT)
    products = models.ManyToManyField("tenants.Product", blank=True, related_name="articles")
    versions = models.ManyToManyField("tenants.Version", blank=True, related_name="articles")

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)
    published_at = models.DateTimeField(null=True, blank=True, help_text="When it was last published.")

    # PostgreSQL only: title (weight A) and body (weight B) with English stemming, kept by the article
    # services (knowledge/search.py) and indexed with GIN (migration 0001). Empty on SQLite.
    search_vector = SearchVectorField(null=True, editable=False)
    # The title alone, small: suggestions match and rank titles only (knowledge/search.py).
    title_vector = SearchVectorField(null=True, editable=False)

    class Meta:
        ordering = ["title"]
        indexes = [models.Index(fields=["status", "audience"], name="article_readable")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("kb_article", kwargs={"pk": self.pk, "slug": self.slug})

    @property
    def slug(self) -> str:
        return slugify(self.title)[:80] or "article"

    @property
    def is_published(self) -> bool:
        return self.status == ArticleStatus.PUBLISHED


class ArticleRevision(models.Model):
    """What an article said after each change, who changed it and when."""

    class Change(models.TextChoices):
        CREATED = "created", "Created"
        EDITED = "edited", "Edited"
        PUBLISHED = "published", "Published"
        UNPUBLISHED = "unpublished", "Back to draft"

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="revisions")
    change = models.CharField(max_length=12, choices=Change.choices)
    title = models.CharField(max_length=200)
    summary = models.CharField(max_length=300, blank=True)
    body = models.TextField()
    audience = models.CharField(max_length=12, choices=Audience.choices)
    status = models.CharField(max_length=12, choices=ArticleStatus.choices)
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    edited_at = models.DateTimeField()

    class Meta:
        ordering = ["-edited_at", "-id"]

    def __str__(self) -> str:
        return f"{self.article_id}: {self.get_change_display()} at {self.edited_at:%Y-%m-%d %H:%M}"


class ArticleFeedback(models.Model):
    """ "Was this helpful?": one answer per person (signed in) or per browser session (anonymous)."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="feedback")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True)
    session_key = models.CharField(max_length=40, blank=True)
    helpful = models.BooleanField()
    answered_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["article", "user"],
                condition=models.Q(user__isnull=False),
                name="feedback_once_per_user",
            ),
            models.UniqueConstraint(
                fields=["article", "session_key"],
                condition=models.Q(user__isnull=True),
                name="feedback_once_per_session",
            ),
            models.CheckConstraint(
                condition=models.Q(user__isnull=False) | ~models.Q(session_key=""),
                name="feedback_has_a_reader",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.article_id}: {'helpful' if self.helpful else 'not helpful'}"


class ArticleSentOnCase(models.Model):
    """An engineer linked this article in a reply on this case ("knowledge-base link", domain.md §5)."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="sent_on")
    case = models.ForeignKey("tickets.Case", on_delete=models.CASCADE, related_name="+")
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    sent_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["article", "case"], name="article_sent_once_per_case")]

    def __str__(self) -> str:
        return f"{self.article_id} sent on {self.case_id}"


class ArticleSuggestion(models.Model):
    """The new-case form showed this article to this person (and maybe they opened it).

    `form_session` is a random id the form's script draws once per page load: every suggestion shown while
    one form is being filled in shares it. Deflection is counted from these rows (knowledge/selectors.py).
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    form_session = models.CharField(max_length=40)
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="suggestions")
    shown_at = models.DateTimeField()
    opened_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["form_session", "user", "article"], name="suggestion_once_per_form_session"
            )
        ]
        indexes = [models.Index(fields=["user", "shown_at"], name="suggestion_user_recent")]

    def __str__(self) -> str:
        return f"{self.article_id} shown in {self.form_session}"
