"""A form renderer that writes Django's common widgets in Python instead of through their templates.

The staff case page draws about 30 fields, a few of them selects of dozens of options; through Django's widget
templates (an include per option, another per attribute list) that was most of the page's time. Django still
builds each widget's context (ids, names, values kept after an error, required, aria-invalid,
aria-describedby, the options and their attributes); only the last step, turning that context into markup,
is done here, byte for byte as django/forms/templates/django/forms/widgets/*.html write it (whitespace
included: tests/tickets/test_form_renderer.py compares the two on every field of the forms that use this).
A widget this module does not know, or an uploaded file shown again, goes through the templates as before.
"""

from django.forms.renderers import DjangoTemplates
from django.utils.html import conditional_escape

WIDGETS = "django/forms/widgets/"
# Widgets whose template is input.html alone.
INPUTS = {
    WIDGETS + name
    for name in (
        "input.html",
        "text.html",
        "number.html",
        "email.html",
        "url.html",
        "search.html",
        "tel.html",
        "password.html",
        "hidden.html",
        "file.html",
        "date.html",
        "datetime.html",
        "time.html",
        "checkbox.html",
    )
}
MULTIPLE_INPUTS = {WIDGETS + "checkbox_select.html", WIDGETS + "radio.html"}
INPUT_OPTIONS = {WIDGETS + "checkbox_option.html", WIDGETS + "radio_option.html"}


def _attrs(attrs: dict) -> str:
    # attrs.html: False leaves the attribute out, True writes it bare.
    return "".join(
        f" {conditional_escape(name)}"
        if value is True
        else f' {conditional_escape(name)}="{conditional_escape(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def _input(widget: dict) -> str:
    value = "" if widget["value"] is None else f' value="{conditional_escape(widget["value"])}"'
    return (
        f'<input type="{conditional_escape(widget["type"])}" name="{conditional_escape(widget["name"])}"'
        f"{value}{_attrs(widget['attrs'])}>"
    )


def _textarea(widget: dict) -> str:
    value = conditional_escape(widget["value"]) if widget["value"] else ""
    return (
        f'<textarea name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>\n{value}</textarea>'
    )


def _select(widget: dict) -> str | None:
    parts = [f'<select name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
        for option in options:
            if option["template_name"] != WIDGETS + "select_option.html":
                return None
            parts.append(
                f'\n  <option value="{conditional_escape(option["value"])}"{_attrs(option["attrs"])}>'
                f"{conditional_escape(option['label'])}</option>\n"
            )
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


def _multiple_input(widget: dict) -> str | None:
    id_, css_class = widget["attrs"].get("id"), widget["attrs"].get("class")
    parts = [
        "<div",
        f' id="{conditional_escape(id_)}"' if id_ else "",
        f' class="{conditional_escape(css_class)}"' if css_class else "",
        ">",
    ]
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            parts.append(f"\n  <div><label>{conditional_escape(group_name)}</label>")
        for option in options:
            if option["template_name"] not in INPUT_OPTIONS:
                return None
            # input_option.html inside radio_option.html or checkbox_option.html: each adds a line break.
            html = _input(option) + "\n"
            if option["wrap_label"]:
                option_id = option["attrs"].get("id")
                label_for = f' for="{conditional_escape(option_id)}"' if option_id else ""
                html = f"<label{label_for}>{html} {conditional_escape(option['label'])}</label>"
            parts.append(f"<div>\n    {html}\n\n</div>")
        if group_name:
            parts.append("\n  </div>")
    parts.append("\n</div>")
    return "".join(parts)


class QuickWidgetRenderer(DjangoTemplates):
    """Django's template renderer, with the common widgets written in Python (see the module's docstring)."""

    def render(self, template_name, context, request=None):
        widget = context.get("widget")
        html = None
        if widget is not None:
            if template_name in INPUTS:
                html = _input(widget)
            elif template_name == WIDGETS + "textarea.html":
                html = _textarea(widget)
            elif template_name == WIDGETS + "select.html":
                html = _select(widget)
            elif template_name in MULTIPLE_INPUTS:
                html = _multiple_input(widget)
            elif template_name == WIDGETS + "clearable_file_input.html" and not widget["is_initial"]:
                html = _input(widget)
        if html is None:
            return super().render(template_name, context, request=request)
        return html


QUICK_WIDGETS = QuickWidgetRenderer()
