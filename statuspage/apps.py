from django.apps import AppConfig


class StatusPageConfig(AppConfig):
    """The public status page: components, incidents and maintenance, for everyone (domain.md §8)."""

    name = "statuspage"
    verbose_name = "Status page"
