"""Shapes of the case API: they check types and look things up through the reader's scope; services decide.

A case is posted and read back through one serializer, so every field comes back under the name it was sent
with. Lookups of tenant data (organizations, the continued case, CC contacts) go through the scope in the
serializer's context, so something of another tenant reads exactly like something that does not exist.
"""

import datetime

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from lib.keys import KEY_MAX, KeyRelatedField
from tenants.models import Product, User, Version
from tenants.selectors import case_holders, colleagues_for
from tenants.time_zones import time_zone_is_known
from tickets.actions import CaseAction, case_actions
from tickets.models import (
    DESCRIPTION_MAX_LENGTH,
    ESCALATION_REASON_MAX_LENGTH,
    REPLY_MAX_LENGTH,
    SEVERITY_REASON_MAX_LENGTH,
    TROUBLESHOOTING_MAX_LENGTH,
    Attachment,
    Case,
    CloseReason,
    Reply,
    ResponseKind,
    SlaState,
    Status,
)
from tickets.selectors import CaseFilters, categories_offered
from tickets.services.filing import STAFF_CHANNELS

TIME_FORMAT = "%H:%M"
# Severities are plain integers in the schema: one enum would get two names (severity, requested_severity).
SEVERITY_HELP = "1 production down, 2 major loss of function, 3 partial issue or question"
# Read from the selectors' `sla_state` annotation (tickets.selectors.with_sla_state), as the pages show it.
SLA_STATE_HELP = (
    "on_track, at_risk, breached while waiting for the first response; met or missed once support answered "
    "(or the case closed unanswered); empty without a deadline."
)

LAST_EVENT_HELP = (
    "Optional: the id of the last event you saw (the case's `last_event`). If someone else changed the case "
    "since, nothing is done and the answer is 409 with the case's current `last_event`."
)


# --- lookups through the scope ------------------------------------------------------------------------------


@extend_schema_field(OpenApiTypes.INT)
class ScopedOrganizationField(KeyRelatedField):
    """An organization the reader acts for, by id."""

    default_error_messages = {"does_not_exist": "Choose one of the organizations you act for."}

    def get_queryset(self):
        return self.context["scope"].organizations()


@extend_schema_field(OpenApiTypes.STR)
class ScopedCaseNumberField(serializers.SlugRelatedField):
    """A case the reader can see, by number."""

    default_error_messages = {"does_not_exist": "Choose one of your own cases."}

    def __init__(self, **kwargs):
        super().__init__(slug_field="number", **kwargs)

    def get_queryset(self):
        return self.context["scope"].cases()


@extend_schema_field(OpenApiTypes.EMAIL)
class ContactEmailField(serializers.SlugRelatedField):
    """A colleague the reader may copy, by email: for a contact, an active contact of its account acting for
    one of its organizations; for staff, any active contact. Anyone else, known or not, gets the same answer,
    so the field cannot be used to find out who has an account here. The service then checks that the person
    acts for the case's organization."""

    default_error_messages = {
        "does_not_exist": "CC contacts must be active colleagues who act for your organizations."
    }

    def __init__(self, **kwargs):
        super().__init__(slug_field="email", **kwargs)

    def get_queryset(self):
        scope = self.context["scope"]
        if scope.is_vendor_staff:
            return User.objects.filter(is_active=True, membership__is_active=True)
        return colleagues_for(scope=scope)

    def to_internal_value(self, data):
        # Emails are stored in lower case.
        return super().to_internal_value(data.lower() if isinstance(data, str) else data)


@extend_schema_field({"type": "string", "example": "sign_in"})
class CategoryField(serializers.SlugRelatedField):
    """A category offered for new cases, by slug: the value the portal form posts. A retired category reads
    like an unknown one; both answers list the slugs on offer (the vocabulary is the same for everyone)."""

    default_error_messages = {
        "does_not_exist": "Choose one of the categories: {choices}.",
        "invalid": "Give a category's slug, one of: {choices}.",
    }

    def __init__(self, **kwargs):
        super().__init__(slug_field="slug", **kwargs)

    def get_queryset(self):
        return categories_offered()

    def fail(self, key, **kwargs):
        slugs = ", ".join(self.get_queryset().values_list("slug", flat=True))
        super().fail(key, **kwargs, choices=slugs)

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


