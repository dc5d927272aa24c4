"""The case number in a URL: only what a case number can be routes at all.

A case number (SD-2026-00042) is letters, digits and dashes, at most Case.number's 20 characters. Anything
else (a NUL, which PostgreSQL text cannot hold, a space, a page of text) answers 404 before any view or lookup
runs.
"""

from django.urls import register_converter


class CaseNumberConverter:
    regex = "[A-Za-z0-9-]{1,20}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(CaseNumberConverter, "case_number")
