from django.apps import AppConfig


class KnowledgeConfig(AppConfig):
    """The knowledge base: articles customers read before (and instead of) filing a case. Built on cases."""

    name = "knowledge"
    verbose_name = "Knowledge base"
