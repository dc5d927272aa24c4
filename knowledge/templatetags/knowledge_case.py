"""`{% case_articles case %}`: the staff case page's knowledge-base panel: the articles the new-case form
suggested to the customer before filing, those sent on the case, and a picker that links one in a
"knowledge-base link" reply (static/js/kb_link.js). A tag of this app, so that tickets/ never imports
knowledge (the template loads it)."""

from django import template

from knowledge.models import ArticleSentOnCase
from knowledge.selectors import articles_shown_for

register = template.Library()


@register.inclusion_tag("knowledge/_case_panel.html")
def case_articles(case):
    sent = (
        ArticleSentOnCase.objects.filter(case=case)
        .select_related("article")
        .only("article__title")  # a link to each: not their bodies
        .order_by("sent_at", "pk")
    )
    return {"case": case, "shown": articles_shown_for(case), "sent": [row.article for row in sent]}
