"""Background work of the dashboards. Thin: call the service."""

from celery import shared_task

from dashboards.services import figures_refresh


@shared_task(acks_late=True)
def refresh_figures() -> int:
    """Thin: beat's minute pass keeping the dashboards' figures current (safe to run twice)."""
    return figures_refresh()
