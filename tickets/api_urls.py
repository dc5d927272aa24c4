from django.urls import path

from tickets import api, converters, queue_api  # noqa: F401 (converters registers <case_number:…>)

urlpatterns = [
    path("queue/", queue_api.QueueList.as_view(), name="api-queue"),
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
    path("tickets/<case_number:number>/assign/", api.CaseAssign.as_view(), name="api-ticket-assign"),
    path(
        "tickets/<case_number:number>/request-info/",
        api.CaseRequestInfo.as_view(),
        name="api-ticket-request-info",
    ),
    path(
        "tickets/<case_number:number>/propose-solution/",
        api.CaseProposeSolution.as_view(),
        name="api-ticket-propose-solution",
    ),
    path("tickets/<case_number:number>/reopen/", api.CaseReopen.as_view(), name="api-ticket-reopen"),
    path("tickets/<case_number:number>/split/", api.CaseSplit.as_view(), name="api-ticket-split"),
    path("tickets/<case_number:number>/merge/", api.CaseMerge.as_view(), name="api-ticket-merge"),
    path("tickets/<case_number:number>/link/", api.CaseLink.as_view(), name="api-ticket-link"),
    path("tickets/<case_number:number>/product/", api.CaseProduct.as_view(), name="api-ticket-product"),
    path(
        "tickets/<case_number:number>/clear-escalation/",
        api.CaseClearEscalation.as_view(),
        name="api-ticket-clear-escalation",
    ),
    path("tickets/<case_number:number>/events/", api.CaseEvents.as_view(), name="api-ticket-events"),
]
