"""`{% case_inbound_mail case %}`: the staff case page's list of the emails that came in on a case, each with
a link to its raw source. A tag of this app, so that tickets/ never imports mailin (the template loads it)."""

from django import template

from mailin.models import InboundMessage

register = template.Library()


@register.inclusion_tag("mailin/_case_mail.html")
def case_inbound_mail(case):
    messages = (
        InboundMessage.objects.filter(case=case)
        .defer("raw")
        .order_by("received_at", "pk")
        .only("pk", "from_address", "subject", "outcome", "received_at")
    )
    return {"inbound": list(messages[:50])}
