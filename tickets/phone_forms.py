"""Staff forms: a case taken by phone or chat (find the contact, then the portal's case form with the
channel), and which notices staff get. They check the shape of what was typed; the services decide the rest
(ticket_create: the tier, the chat hours)."""

from django import forms

from tickets.forms import CaseForm
from tickets.models import Channel, NoticeKind
from tickets.services.filing import STAFF_CHANNELS


class ContactSearchForm(forms.Form):
    q = forms.CharField(
        label="Find the contact",
        max_length=100,
        required=False,
        help_text="Name, email address or account.",
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )


class PhoneCaseForm(CaseForm):
    """The portal's case form, filled in by staff for the contact, with the channel the case came in on."""

    channel = forms.ChoiceField(
        label="Taken by",
        choices=[(channel.value, channel.label) for channel in STAFF_CHANNELS],
        initial=Channel.PHONE,
        widget=forms.RadioSelect,
    )

    field_order = ["channel"]


class NoticePreferenceForm(forms.Form):
    """Which notices a member of staff gets, by email and in the app."""

    kinds = forms.MultipleChoiceField(
        label="Tell me about",
        choices=NoticeKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="A notice goes to the case's assignee, or to the engineers on duty when nobody has it.",
    )
