import functools
import zoneinfo

from django import forms

from tenants.models import CaseEmail, User


class InviteForm(forms.Form):
    """Invite a contact, acting for organizations chosen among the inviter's own (one can only hand out what
    one has). `all_organizations` is offered only to an inviter who acts for all of them."""

    # A well-formed address may be 320 characters; a sign-in holds what the model says.
    email = forms.EmailField(max_length=User._meta.get_field("email").max_length)
    first_name = forms.CharField(max_length=150)
    last_name = forms.CharField(max_length=150, required=False)
    make_admin = forms.BooleanField(
        label="Portal admin (sees every case of the organizations below, and manages their contacts)",
        required=False,
    )
    all_organizations = forms.BooleanField(
        label="All organizations of the account, including ones added later", required=False, initial=True
    )
    organizations = forms.ModelMultipleChoiceField(
        label="Acts for", queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, scope, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organizations"].queryset = scope.organizations()
        if not scope.acts_for_all_organizations:
            del self.fields["all_organizations"]
            self.fields["organizations"].help_text = "You can give only organizations you act for yourself."

    def chosen_organizations(self):
        """None for all organizations, else the list chosen."""
        if self.cleaned_data.get("all_organizations"):
            return None
        return list(self.cleaned_data["organizations"])


@functools.cache
def _time_zone_choices() -> list[tuple[str, str]]:
    # The names tenants.time_zones accepts; read from disk once per process.
    return [(name, name.replace("_", " ")) for name in sorted(zoneinfo.available_timezones())]


class SettingsForm(forms.Form):
    """A person's own settings. `case_emails` (the emails kept, ticked) only for customers: staff choose
    their notices on /staff/notices/preferences/."""

    first_name = forms.CharField(max_length=150)
    last_name = forms.CharField(max_length=150, required=False)
    phone = forms.CharField(
        max_length=40,
        required=False,
        help_text="Filled in for you when you file a case, so support can call you back.",
    )
    time_zone = forms.ChoiceField(
        choices=_time_zone_choices, help_text="Every time in SupportDesk and in its emails is shown in it."
    )
    case_emails = forms.MultipleChoiceField(
        label="Emails about your cases",
        choices=CaseEmail.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Untick what you would rather read on the case page only.",
    )

    def __init__(self, *args, user, **kwargs):
        initial = {
            "first_name": user.first_name,
            "last_name": user.last_name,
            "phone": user.phone,
            "time_zone": user.time_zone,
            "case_emails": [kind for kind in CaseEmail.values if kind not in user.case_emails_off],
        }
        super().__init__(*args, initial=initial, **kwargs)
        if user.is_vendor_staff:
            del self.fields["case_emails"]

    def case_emails_off(self) -> list[str] | None:
        """The kinds left unticked, or None when the form does not ask (staff)."""
        if "case_emails" not in self.fields:
            return None
        return [kind for kind in CaseEmail.values if kind not in self.cleaned_data["case_emails"]]


# The case emails a customer always gets, whatever they untick (tenants.models.CaseEmail says why).
ALWAYS_SENT_EMAILS = [
    "The confirmation of a case you file, or support logs for you: its number and when support will answer",
    "The warning that a case waiting on you will close by itself, and the email when it does",
]
