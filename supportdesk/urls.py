from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from supportdesk import views
from tenants.views import EmailChangeView

# Admins sign in through allauth (rate limits, two-factor), never through Django admin's own password form.
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    # Browsers ask for /favicon.ico on pages without a <link rel="icon"> (Django admin's): never a 404.
    # Resolved per request: the static file's hashed name is known only once collectstatic has run.
    path("favicon.ico", lambda request: redirect(static("favicon.svg")), name="favicon"),
    # Before allauth's own: an email change takes effect only once the new address is confirmed.
    path("accounts/email/", EmailChangeView.as_view(), name="account_email"),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("", include("tenants.urls")),
    path("", include("sla.urls")),
    path("", include("tickets.urls")),
    path("", include("statuspage.urls")),
    path("", include("knowledge.urls")),
    path("", include("dashboards.urls")),
    path("", include("mailin.urls")),
    path("api/v1/", include("sla.api_urls")),
    path("api/v1/", include("tickets.api_urls")),
    path("api/v1/", include("statuspage.api_urls")),
    path("api/v1/", include("knowledge.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's start-up script from its own URL; our template drops its inline
    # <style>. Nothing inline, so the page runs under our Content-Security-Policy.
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api-schema", template_name="api/swagger_ui.html"),
        name="api-docs",
    ),
]
