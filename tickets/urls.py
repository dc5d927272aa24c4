from django.urls import path

from tickets import converters, notice_views, phone_views, queue_views, views  # noqa: F401 (converters registers <case_number:…>)

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
    path("portal/cases/<case_number:number>/assign/", views.case_assign, name="case_assign"),
    path("portal/cases/<case_number:number>/reopen/", views.case_reopen, name="case_reopen"),
    path("portal/cases/<case_number:number>/product/", views.case_product, name="case_product"),
    path("portal/cases/<case_number:number>/link/", views.case_link, name="case_link"),
    path("portal/cases/<case_number:number>/merge/", views.case_merge, name="case_merge"),
    path("portal/cases/<case_number:number>/split/", views.case_split, name="case_split"),
    path(
        "portal/cases/<case_number:number>/clear-escalation/",
        views.case_clear_escalation,
        name="case_clear_escalation",
    ),
    path("portal/attachments/<int:attachment_id>/", views.attachment_download, name="attachment_download"),
    path("queue/", queue_views.queue, name="queue"),
    path("queue/bulk/", queue_views.queue_bulk, name="queue_bulk"),
    path("queue/escalations/", views.escalations, name="escalation_queue"),
    path("queue/views/", queue_views.saved_view_save, name="queue_view_save"),
    path("queue/views/<int:view_id>/delete/", queue_views.saved_view_delete, name="queue_view_delete"),
    path("staff/cases/new/", phone_views.case_phone, name="case_phone"),
    path("staff/notices/", notice_views.notices, name="notices"),
    path("staff/notices/<int:notice_id>/", notice_views.notice_open, name="notice_open"),
    path("staff/notices/read/", notice_views.notices_read_all, name="notices_read_all"),
    path("staff/notices/preferences/", notice_views.notice_preferences, name="notice_preferences"),
]
