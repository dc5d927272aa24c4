"""The default tier catalogue (domain.md §2): installed by a data migration, and again by seed_demo.

Kept free of model imports so the migration can pass in its historical model.
"""

DEFAULT_TIERS = [
    {"slug": "free", "name": "Free", "can_file_cases": False, "channels": [], "rank": 0},
    {
        "slug": "standard",
        "name": "Standard",
        "can_file_cases": True,
        "channels": ["portal", "email"],
        "rank": 10,
    },
    {
        "slug": "premium",
        "name": "Premium",
        "can_file_cases": True,
        "channels": ["portal", "email", "chat", "phone"],
        "has_early_access": True,
        "rank": 20,
    },
]


def tiers_install_defaults(*, Tier) -> None:  # noqa: N803 (a model class, current or historical)
    """Create the default tiers that are missing; never overwrite what an admin has edited."""
    for tier in DEFAULT_TIERS:
        Tier.objects.get_or_create(slug=tier["slug"], defaults=tier)
