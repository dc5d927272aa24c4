"""Writes about cases. Each one checks, then does, then leaves an audit event."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from sla.services import case_deadlines_apply
from tenants.models import Organization, User
from tenants.scope import scope_for
from tenants.selectors import filing_eligibility
from tickets.models import Case, CaseEvent, CaseNumberSequence, Channel, Severity, Status


def case_number_next(*, year: int) -> str:
    """The next human-readable case number, e.g. SD-2026-00042. Call inside a transaction: the year's
    sequence row stays locked until it commits, so concurrent filings never share a number."""
    CaseNumberSequence.objects.bulk_create([CaseNumberSequence(year=year)], ignore_conflicts=True)
    sequence = CaseNumberSequence.objects.select_for_update().get(year=year)
    sequence.last_value += 1
    sequence.save(update_fields=["last_value"])
    return f"SD-{year}-{sequence.last_value:05d}"


@transaction.atomic
def ticket_create(
    *,
    requester: User,
    organization: Organization,
    category: str,
    subject: str,
    description: str,
    requested_severity: int,
    channel: str = Channel.PORTAL,
    received_at: datetime.datetime | None = None,
) -> Case:
    """File a case for `organization` on behalf of `requester` (a contact who may act for it).

    Steps: check eligibility (domain.md §1) and the organization's scope (404-equivalent error otherwise),
    number the case, set its first-response deadline from the contract's tier and the severity, audit.
    A case received by email gets severity 3 whatever it asks for (domain.md §3).
    """
    eligibility = filing_eligibility(user=requester)
    if not eligibility.can_file:
        raise ValidationError(eligibility.reason)
    if not scope_for(requester).organizations().filter(pk=organization.pk).exists():
        raise ValidationError({"organization": "Choose one of the organizations you act for."})
    if requested_severity not in Severity.values:
        raise ValidationError({"requested_severity": "Severity must be 1, 2 or 3."})
    received_at = received_at or timezone.now()
    case = Case(
        number=case_number_next(year=received_at.year),
        account_id=organization.account_id,
        organization=organization,
        contract=eligibility.contract,
        requester=requester,
        category=category,
        subject=subject,
        description=description,
        channel=channel,
        status=Status.NEW,
        requested_severity=requested_severity,
        severity=Severity.SEV3 if channel == Channel.EMAIL else requested_severity,
        received_at=received_at,
    )
    case_deadlines_apply(case=case)
    case.save()
    CaseEvent.objects.create(
        case=case,
        actor=requester,
        kind="created",
        data={
            "channel": channel,
            "requested_severity": requested_severity,
            "severity": case.severity,
            "first_response_due": case.first_response_due.isoformat() if case.first_response_due else None,
        },
    )
    return case


@transaction.atomic
def ticket_validate_severity(*, case: Case, actor: User, severity: int, reason: str) -> Case:
    """Support validates the requested severity (domain.md §3): the SLA target follows the validated
    severity, still measured from the moment the case was received. Needs a reason; audited."""
    if not scope_for(actor).is_vendor_staff:
        raise ValidationError("Only support staff validate a case's severity.")
    if severity not in Severity.values:
        raise ValidationError({"severity": "Severity must be 1, 2 or 3."})
    if not reason.strip():
        raise ValidationError({"reason": "Say why the severity changes."})
    case = Case.objects.select_for_update(of=("self",)).select_related("contract").get(pk=case.pk)
    if case.status == Status.CLOSED:
        raise ValidationError("A closed case cannot change.")
    before = case.severity
    case.severity = severity
    if case.first_responded_at is None:
        case_deadlines_apply(case=case)
    case.save(update_fields=["severity", "first_response_due", "first_response_at_risk_at", "updated_at"])
    CaseEvent.objects.create(
        case=case,
        actor=actor,
        kind="severity_validated",
        data={
            "from": before,
            "to": severity,
            "reason": reason.strip(),
            "first_response_due": case.first_response_due.isoformat() if case.first_response_due else None,
        },
    )
    return case
