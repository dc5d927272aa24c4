"""The default case categories, installed by a data migration and again by seed_demo, and the conversion of
the free-text categories cases had before categories were data (tickets/migrations/0006_case_category_fill).

Kept free of model imports so the migrations can pass in their historical models.
"""

# The portal offered exactly these, in this order, before categories were data. "Something else" stays last,
# after any an admin adds (Category.position defaults to 100).
OTHER = {"slug": "other", "label": "Something else", "position": 1000}
DEFAULT_CATEGORIES = [
    {"slug": "sign_in", "label": "Sign-in and single sign-on", "position": 10},
    {"slug": "mfa", "label": "Multi-factor authentication", "position": 20},
    {"slug": "directory_sync", "label": "Directory sync (LDAP / AD)", "position": 30},
    {"slug": "agent", "label": "Agent install or update", "position": 40},
    {"slug": "admin_console", "label": "Admin console", "position": 50},
    {"slug": "licensing", "label": "Licensing and billing", "position": 60},
    {"slug": "performance", "label": "Performance or outage", "position": 70},
    {"slug": "question", "label": "How-to question", "position": 80},
    OTHER,
]


def categories_install_defaults(*, Category) -> None:  # noqa: N803 (a model class, current or historical)
    """Create the default categories that are missing; never overwrite (or clash with) what an admin has
    edited."""
    for category in DEFAULT_CATEGORIES:
        namesake = Category.objects.filter(label__iexact=category["label"]).exclude(slug=category["slug"])
        if not namesake.exists():
            Category.objects.get_or_create(slug=category["slug"], defaults=category)


def _other(Category):  # noqa: N803
    return (
        Category.objects.filter(slug=OTHER["slug"]).first()
        or Category.objects.filter(label__iexact=OTHER["label"]).first()
        or Category.objects.create(**OTHER)
    )


def case_categories_convert(*, Case, Category) -> dict[str, str]:  # noqa: N803
    """Point every case without a category at the one its old free text (`legacy_category`) names.

    The text matches a category's slug or label, ignoring case and surrounding spaces; anything else (a
    typo, a category the portal never offered, an empty string) goes to "other" ("Something else"), so every
    case ends with a category. Returns {text: slug} for the texts that matched nothing, for the record.
    """
    known = {}
    for category in Category.objects.order_by("pk"):
        known.setdefault(category.label.strip().casefold(), category)
    for category in Category.objects.order_by("pk"):
        known[category.slug.casefold()] = category  # a slug wins over a label that reads the same
    unmatched = {}
    texts = Case.objects.filter(category__isnull=True).values_list("legacy_category", flat=True).distinct()
    for text in list(texts):
        category = known.get(text.strip().casefold())
        if category is None:
            category = _other(Category)
            unmatched[text] = category.slug
        Case.objects.filter(category__isnull=True, legacy_category=text).update(category=category)
    return unmatched


def case_categories_restore(*, Case, Category) -> None:  # noqa: N803
    """The way back: each case's free text becomes its category's label again."""
    for category in Category.objects.all():
        Case.objects.filter(category=category).update(legacy_category=category.label)
