from django.urls import path

from statuspage import api

urlpatterns = [
    path("status/", api.StatusView.as_view(), name="api-status"),
]