# --- cases --------------------------------------------------------------------------------------------------


@extend_schema_field(
    {"type": "string", "pattern": "^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$", "example": "09:00"}
)
class LocalTimeField(serializers.TimeField):
    """A wall-clock time such as 09:00. DRF's TimeField would read "09:00+05:00" as 09:00, dropping the offset
    without a word; the zone of the window is its own field."""

    default_error_messages = {"offset": "Give a local time such as 09:00; the time zone goes in time_zone."}

    def to_internal_value(self, value):
        if isinstance(value, str):
            try:
                has_offset = datetime.time.fromisoformat(value.strip()).tzinfo is not None
            except ValueError:
                has_offset = False  # not ISO 8601: TimeField says what it takes
            if has_offset:
                self.fail("offset")
        return super().to_internal_value(value)


class ContactWindowSerializer(serializers.Serializer):
    """{"from": "09:00", "to": "12:00", "time_zone": "America/Denver"}, stored as best_time_from,
    best_time_to and contact_time_zone on the case."""

    def get_fields(self):
        # `from` is a Python keyword, so the fields cannot be class attributes.
        return {
            "from": LocalTimeField(format=TIME_FORMAT, source="best_time_from"),
            "to": LocalTimeField(format=TIME_FORMAT, source="best_time_to"),
            "time_zone": serializers.CharField(
                source="contact_time_zone", max_length=64, help_text="IANA name, e.g. America/Denver"
            ),
        }

    def validate_time_zone(self, value):
        if not time_zone_is_known(value):
            raise serializers.ValidationError(f"Unknown time zone {value!r}.")
        return value


class CaseSerializer(serializers.Serializer):
    """A case as filed and as read back: every field comes back under the name it was posted with."""

    # Posting needs the poster's scope in the context ({"scope": …}); reading does not.

    # What the contact posts (domain.md §7), read back under the same names.
    organization = ScopedOrganizationField()
    category = CategoryField(help_text="A category's slug; category_label is what people see.")
    subject = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=DESCRIPTION_MAX_LENGTH, trim_whitespace=False)
    requested_severity = serializers.IntegerField(min_value=1, max_value=3, help_text=SEVERITY_HELP)
    best_time_to_contact = ContactWindowSerializer(source="*")
    product = KeyRelatedField(queryset=Product.objects.all(), required=False, allow_null=True)
    version = KeyRelatedField(
        queryset=Version.objects.select_related("product"), required=False, allow_null=True
    )
    device_id = serializers.CharField(max_length=120, required=False, allow_blank=True)
    operating_system = serializers.CharField(max_length=120, required=False, allow_blank=True)
    os_version = serializers.CharField(max_length=60, required=False, allow_blank=True)
    contact_phone = serializers.CharField(max_length=40, required=False, allow_blank=True)
    troubleshooting = serializers.CharField(
        max_length=TROUBLESHOOTING_MAX_LENGTH, required=False, allow_blank=True, trim_whitespace=False
    )
    continues = ScopedCaseNumberField(required=False, allow_null=True)
    cc = ContactEmailField(many=True, required=False)

    # What the case says about itself.
    number = serializers.CharField(read_only=True)
    url = serializers.SerializerMethodField()
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    category_label = serializers.CharField(source="category.label", read_only=True)
    requester = serializers.EmailField(source="requester.email", read_only=True)
    status = serializers.ChoiceField(choices=Status.choices, read_only=True)
    severity = serializers.IntegerField(read_only=True, help_text="The severity support validated (1-3).")
    channel = serializers.CharField(read_only=True)
    received_at = serializers.DateTimeField(read_only=True)
    first_response_due = serializers.DateTimeField(read_only=True, allow_null=True)
    first_response_at_risk_at = serializers.DateTimeField(read_only=True, allow_null=True)
    sla_state = serializers.CharField(read_only=True, help_text=SLA_STATE_HELP)
    version_past_end_of_support = serializers.BooleanField(read_only=True)
    escalated = serializers.SerializerMethodField()
    actions = serializers.SerializerMethodField(
        help_text="What the reader may do to the case now: "
        + ", ".join(CaseAction.values)
        + ". Each has its route; anything else is refused with a 403."
    )
    closed_at = serializers.DateTimeField(read_only=True, allow_null=True)
    close_reason = serializers.CharField(read_only=True)
    auto_close_at = serializers.DateTimeField(read_only=True, allow_null=True)
    assignee = serializers.SerializerMethodField(help_text="The engineer's email, or null.")
    merged_into = serializers.SerializerMethodField(help_text="The case this duplicate was merged into.")
    split_from = serializers.SerializerMethodField(help_text="The case this one was split from.")
    last_event = serializers.SerializerMethodField(
        help_text="The id of the case's latest event; send it back as `last_event` with an action."
    )

    def get_url(self, case: Case) -> str:
        return reverse("api-ticket-detail", kwargs={"number": case.number})

    def get_assignee(self, case: Case) -> str | None:
        return case.assignee.email if case.assignee_id else None

    def get_merged_into(self, case: Case) -> str | None:
        return case.merged_into.number if case.merged_into_id else None

    def get_split_from(self, case: Case) -> str | None:
        return case.split_from.number if case.split_from_id else None

    def get_last_event(self, case: Case) -> int:
        return case.events.order_by("-pk").values_list("pk", flat=True).first() or 0

    def get_escalated(self, case: Case) -> bool:
        return case.escalated_at is not None

    def get_actions(self, case: Case) -> list[str]:
        return case_actions(self.context["scope"], case)


