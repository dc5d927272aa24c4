"""The Atom feed of incidents, newest first: one entry per incident, its latest update as the summary."""

from django.contrib.syndication.views import Feed
from django.db.models import Prefetch
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from statuspage.models import Incident, IncidentUpdate

FEED_LENGTH = 50


class IncidentFeed(Feed):
    feed_type = Atom1Feed
    title = "SupportDesk status: incidents"
    subtitle = "Incidents on the SupportDesk platform and each update on them."

    def link(self):
        return reverse("status")

    def items(self):
        return Incident.objects.prefetch_related(
            Prefetch("updates", queryset=IncidentUpdate.objects.order_by("-created_at", "-pk"))
        ).order_by("-started_at", "-pk")[:FEED_LENGTH]

    def item_title(self, item):
        return f"{item.title} ({item.get_status_display()})"

    def item_description(self, item):
        latest = item.updates.all()[0]
        return f"{latest.get_status_display()}: {latest.body}"

    def item_link(self, item):
        return reverse("status_incident", args=[item.pk])

    def item_pubdate(self, item):
        return item.started_at

    def item_updateddate(self, item):
        return item.updates.all()[0].created_at
