"""Status page forms: they check the shape of what was typed; the services decide the rest."""

from django import forms

from statuspage.models import (
    BODY_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    Component,
    ComponentState,
    IncidentStatus,
    Subscriber,
)
from statuspage.services import MAINTENANCE_MAX_LENGTH

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


class SubscribeForm(forms.Form):
    # A well-formed address may be 320 characters; the column holds what the model says.
    email = forms.EmailField(
        label="Email address",
        max_length=Subscriber._meta.get_field("email").max_length,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


class ComponentStatesMixin:
    """One select per component, `component_<id>`, starting from the incident's latest states."""

    def add_component_fields(self, components, initial_states: dict[int, str]) -> None:
        self.components = list(components)
        for component in self.components:
            self.fields[f"component_{component.pk}"] = forms.ChoiceField(
                label=str(component),
                choices=ComponentState.choices,
                initial=initial_states.get(component.pk, ComponentState.OPERATIONAL),
            )

    def component_fields(self):
        return [self[f"component_{component.pk}"] for component in self.components]

    def component_states(self) -> dict[int, str]:
        return {component.pk: self.cleaned_data[f"component_{component.pk}"] for component in self.components}


class IncidentUpdateForm(ComponentStatesMixin, forms.Form):
    status = forms.ChoiceField(choices=IncidentStatus.choices)
    body = forms.CharField(
        label="Update",
        max_length=BODY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="What is happening, what customers notice, and what comes next. Markdown works.",
    )

    def __init__(self, *args, components, initial_states=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_component_fields(components, initial_states or {})


class IncidentForm(IncidentUpdateForm):
    title = forms.CharField(max_length=TITLE_MAX_LENGTH)
    field_order = ["title", "status", "body"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [
            choice for choice in IncidentStatus.choices if choice[0] != IncidentStatus.RESOLVED
        ]


class MaintenanceForm(forms.Form):
    title = forms.CharField(max_length=TITLE_MAX_LENGTH)
    description = forms.CharField(
        max_length=BODY_MAX_LENGTH, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    starts_at = forms.DateTimeField(
        label="Starts",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL),
        help_text="In your time zone, within the next year.",
    )
    ends_at = forms.DateTimeField(
        label="Ends",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL),
        help_text=f"In your time zone, at most {MAINTENANCE_MAX_LENGTH.days} days after the start.",
    )
    components = forms.ModelMultipleChoiceField(
        queryset=Component.objects.select_related("group"), widget=forms.CheckboxSelectMultiple
    )
