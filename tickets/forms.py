"""Portal forms: they check the shape of what was typed; the services decide everything else."""

from django import forms
from django.forms.models import ModelChoiceIterator

from lib.keys import KEY_MAX
from tenants.models import Product, Version
from tenants.selectors import organizations_acted_for
from tenants.time_zones import time_zone_is_known
from tickets.form_renderer import QUICK_WIDGETS
from tickets.models import (
    DESCRIPTION_MAX_LENGTH,
    ESCALATION_REASON_MAX_LENGTH,
    REPLY_MAX_LENGTH,
    SEVERITY_REASON_MAX_LENGTH,
    TROUBLESHOOTING_MAX_LENGTH,
    CloseReason,
    Macro,
    ResponseKind,
    Severity,
)
from tickets.selectors import categories_offered

SEVERITY_HELP = {
    1: "Production down: critical operations halted, most users affected, no workaround.",
    2: "Major loss of function with high impact on operations or users.",
    3: "Partial or non-critical issue, a question, or something cosmetic.",
}
COMMON_TIME_ZONES = [
    "America/Los_Angeles", "America/Denver", "America/Phoenix", "America/Chicago", "America/New_York",
    "America/Sao_Paulo", "Europe/London", "Europe/Berlin", "Europe/Paris", "Asia/Kolkata", "Asia/Singapore",
    "Asia/Tokyo", "Australia/Sydney", "UTC",
]  # fmt: skip


def time_zone_choices(current: str) -> list[tuple[str, str]]:
    zones = list(COMMON_TIME_ZONES)
    if current and current not in zones:
        zones.insert(0, current)
    return [(zone, zone.replace("_", " ")) for zone in zones]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; the services check each one's size and kind."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(item, initial) for item in data if item]
        return [super().clean(data, initial)] if data else []


class VersionSelect(forms.Select):
    """Each version option carries its product and end-of-support date, for the warning shown while typing."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        version = getattr(value, "instance", None)
        if version is not None:
            option["attrs"]["data-product"] = version.product_id
            option["attrs"]["data-end-of-support"] = version.end_of_support.isoformat()
        return option


class ColleagueCheckboxes(forms.CheckboxSelectMultiple):
    """Each colleague's checkbox says which organizations that person acts for ("all" or ids), so the form can
    offer only those who could read a case of the organization chosen."""

    reach: dict[int, set[int] | None] = {}

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        user_id = getattr(value, "value", None)
        if user_id in self.reach:
            organizations = self.reach[user_id]
            option["attrs"]["data-organizations"] = (
                "all" if organizations is None else " ".join(str(pk) for pk in sorted(organizations))
            )
        return option


class ListedChoiceIterator(ModelChoiceIterator):
    """The options from one plain read of the field's queryset, kept for the form's life. Django's own
    iterator opens a server-side cursor (DECLARE, FETCH, FETCH, CLOSE: four round trips) on every draw."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset:
            yield self.choice(obj)


class ListedModelChoiceField(forms.ModelChoiceField):
    iterator = ListedChoiceIterator


class ListedModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    iterator = ListedChoiceIterator


