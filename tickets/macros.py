"""Macros: canned replies with placeholders, filled for one case and one engineer."""

import string

from django.db.models import QuerySet

from tenants.models import User
from tickets.models import Case, Macro


def macros_offered(*, kind: str = "") -> QuerySet[Macro]:
    """The macros staff may start a reply from, for one response kind or all of them."""
    macros = Macro.objects.filter(is_active=True)
    return macros.filter(kind=kind) if kind else macros


def macro_placeholders(*, case: Case, engineer: User) -> dict[str, str]:
    return {
        "contact_name": case.requester.first_name or case.requester.display_name,
        "case_number": case.number,
        "case_subject": case.subject,
        "engineer_name": engineer.display_name,
        "organization": case.organization.name,
        "account": case.account.name,
    }


def macro_render(*, macro: Macro, case: Case, engineer: User) -> str:
    """The macro's text for this case, placeholders filled from a fixed set (no attribute or index lookups:
    "{case.requester.password}" is not a placeholder and stays as typed)."""
    values = macro_placeholders(case=case, engineer=engineer)
    try:
        pieces = list(string.Formatter().parse(macro.body))
    except ValueError:
        return macro.body  # a lone brace: nothing to fill, the text as typed
    parts = []
    for literal, field, spec, conversion in pieces:
        parts.append(literal)
        if field is None:
            continue
        if field in values and not spec and not conversion:
            parts.append(values[field])
            continue
        # Anything else (unknown names, {a.b}, {0}, {x:>10}) is text, not a template.
        conversion = f"!{conversion}" if conversion else ""
        parts.append("{" + field + conversion + (f":{spec}" if spec else "") + "}")
    return "".join(parts)
