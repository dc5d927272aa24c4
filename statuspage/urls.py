from django.urls import path

from statuspage import feeds, views

urlpatterns = [
    path("status/", views.status, name="status"),
    path("status/incidents/<int:incident_id>/", views.incident_page, name="status_incident"),
    path("status/feed/", feeds.IncidentFeed(), name="status_feed"),
    path("status/subscribe/", views.subscribe, name="status_subscribe"),
    path("status/subscribe/<str:token>/", views.confirm, name="status_confirm"),
    path("status/unsubscribe/<str:token>/", views.unsubscribe, name="status_unsubscribe"),
    # Staff only (404 for everyone else).
    path("status/manage/", views.manage, name="status_manage"),
    path("status/manage/incidents/new/", views.incident_new, name="status_incident_new"),
    path("status/manage/incidents/<int:incident_id>/", views.incident_manage, name="status_incident_manage"),
    path("status/manage/maintenance/new/", views.maintenance_new, name="status_maintenance_new"),
    path(
        "status/manage/maintenance/<int:maintenance_id>/end/",
        views.maintenance_stop,
        name="status_maintenance_end",
    ),
]