class CaseSummarySerializer(serializers.Serializer):
    """A row of the case list: only what the list selector loads, so the page costs the same at any size."""

    number = serializers.CharField()
    url = serializers.SerializerMethodField()
    subject = serializers.CharField()
    status = serializers.ChoiceField(choices=Status.choices)
    severity = serializers.IntegerField()
    requested_severity = serializers.IntegerField()
    organization = serializers.IntegerField(source="organization_id")
    organization_name = serializers.CharField(source="organization.name")
    requester = serializers.EmailField(source="requester.email")
    received_at = serializers.DateTimeField()
    first_response_due = serializers.DateTimeField(allow_null=True)
    sla_state = serializers.CharField(help_text=SLA_STATE_HELP)
    escalated = serializers.SerializerMethodField()
    closed_at = serializers.DateTimeField(allow_null=True)

    def get_url(self, case: Case) -> str:
        return reverse("api-ticket-detail", kwargs={"number": case.number})

    def get_escalated(self, case: Case) -> bool:
        return case.escalated_at is not None


class CaseListQuerySerializer(serializers.Serializer):
    """The case list's filters, under the same names on the portal page and the API (`case_filters_from`)."""

    status = serializers.ChoiceField(
        choices=[("active", "Not closed"), *Status.choices], required=False, allow_blank=True
    )
    organization = serializers.IntegerField(required=False, min_value=1, max_value=KEY_MAX)
    severity = serializers.IntegerField(required=False, min_value=1, max_value=3)
    search = serializers.CharField(required=False, allow_blank=True, max_length=200)
    sla_state = serializers.ChoiceField(
        choices=SlaState.choices, required=False, allow_blank=True, help_text="The SLA state now."
    )


def case_filters_from(params) -> tuple[CaseFilters, dict[str, list[str]]]:
    """The one translation of list parameters into CaseFilters, for the page and the API alike.

    Returns the filters and the errors by parameter name. A parameter that is wrong is left out of the
    filters (the page lists by the others and says what it ignored; the API answers 400 naming it).
    """
    query = CaseListQuerySerializer(data=params)
    errors = (
        {}
        if query.is_valid()
        else {field: [str(e) for e in problems] for field, problems in query.errors.items()}
    )
    if errors:
        rest = params.copy()  # a QueryDict still: an empty value means "no filter", as the first time
        for field in errors:
            rest.pop(field, None)
        query = CaseListQuerySerializer(data=rest)
        query.is_valid(raise_exception=True)
    data = query.validated_data
    filters = CaseFilters(
        status=data.get("status", ""),
        organization_id=data.get("organization"),
        severity=data.get("severity"),
        search=data.get("search", ""),
        sla_state=data.get("sla_state", ""),
    )
    return filters, errors


