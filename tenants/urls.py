from django.urls import path

from tenants import views

urlpatterns = [
    path("settings/", views.settings_page, name="settings"),
    path("portal/account/", views.account_page, name="portal_account"),
    path("portal/account/invite/", views.contact_invite_view, name="contact_invite"),
    path(
        "portal/account/contacts/<int:membership_id>/deactivate/",
        views.contact_deactivate_view,
        name="contact_deactivate",
    ),
    path(
        "portal/account/contacts/<int:membership_id>/reactivate/",
        views.contact_reactivate_view,
        name="contact_reactivate",
    ),
]
