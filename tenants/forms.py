from django import forms


class InviteForm(forms.Form):
    email = forms.EmailField()
    first_name = forms.CharField(max_length=150)
    last_name = forms.CharField(max_length=150, required=False)
    make_admin = forms.BooleanField(label="Portal admin (sees every case of the account)", required=False)
