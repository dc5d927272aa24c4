from django.urls import path

from sla import views

urlpatterns = [path("portal/contract/", views.contract_page, name="contract")]
