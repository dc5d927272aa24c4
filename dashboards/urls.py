from django.urls import path

from dashboards import views

urlpatterns = [
    path("dashboards/", views.dashboard_page, name="dashboards"),
    path("dashboards/<slug:table>.csv", views.dashboard_csv, name="dashboards_csv"),
    path("portal/reports/sla/", views.report_page, name="sla_report"),
    path("portal/reports/sla/print/", views.report_page, {"printable": True}, name="sla_report_print"),
    path("portal/reports/sla.csv", views.report_csv, name="sla_report_csv"),
]
