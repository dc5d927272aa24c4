from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    """SLA dashboards for managers and the SLA report for MSP admins: figures over cases. Built on cases."""

    name = "dashboards"
    verbose_name = "SLA dashboards"
