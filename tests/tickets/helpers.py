"""Small helpers for case tests: file a case as a customer the way the portal does."""

import datetime

from tenants.models import Organization, User
from tickets.models import Category
from tickets.services import ticket_create


def file_case(
    email: str,
    organization: str,
    severity: int = 3,
    subject: str = "Users cannot sign in",
    category: str = "sign_in",
    **extra,
):
    return ticket_create(
        requester=User.objects.get(email=email),
        organization=Organization.objects.get(name=organization),
        category=Category.objects.get(slug=category),
        subject=subject,
        description=extra.pop("description", "Since this morning nobody can sign in."),
        requested_severity=severity,
        best_time_from=datetime.time(9, 0),
        best_time_to=datetime.time(17, 0),
        contact_time_zone="America/Denver",
        **extra,
    )
