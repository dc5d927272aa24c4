"""Which time-zone names we accept: those the time-zone database lists.

zoneinfo.ZoneInfo alone is no check: "America" opens a folder of the database (IsADirectoryError, not one of
the errors it documents) and "../etc" or a NUL raise ValueError. Every place that takes a zone from a person,
or reads one a person stored, asks here first.
"""

import functools
import zoneinfo

from django.core.exceptions import ValidationError


@functools.cache
def _known() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())  # reads the database's folders: once per process


def time_zone_is_known(name) -> bool:
    return isinstance(name, str) and name in _known()


def time_zone_or_utc(name) -> zoneinfo.ZoneInfo:
    """The zone of that name, or UTC when there is no such zone."""
    return zoneinfo.ZoneInfo(name if time_zone_is_known(name) else "UTC")


def time_zone_validate(name) -> None:
    """The validator of every stored time-zone field: a name the database lists, e.g. "America/Denver"."""
    if not time_zone_is_known(name):
        raise ValidationError(f"{name!r} is not a time zone we know; use a name like America/Denver.")
