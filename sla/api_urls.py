from django.urls import path

from sla.api import SlaPreview

urlpatterns = [path("sla/preview", SlaPreview.as_view(), name="sla-preview")]
