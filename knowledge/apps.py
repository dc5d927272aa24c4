from django.apps import AppConfig


class KnowledgeConfig(AppConfig):
    """The knowledge base: articles customers read before (and instead of) filing a case. Built on cases."""

    name = "knowledge"
    verbose_name = "Knowledge base"

    def ready(self):
        from knowledge.services import articles_linked_in_reply
        from tickets.signals import reply_posted

        reply_posted.connect(articles_linked_in_reply, dispatch_uid="knowledge.articles_linked_in_reply")
