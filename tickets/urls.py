from django.urls import path

from tickets import converters, views  # noqa: F401 (converters registers <case_number:…>)

urlpatterns = [
    path("portal/", views.portal, name="portal"),
    path("portal/cases/new/", views.case_new, name="case_new"),
    path("portal/cases/<case_number:number>/", views.case_page, name="case_detail"),
    path("portal/cases/<case_number:number>/reply/", views.case_reply, name="case_reply"),
    path("portal/cases/<case_number:number>/confirm/", views.case_confirm, name="case_confirm"),
    path("portal/cases/<case_number:number>/not-fixed/", views.case_not_fixed, name="case_not_fixed"),
    path("portal/cases/<case_number:number>/close/", views.case_close, name="case_close"),
    path("portal/cases/<case_number:number>/escalate/", views.case_escalate, name="case_escalate"),
    path("portal/cases/<case_number:number>/cc/", views.case_cc, name="case_cc"),
    path("portal/cases/<case_number:number>/severity/", views.case_severity, name="case_severity"),
    path("portal/attachments/<int:attachment_id>/", views.attachment_download, name="attachment_download"),
    path("queue/", views.queue, name="queue"),
]
