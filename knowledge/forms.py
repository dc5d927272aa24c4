"""The article editor's form: shape only; knowledge.services decides."""

from django import forms

from knowledge.models import Audience, Category
from tenants.models import Product, Version


class VersionChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, version):
        return f"{version.product.name} {version.name}"


class ArticleForm(forms.Form):
    title = forms.CharField(max_length=200)
    summary = forms.CharField(
        max_length=300, required=False, help_text="One or two sentences, shown in lists and search results."
    )
    body = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 18}),
        max_length=100_000,
        help_text="Markdown: ## for a section, **bold**, `code`, lists, tables and links.",
    )
    category = forms.ModelChoiceField(queryset=Category.objects.all())
    audience = forms.ChoiceField(
        label="Who may read it",
        choices=Audience.choices,
        widget=forms.RadioSelect,
        initial=Audience.CUSTOMERS,
    )
    products = forms.ModelMultipleChoiceField(
        queryset=Product.objects.all(), required=False, widget=forms.CheckboxSelectMultiple
    )
    versions = VersionChoiceField(
        queryset=Version.objects.select_related("product"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Only versions of the products ticked above.",
    )
