"""How the dashboards write their figures."""

from django import template

register = template.Library()


@register.filter
def open_minutes(minutes) -> str:
    """42 m, 3 h 5 m, 2 d 1 h (of open time); — when there is none."""
    if minutes is None or minutes == "":
        return "—"
    minutes = int(minutes)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h" if hours else f"{days} d"
    if hours:
        return f"{hours} h {mins} m" if mins else f"{hours} h"
    return f"{mins} m"


@register.filter
def percent(value) -> str:
    return "—" if value is None else f"{value:.1f} %"


@register.filter
def get_item(mapping, key):
    return mapping.get(key, 0) if mapping else 0
