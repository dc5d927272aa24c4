"""Filing a case: eligibility, the form's checks, the case number and the first deadline."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from sla.services import CHAT_HOURS_LABEL, chat_is_open
from tenants.models import Organization, Product, User, Version
from tenants.selectors import contacts_acting_for, filing_eligibility
from tenants.time_zones import time_zone_is_known
from tickets.deadlines import case_deadlines_apply
from tickets.models import (
    Case,
    CaseNumberSequence,
    Category,
    Channel,
    EventKind,
    Severity,
    Status,
)
from tickets.notifications import CASE_FILED, CASE_LOGGED, case_is_premium
from tickets.outbox import outbox_queue
from tickets.scope import scope_for
from tickets.services.assignment import ticket_assign
from tickets.services.common import _attach, _event, _iso, attachment_check, text_length_check
from tickets.services.notices import staff_notice_new_case

# Channels on which staff log a case on the contact's behalf (domain.md §8).
STAFF_CHANNELS = (Channel.PHONE, Channel.CHAT)


def channel_check(*, channel: str, contract, now: datetime.datetime) -> None:
    """Refuse a channel the contract's tier does not include (phone and chat: Premium, per the tier's
    `channels`) and a chat outside the chat hours."""
    if channel not in Channel.values:
        raise ValidationError({"channel": f"Unknown channel {channel!r}."})
    if channel in STAFF_CHANNELS and channel not in contract.tier.channels:
        label = Channel(channel).label.lower()
        raise ValidationError(
            {
                "channel": f"{contract.tier.name} support does not include {label}: "
                "only Premium accounts use it."
            }
        )
    if channel == Channel.CHAT and not chat_is_open(now=now):
        raise ValidationError(
            {
                "channel": f"Chat is closed now: it is staffed {CHAT_HOURS_LABEL}. "
                "Log it as a phone case instead."
            }
        )


def case_number_next(*, year: int) -> str:
    """The next human-readable case number, e.g. SD-2026-00042. Call inside a transaction: the year's
    sequence row stays locked until it commits, so concurrent filings never share a number."""
    CaseNumberSequence.objects.bulk_create([CaseNumberSequence(year=year)], ignore_conflicts=True)
    sequence = CaseNumberSequence.objects.select_for_update().get(year=year)
    sequence.last_value += 1
    sequence.save(update_fields=["last_value"])
    return f"SD-{year}-{sequence.last_value:05d}"


def _cc_check(*, organization: Organization, users) -> list[User]:
    """Only people who may read the case can be copied on it: active contacts acting for its organization."""
    users = list(users)
    readers = set(
        contacts_acting_for(organization=organization)
        .filter(pk__in=[user.pk for user in users])
        .values_list("pk", flat=True)
    )
    outsiders = [user for user in users if user.pk not in readers]
    if outsiders:
        names = ", ".join(user.display_name for user in outsiders)
        raise ValidationError(
            {"cc": f"{names} cannot read cases of {organization.name}: copy only people who act for it."}
        )
    return users


def contact_window_check(*, best_time_from, best_time_to, contact_time_zone) -> None:
    if best_time_from is None or best_time_to is None:
        raise ValidationError({"best_time_to_contact": "Give the window in which we should call you."})
    if best_time_from == best_time_to:
        raise ValidationError({"best_time_to_contact": "The window must not start and end at the same time."})
    if not time_zone_is_known(contact_time_zone):
        raise ValidationError({"best_time_to_contact": f"Unknown time zone {contact_time_zone!r}."})


@transaction.atomic
def ticket_create(
    *,
    requester: User,
    organization: Organization,
    category: Category | None,
    subject: str,
    description: str,
    requested_severity: int,
    best_time_from: datetime.time | None = None,
    best_time_to: datetime.time | None = None,
    contact_time_zone: str = "",
    product: Product | None = None,
    version: Version | None = None,
    device_id: str = "",
    operating_system: str = "",
    os_version: str = "",
    contact_phone: str = "",
    troubleshooting: str = "",
    continues: Case | None = None,
    cc: list[User] = (),
    attachments=(),
    channel: str = Channel.PORTAL,
    filed_by: User | None = None,
    received_at: datetime.datetime | None = None,
) -> Case:
    """File a case for `organization` on behalf of `requester`, a contact who may act for it.

    `filed_by` is the member of staff who logs it for the contact (a phone or chat case, domain.md §8); the
    caller checks that this person is staff. `received_at` is now unless given.

    Checks: eligibility (domain.md §1), the channel (phone and chat only for tiers that include them, chat
    only in the chat hours), the organization in the requester's scope, a category still offered, the
    severity, the contact window, product and version covered by the contract, CCs who may read the case,
    the continued case visible to the requester, every attachment. Nothing is created unless all pass.
    Then: number, first-response deadline from the tier and severity (email forces severity 3), the named
    TAM of a Premium account as assignee, audit (the CREATED event's actor is whoever filed it, with
    `on_behalf_of` when staff did), the requester emailed the number and the promised response time
    (case_filed, or case_logged when staff filed it), staff told about a new Severity 1 or Premium case.
    """
    eligibility = filing_eligibility(user=requester)
    if not eligibility.can_file:
        raise ValidationError(f"{eligibility.reason} {eligibility.advice}".strip())
    received_at = received_at or timezone.now()
    channel_check(channel=channel, contract=eligibility.contract, now=received_at)
    scope = scope_for(requester)
    if not scope.organizations().filter(pk=organization.pk).exists():
        raise ValidationError({"organization": "Choose one of the organizations you act for."})
    if requested_severity not in Severity.values:
        raise ValidationError({"requested_severity": "Severity must be 1, 2 or 3."})
    if category is None:
        raise ValidationError({"category": "Choose a category."})
    if not category.is_active:
        raise ValidationError(
            {"category": f"“{category.label}” is no longer offered: choose another category."}
        )
    for field, value in [("subject", subject), ("description", description)]:
        if not value or not value.strip():
            raise ValidationError({field: "This field is required."})
    text_length_check(subject=subject, description=description, troubleshooting=troubleshooting)
    contact_window_check(
        best_time_from=best_time_from, best_time_to=best_time_to, contact_time_zone=contact_time_zone
    )
    if version is not None and product is None:
        product = version.product
    if version is not None and version.product_id != product.pk:
        raise ValidationError({"version": f"{version} is not a version of {product}."})
    if product is not None and not eligibility.contract.products.filter(pk=product.pk).exists():
        raise ValidationError({"product": f"{product} is not covered by your contract."})
    if continues is not None and not scope.cases().filter(pk=continues.pk).exists():
        raise ValidationError({"continues": "Choose one of your own cases."})
    if continues is not None and continues.organization_id != organization.pk:
        # Everyone who reads the new case sees the number it continues: it must be theirs to read too.
        raise ValidationError({"continues": f"{continues.number} is a case of another organization."})
    cc = _cc_check(organization=organization, users=cc)
    for uploaded in attachments:
        attachment_check(uploaded=uploaded)

    case = Case(
        number=case_number_next(year=received_at.year),
        account_id=organization.account_id,
        organization=organization,
        contract=eligibility.contract,
        requester=requester,
        category=category,
        subject=subject.strip(),
        description=description,
        best_time_from=best_time_from,
        best_time_to=best_time_to,
        contact_time_zone=contact_time_zone,
        product=product,
        version=version,
        version_past_end_of_support=bool(version and not version.is_supported_on(received_at.date())),
        device_id=device_id,
        operating_system=operating_system,
        os_version=os_version,
        contact_phone=contact_phone,
        troubleshooting=troubleshooting,
        continues=continues,
        channel=channel,
        status=Status.NEW,
        requested_severity=requested_severity,
        severity=Severity.SEV3 if channel == Channel.EMAIL else requested_severity,
        received_at=received_at,
    )
    case_deadlines_apply(case=case)
    case.save()
    case.cc.set(cc)
    _attach(case, None, filed_by or requester, attachments)
    on_behalf = {"on_behalf_of": requester.email} if filed_by is not None else {}
    event = _event(
        case,
        filed_by or requester,
        EventKind.CREATED,
        channel=channel,
        requested_severity=requested_severity,
        severity=case.severity,
        first_response_due=_iso(case.first_response_due),
        **on_behalf,
    )
    tam = _named_tam(case)
    if tam is not None:
        # By nobody (actor None): the system follows the account's standing rule, before anyone is told.
        ticket_assign(case=case, actor=None, assignee=tam, now=received_at)
    # The requester's receipt: the number and when support will answer (logged for them: how, and by whom).
    receipt = CASE_LOGGED if filed_by is not None else CASE_FILED
    outbox_queue(event=event, template=receipt, recipients=[requester])
    staff_notice_new_case(case=case, event=event, now=received_at)
    return case


def _named_tam(case: Case) -> User | None:
    """The named TAM of a Premium account gets its new cases (domain.md §2), while still active staff."""
    if not case_is_premium(case):
        return None
    tam = case.account.technical_account_manager
    if tam is None or not tam.is_active or not tam.is_vendor_staff:
        return None
    return tam
