from django import forms


class InviteForm(forms.Form):
    """Invite a contact, acting for organizations chosen among the inviter's own (one can only hand out what
    one has). `all_organizations` is offered only to an inviter who acts for all of them."""

    email = forms.EmailField()
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
