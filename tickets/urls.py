from django.urls import path

from tickets import views

urlpatterns = [
    path("portal/", views.portal, name="portal"),
    path("queue/", views.queue, name="queue"),
]