class CaseForm(forms.Form):
    organization = forms.ModelChoiceField(queryset=None, empty_label="Choose an organization")
    # Posted as the slug, the same value the API takes (tickets.serializers.CategoryField).
    category = forms.ModelChoiceField(
        queryset=None,
        to_field_name="slug",
        empty_label="Choose a category",
        error_messages={"invalid_choice": "Choose one of the categories in the list."},
    )
    subject = forms.CharField(max_length=200, widget=forms.TextInput(attrs={"autocomplete": "off"}))
    description = forms.CharField(
        max_length=DESCRIPTION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 7}),
        help_text="What happens, what you expected, since when, how many users. Markdown works.",
    )
    requested_severity = forms.TypedChoiceField(
        choices=[(value, label) for value, label in Severity.choices], coerce=int, widget=forms.RadioSelect
    )
    best_time_from = forms.TimeField(widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    best_time_to = forms.TimeField(widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    contact_time_zone = forms.ChoiceField()
    product = forms.ModelChoiceField(queryset=None, required=False, empty_label="Not product-specific")
    version = forms.ModelChoiceField(
        queryset=None, required=False, empty_label="Don't know", widget=VersionSelect
    )
    device_id = forms.CharField(label="Impacted device ID", max_length=120, required=False)
    operating_system = forms.CharField(max_length=120, required=False)
    os_version = forms.CharField(label="OS version", max_length=60, required=False)
    contact_phone = forms.CharField(
        max_length=40, required=False, widget=forms.TextInput(attrs={"type": "tel"})
    )
    troubleshooting = forms.CharField(
        label="Troubleshooting done so far",
        max_length=TROUBLESHOOTING_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    continues = forms.CharField(
        label="Continues case", max_length=20, required=False, help_text="The number of an earlier case."
    )
    cc = forms.ModelMultipleChoiceField(
        label="CC colleagues",
        queryset=None,
        required=False,
        widget=ColleagueCheckboxes,
        help_text="Only colleagues who act for the case's organization can be copied.",
    )
    attachments = MultipleFileField(help_text="Logs, support packages, screenshots.")

    def __init__(self, *args, organizations, contract, colleagues, time_zone, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations
        self.fields["category"].queryset = categories_offered()
        products = contract.products.all() if contract else Product.objects.none()
        self.fields["product"].queryset = products
        self.fields["version"].queryset = Version.objects.filter(product__in=products).select_related(
            "product"
        )
        self.fields["cc"].queryset = colleagues
        self.fields["cc"].label_from_instance = lambda user: f"{user.display_name} ({user.email})"
        # Only organizations the form offers are named: a colleague's others are not this reader's to know.
        offered = set(organizations.values_list("pk", flat=True))
        self.fields["cc"].widget.reach = {
            user_id: None if acting is None else acting & offered
            for user_id, acting in organizations_acted_for(users=colleagues).items()
        }
        self.fields["contact_time_zone"].choices = time_zone_choices(time_zone)
        self.fields["contact_time_zone"].initial = time_zone
        if organizations.count() == 1:
            self.fields["organization"].initial = organizations.first()

    def clean_contact_time_zone(self):
        value = self.cleaned_data["contact_time_zone"]
        if not time_zone_is_known(value):
            raise forms.ValidationError("Choose a time zone from the list.")
        return value

    # What ticket_create takes straight from the form; `continues` is looked up by the view in its reader's
    # scope, so it is not among them.
    FILED_AS_TYPED = (
        "organization",
        "category",
        "subject",
        "description",
        "requested_severity",
        "best_time_from",
        "best_time_to",
        "contact_time_zone",
        "product",
        "version",
        "device_id",
        "operating_system",
        "os_version",
        "contact_phone",
        "troubleshooting",
        "attachments",
    )

    def case_fields(self) -> dict:
        """The valid form's fields as ticket_create's arguments (the portal's and the phone form's alike)."""
        data = self.cleaned_data
        return {name: data[name] for name in self.FILED_AS_TYPED} | {"cc": list(data["cc"])}


class CasePageForm(forms.Form):
    """A form of the case page, drawn on every visit: its widgets are written in Python
    (tickets/form_renderer.py), the same markup as Django's templates."""

    default_renderer = QUICK_WIDGETS


class ReplyForm(CasePageForm):
    last_event = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0, max_value=KEY_MAX)
    body = forms.CharField(
        label="Your reply", max_length=REPLY_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 5})
    )
    attachments = MultipleFileField()
    # Staff only; ignored for customers by the view.
    kind = forms.ChoiceField(
        label="Kind of response",
        choices=[("", "Choose…"), *ResponseKind.choices],
        required=False,
        help_text="Needed for a reply the customer sees; an internal note has none.",
    )
    internal = forms.BooleanField(label="Internal note (the customer does not see it)", required=False)
    propose_solution = forms.BooleanField(label="Propose this as the solution", required=False)
    # Staff only: start from a macro ("Use macro" fills the text; static/js/macros.js does it as you choose).
    macro = forms.ModelChoiceField(label="Macro", queryset=None, required=False, empty_label="No macro")

    def __init__(self, *args, macros=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["macro"].queryset = macros if macros is not None else Macro.objects.none()
        # Not required by the form (a note has none), but not optional either: templates/field.html says when.
        self.fields["kind"].required_for = "a public reply"


class EscalateForm(CasePageForm):
    reason = forms.CharField(
        label="Why does this case need escalating?",
        max_length=ESCALATION_REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class SeverityForm(CasePageForm):
    """Support validates the severity the contact asked for (staff only)."""

    last_event = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0, max_value=KEY_MAX)
    severity = forms.TypedChoiceField(
        label="Severity", choices=[(value, f"Severity {value}") for value in Severity.values], coerce=int
    )
    reason = forms.CharField(label="Reason", max_length=SEVERITY_REASON_MAX_LENGTH, widget=forms.TextInput())


class NotFixedForm(CasePageForm):
    body = forms.CharField(
        label="What still happens?",
        max_length=REPLY_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class CcForm(CasePageForm):
    # Listed: the page asks whether there is anyone to offer, then draws them, from one read.
    cc = ListedModelMultipleChoiceField(
        label="People copied on this case", queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, colleagues, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cc"].queryset = colleagues
        self.fields["cc"].label_from_instance = lambda user: f"{user.display_name} ({user.email})"


# --- the staff case page ------------------------------------------------------------------------------------


class SeenForm(CasePageForm):
    """Every form of the case page says which state of the case it was filled in against: the id of the last
    event the page showed (tickets.services.concurrency). Left out, nothing is checked."""

    last_event = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0, max_value=KEY_MAX)


class AssignForm(SeenForm):
    """Assign to an engineer, take (the button named "take"), or unassign (no one chosen)."""

    assignee = ListedModelChoiceField(
        label="Assignee", queryset=None, required=False, empty_label="No one (unassign)"
    )

    def __init__(self, *args, engineers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = engineers
        self.fields["assignee"].label_from_instance = lambda user: user.display_name


class StaffCloseForm(SeenForm):
    close_reason = forms.ChoiceField(
        label="Reason",
        choices=[
            (reason.value, reason.label)
            for reason in [CloseReason.RESOLVED, CloseReason.DUPLICATE, CloseReason.WITHDRAWN]
        ],
    )


class ReopenForm(SeenForm):
    reopen_reason = forms.CharField(
        label="Why reopen it?", max_length=ESCALATION_REASON_MAX_LENGTH, widget=forms.TextInput()
    )


class ProductForm(SeenForm):
    product = ListedModelChoiceField(
        label="Product", queryset=Product.objects.all(), required=False, empty_label="Not product-specific"
    )
    version = ListedModelChoiceField(
        label="Version",
        queryset=Version.objects.select_related("product"),
        required=False,
        empty_label="Don't know",
        widget=VersionSelect,
    )


class LinkForm(SeenForm):
    continues = forms.CharField(
        label="Continues case",
        max_length=20,
        required=False,
        help_text="The number of a closed case of the same account; empty to clear.",
    )


class MergeForm(SeenForm):
    into = forms.CharField(
        label="Merge into case", max_length=20, help_text="This case is the duplicate and closes."
    )


class SplitForm(SeenForm):
    """A few rows of subject and description; rows left empty are skipped."""

    ROWS = 3

    close_original = forms.BooleanField(label="Close this case once split", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for row in range(1, self.ROWS + 1):
            self.fields[f"subject_{row}"] = forms.CharField(
                label=f"Issue {row}: subject", max_length=200, required=False
            )
            self.fields[f"description_{row}"] = forms.CharField(
                label=f"Issue {row}: description",
                max_length=DESCRIPTION_MAX_LENGTH,
                required=False,
                widget=forms.Textarea(attrs={"rows": 3}),
            )

    def rows(self):
        return [(self[f"subject_{row}"], self[f"description_{row}"]) for row in range(1, self.ROWS + 1)]

    def clean(self):
        data = super().clean()
        issues = []
        for row in range(1, self.ROWS + 1):
            subject, description = data.get(f"subject_{row}", ""), data.get(f"description_{row}", "")
            if subject.strip() or description.strip():
                if not (subject.strip() and description.strip()):
                    self.add_error(f"subject_{row}", "Give this issue both a subject and a description.")
                issues.append({"subject": subject, "description": description})
        if not issues and not self.errors:
            raise forms.ValidationError("Describe at least one issue to split out.")
        data["cases"] = issues
        return data


class ClearEscalationForm(SeenForm):
    note = forms.CharField(
        label="Note to the customer",
        max_length=ESCALATION_REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="What was done about the escalation; the customer sees it.",
    )
    back = forms.CharField(widget=forms.HiddenInput, required=False)
