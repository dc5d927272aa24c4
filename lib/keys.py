"""Row ids as a request may name them: whole numbers from 1 to KEY_MAX, PostgreSQL's bigint maximum.

Anything else names no row, and is answered as the client's mistake before it reaches the database, where a
number too big for a bigint is a DataError and 1e400 (read by JSON as infinity) an OverflowError: both a 500.
"""

import re

from rest_framework import serializers

KEY_MAX = 2**63 - 1
_DIGITS = re.compile(r"-?[0-9]+")


def key_or_none(value) -> int | None:
    """An id from a query string or a form (digits), or None for anything that cannot be one."""
    if isinstance(value, str) and _DIGITS.fullmatch(value) and len(value) <= len(str(KEY_MAX)) + 1:
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= KEY_MAX:
        return value
    return None


class KeyRelatedField(serializers.PrimaryKeyRelatedField):
    """A row by its id. Only a whole number (or a string of digits) is an id: true, 1.5 and 1e400 are the
    wrong type, and a number outside 1..KEY_MAX names no row, the same answer as any other missing id."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int | str):
            self.fail("incorrect_type", data_type=type(data).__name__)
        if isinstance(data, str) and not _DIGITS.fullmatch(data):
            self.fail("incorrect_type", data_type="str")
        key = key_or_none(data)
        if key is None:
            self.fail("does_not_exist", pk_value=data)
        return super().to_internal_value(key)
