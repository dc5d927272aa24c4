from django.urls import path

from tickets import api, converters  # noqa: F401 (converters registers <case_number:…>)

urlpatterns = [
    path("tickets/", api.CaseListCreate.as_view(), name="api-ticket-list"),
    path("tickets/<case_number:number>/", api.CaseDetail.as_view(), name="api-ticket-detail"),
    path("tickets/<case_number:number>/replies/", api.CaseReplies.as_view(), name="api-ticket-replies"),
    path("tickets/<case_number:number>/confirm/", api.CaseConfirm.as_view(), name="api-ticket-confirm"),
    path("tickets/<case_number:number>/not-fixed/", api.CaseNotFixed.as_view(), name="api-ticket-not-fixed"),
    path("tickets/<case_number:number>/close/", api.CaseClose.as_view(), name="api-ticket-close"),
    path("tickets/<case_number:number>/severity/", api.CaseSeverity.as_view(), name="api-ticket-severity"),
    path("tickets/<case_number:number>/escalate/", api.CaseEscalate.as_view(), name="api-ticket-escalate"),
    path("tickets/<case_number:number>/cc/", api.CaseCc.as_view(), name="api-ticket-cc"),
    path(
        "tickets/<case_number:number>/attachments/",
        api.CaseAttachments.as_view(),
        name="api-ticket-attachments",
    ),
]