# --- conversation, attachments and actions ------------------------------------------------------------------


class AttachmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    size = serializers.IntegerField(help_text="bytes")
    content_type = serializers.CharField()
    created_at = serializers.DateTimeField()
    download_url = serializers.SerializerMethodField()

    def get_download_url(self, attachment: Attachment) -> str:
        # Served by the portal's download view, which checks who may see the case.
        return reverse("attachment_download", args=[attachment.pk])


class AttachmentUploadSerializer(serializers.Serializer):
    file = serializers.ListField(child=serializers.FileField(), allow_empty=False)


class ReplySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    author = serializers.CharField(source="author.display_name")
    from_support = serializers.SerializerMethodField()
    body = serializers.CharField()
    internal = serializers.BooleanField(source="is_internal")
    kind = serializers.CharField()
    created_at = serializers.DateTimeField()
    attachments = AttachmentSerializer(many=True)

    def get_from_support(self, reply: Reply) -> bool:
        return reply.author.is_vendor_staff


class StaffFilingSerializer(serializers.Serializer):
    """What staff add to a new case they file for a contact (a phone or chat case, domain.md §8); the rest is
    the customer's form (CaseSerializer), checked against the contact's scope and contract."""

    requester = serializers.EmailField(
        help_text="Staff only: the contact the case is for (an active contact)."
    )
    channel = serializers.ChoiceField(
        choices=[(channel.value, channel.label) for channel in STAFF_CHANNELS],
        help_text="Staff only: how the contact reached us.",
    )

    def validate_requester(self, email: str) -> User:
        contact = (
            User.objects.filter(email__iexact=email, is_active=True, membership__isnull=False)
            .select_related("membership__account")
            .first()
        )
        if contact is None:
            raise serializers.ValidationError("No active contact has this email address.")
        return contact


class ReplyCreateSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=REPLY_MAX_LENGTH, trim_whitespace=False)
    internal = serializers.BooleanField(default=False, help_text="Staff only: an internal note.")
    public = serializers.BooleanField(
        required=False, help_text="Staff only: false is an internal note (the opposite of `internal`)."
    )
    kind = serializers.ChoiceField(
        choices=ResponseKind.choices, required=False, allow_blank=True, default="", help_text="Staff only."
    )
    response_type = serializers.ChoiceField(
        choices=ResponseKind.choices,
        required=False,
        allow_blank=True,
        help_text="Staff only: same as `kind`.",
    )
    last_event = serializers.IntegerField(
        required=False, min_value=0, max_value=KEY_MAX, help_text=LAST_EVENT_HELP
    )
    propose_solution = serializers.BooleanField(default=False, help_text="Staff only.")
    file = serializers.ListField(
        child=serializers.FileField(), required=False, help_text="Files, as multipart `file` parts."
    )

    def validate(self, data):
        # `public` and `response_type` are the staff API's names; `internal` and `kind` stay working.
        # Only when sent: a form post (multipart) reads a missing boolean as false.
        public = data.pop("public", None)
        if "public" in self.initial_data:
            if "internal" in self.initial_data and data["internal"] == public:
                raise serializers.ValidationError({"public": "public and internal contradict each other."})
            data["internal"] = not public
        if data.get("response_type"):
            if data["kind"] and data["kind"] != data["response_type"]:
                raise serializers.ValidationError({"response_type": "response_type and kind differ."})
            data["kind"] = data["response_type"]
        data.pop("response_type", None)
        return data


class NotFixedSerializer(serializers.Serializer):
    body = serializers.CharField(
        max_length=REPLY_MAX_LENGTH, required=False, allow_blank=True, default="", trim_whitespace=False
    )


class EscalateSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=ESCALATION_REASON_MAX_LENGTH)


