from django.urls import path

from mailin import views, webhooks

urlpatterns = [
    path("staff/mail/", views.held_mail, name="mailin_held"),
    path("staff/mail/<int:pk>/raw/", views.raw_source, name="mailin_raw"),
    path("staff/mail/<int:pk>/release/", views.release, name="mailin_release"),
    path("staff/mail/<int:pk>/discard/", views.discard, name="mailin_discard"),
    *webhooks.urlpatterns,
]
