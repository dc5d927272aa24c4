from django.apps import AppConfig


class MailinConfig(AppConfig):
    """The email channel: mail that arrives (IMAP, webhook, pipe) becomes cases and replies."""

    name = "mailin"
    verbose_name = "Mail in"