class SeveritySerializer(serializers.Serializer):
    severity = serializers.IntegerField(min_value=1, max_value=3, help_text=SEVERITY_HELP)
    reason = serializers.CharField(max_length=SEVERITY_REASON_MAX_LENGTH, help_text="Why it changes.")
    last_event = serializers.IntegerField(
        required=False, min_value=0, max_value=KEY_MAX, help_text=LAST_EVENT_HELP
    )


class CcSerializer(serializers.Serializer):
    cc = ContactEmailField(many=True, allow_empty=True)


# --- staff actions ------------------------------------------------------------------------------------------


class StaffActionSerializer(serializers.Serializer):
    """What every staff action takes besides its own fields."""

    last_event = serializers.IntegerField(
        required=False, min_value=0, max_value=KEY_MAX, help_text=LAST_EVENT_HELP
    )


class StaffReplySerializer(StaffActionSerializer):
    """The body of a public reply of one kind (request-info/, propose-solution/)."""

    body = serializers.CharField(max_length=REPLY_MAX_LENGTH, trim_whitespace=False)


@extend_schema_field(OpenApiTypes.EMAIL)
class StaffEmailField(serializers.SlugRelatedField):
    """An active engineer or supervisor (who may hold cases), by email."""

    default_error_messages = {"does_not_exist": "Give the email of an active support engineer."}

    def __init__(self, **kwargs):
        super().__init__(slug_field="email", queryset=case_holders(), **kwargs)

    def to_internal_value(self, data):
        return super().to_internal_value(data.lower() if isinstance(data, str) else data)


class AssignSerializer(StaffActionSerializer):
    assignee = StaffEmailField(
        required=False, allow_null=True, help_text="An engineer's email, or null to unassign."
    )
    take = serializers.BooleanField(default=False, help_text="true: assign the case to yourself.")

    def validate(self, data):
        if data["take"] == ("assignee" in data):
            raise serializers.ValidationError(
                {"assignee": "Give either assignee (an email or null) or take: true."}
            )
        return data


class ReopenSerializer(StaffActionSerializer):
    reason = serializers.CharField(max_length=ESCALATION_REASON_MAX_LENGTH, help_text="Why it is reopened.")


class StaffCloseSerializer(StaffActionSerializer):
    reason = serializers.ChoiceField(
        choices=[
            (reason.value, reason.label)
            for reason in [CloseReason.RESOLVED, CloseReason.DUPLICATE, CloseReason.WITHDRAWN]
        ],
        default=CloseReason.RESOLVED.value,
        help_text="Staff only; a customer's close has no reason to give.",
    )


class SplitCaseSerializer(serializers.Serializer):
    subject = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=DESCRIPTION_MAX_LENGTH, trim_whitespace=False)


class SplitSerializer(StaffActionSerializer):
    cases = SplitCaseSerializer(many=True, allow_empty=False, help_text="One new case per issue.")
    close_original = serializers.BooleanField(default=False)


class MergeSerializer(StaffActionSerializer):
    into = ScopedCaseNumberField(help_text="The number of the case that goes on; this one is the duplicate.")


class LinkSerializer(StaffActionSerializer):
    continues = ScopedCaseNumberField(
        allow_null=True, help_text="A closed case of the same account, or null."
    )


class ProductSerializer(StaffActionSerializer):
    product = KeyRelatedField(queryset=Product.objects.all(), allow_null=True)
    version = KeyRelatedField(
        queryset=Version.objects.select_related("product"), required=False, allow_null=True
    )


class ClearEscalationSerializer(StaffActionSerializer):
    note = serializers.CharField(
        max_length=ESCALATION_REASON_MAX_LENGTH, help_text="What was done; the customer sees it."
    )


class EventSerializer(serializers.Serializer):
    """One line of the audit trail: who, when, what, and its details (from, to, reason …)."""

    id = serializers.IntegerField()
    kind = serializers.CharField()
    kind_label = serializers.CharField(source="get_kind_display")
    actor = serializers.SerializerMethodField(help_text="The person's email; null for SupportDesk itself.")
    created_at = serializers.DateTimeField()
    data = serializers.JSONField()

    def get_actor(self, event) -> str | None:
        return event.actor.email if event.actor_id else None
