from django.urls import path

from tickets import api

urlpatterns = [
    path("tickets/", api.CaseListCreate.as_view(), name="api-ticket-list"),
    path("tickets/<str:number>/", api.CaseDetail.as_view(), name="api-ticket-detail"),
    path("tickets/<str:number>/replies/", api.CaseReplies.as_view(), name="api-ticket-replies"),
    path("tickets/<str:number>/confirm/", api.CaseConfirm.as_view(), name="api-ticket-confirm"),
    path("tickets/<str:number>/not-fixed/", api.CaseNotFixed.as_view(), name="api-ticket-not-fixed"),
    path("tickets/<str:number>/close/", api.CaseClose.as_view(), name="api-ticket-close"),
    path("tickets/<str:number>/escalate/", api.CaseEscalate.as_view(), name="api-ticket-escalate"),
    path("tickets/<str:number>/cc/", api.CaseCc.as_view(), name="api-ticket-cc"),
    path("tickets/<str:number>/attachments/", api.CaseAttachments.as_view(), name="api-ticket-attachments"),
]
