"""SLA catalogues (domain.md §4): the default one, installed by a data migration, and the Enterprise preset,
loaded by `manage.py load_sla_preset enterprise`. Plain data plus one installer that takes the model
classes, so the migration can pass in its historical models.
"""

CALENDARS = {
    "standard-hours": {
        "name": "Standard hours (Mon–Fri 09:00–17:00 Denver, US holidays closed)",
        "time_zone": "America/Denver",
        "weekly_hours": "Mon-Fri 09:00-17:00",
        "holiday_country": "US",
    },
    "24x7": {"name": "24 × 7", "time_zone": "America/Denver", "weekly_hours": "Mon-Sun 00:00-24:00"},
    "24x7-chicago": {
        "name": "24 × 7 (Chicago)",
        "time_zone": "America/Chicago",
        "weekly_hours": "Mon-Sun 00:00-24:00",
    },
    "enterprise-week": {
        "name": "Enterprise week (Sun 19:00 – Fri 19:00 Chicago, US holidays closed)",
        "time_zone": "America/Chicago",
        "weekly_hours": "Sun 19:00-Fri 19:00",
        "holiday_country": "US",
    },
}

NEXT_BUSINESS_DAY = None  # a target of no minutes: next business day

PRESETS = {
    "default": {
        "tiers": {},  # Standard and Premium come with the tier catalogue (tenants/catalogue.py)
        # tier slug -> severity -> (target minutes or NEXT_BUSINESS_DAY, calendar slug)
        "policies": {
            "standard": {
                1: (240, "standard-hours"),
                2: (480, "standard-hours"),
                3: (NEXT_BUSINESS_DAY, "standard-hours"),
            },
            "premium": {1: (60, "24x7"), 2: (120, "24x7"), 3: (240, "24x7")},
        },
        # tier slug -> calendar whose time zone and closed dates define business days for auto-close
        "auto_close": {"standard": "standard-hours", "premium": "standard-hours"},
    },
    "enterprise": {
        "tiers": {"enterprise": {"name": "Enterprise", "channels": ["portal", "email", "phone"], "rank": 30}},
        "policies": {
            "enterprise": {1: (30, "24x7-chicago"), 2: (480, "enterprise-week"), 3: (1440, "enterprise-week")}
        },
        "auto_close": {"enterprise": "enterprise-week"},
    },
}


def preset_install(*, name: str, Tier, Calendar, Policy, AutoCloseRule) -> None:  # noqa: N803 (model classes)
    """Install a preset: create missing tiers and calendars; set its policies and auto-close rules.

    Loading a preset again puts its targets back as the preset says (that is what loading it means); tiers and
    calendars an admin has renamed or edited keep their edits.
    """
    preset = PRESETS[name]
    for slug, fields in preset["tiers"].items():
        Tier.objects.get_or_create(slug=slug, defaults={"can_file_cases": True, **fields})
    calendar_slugs = {slug for targets in preset["policies"].values() for _, slug in targets.values()}
    calendar_slugs |= set(preset["auto_close"].values())
    calendars = {
        slug: Calendar.objects.get_or_create(slug=slug, defaults=CALENDARS[slug])[0]
        for slug in sorted(calendar_slugs)
    }
    for tier_slug, targets in preset["policies"].items():
        tier = Tier.objects.get(slug=tier_slug)
        for severity, (minutes, calendar_slug) in targets.items():
            Policy.objects.update_or_create(
                tier=tier,
                severity=severity,
                defaults={
                    "target_minutes": minutes,
                    "next_business_day": minutes is NEXT_BUSINESS_DAY,
                    "calendar": calendars[calendar_slug],
                },
            )
    for tier_slug, calendar_slug in preset["auto_close"].items():
        AutoCloseRule.objects.update_or_create(
            tier=Tier.objects.get(slug=tier_slug), defaults={"business_days": calendars[calendar_slug]}
        )


# When chat is staffed (domain.md §8): a phone case may be logged at any hour, a chat case only in these.
CHAT_HOURS = {"time_zone": "America/Chicago", "weekly_hours": "Mon-Fri 02:00-19:00"}
