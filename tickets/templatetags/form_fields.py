"""`{% form_field field %}`: the markup of templates/field.html for one form field (label, the required or
optional mark, the widget, help and errors, wired for screen readers), written in Python.

For pages that draw many fields on every visit (the staff case page draws about 30): an include of
field.html per field was a good part of that page's time. The output is field.html's, byte for byte;
tests/tickets/test_form_rendering.py holds the two equal on every field of the forms that use this tag, so a
change to field.html that is not made here too fails there.
"""

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

register = template.Library()

REQUIRED = ' <span class="req" aria-hidden="true">*</span>'


@register.simple_tag
def form_field(field, css_class: str = "") -> str:
    errors = field.errors
    auto_id = conditional_escape(field.auto_id)
    label = conditional_escape(field.label)
    widget = str(field)
    css = " has-error" if errors else ""
    if css_class:
        css += f" {conditional_escape(css_class)}"
    widget_type = field.widget_type
    if widget_type in ("radioselect", "checkboxselectmultiple"):
        mark = REQUIRED if field.field.required else ""
        # The fieldset names only what the page shows (its help, its errors) for screen readers.
        described = " ".join(
            [f"{auto_id}_helptext"] * bool(field.help_text) + [f"{auto_id}_error"] * bool(errors)
        )
        describedby = f' aria-describedby="{described}"' if described else ""
        body = (
            f"\n    <fieldset{describedby}>"
            f"\n      <legend>{label}{mark}</legend>\n      {widget}\n    </fieldset>\n  "
        )
    elif widget_type == "checkbox":
        body = f'\n    <label class="check">{widget} {label}</label>\n  '
    else:
        required_for = getattr(field.field, "required_for", "")
        if field.field.required:
            mark = REQUIRED
        elif required_for:
            mark = f' <span class="muted optional">(required for {conditional_escape(required_for)})</span>'
        else:
            mark = ' <span class="muted optional">(optional)</span>'
        label_for = conditional_escape(field.id_for_label)
        body = f'\n    <label for="{label_for}">{label}{mark}</label>\n    {widget}\n  '
    help_text = (
        f'<small id="{auto_id}_helptext" class="help">{conditional_escape(field.help_text)}</small>'
        if field.help_text
        else ""
    )
    error_list = ""
    if errors:
        items = "".join(f"<li>{conditional_escape(error)}</li>" for error in errors)
        error_list = f'<ul id="{auto_id}_error" class="errorlist" role="alert">{items}</ul>'
    return mark_safe(  # noqa: S308 -- every piece above is escaped or is Django's own widget markup
        f'\n<div class="field{css}">\n  {body}\n  {help_text}\n  {error_list}\n</div>\n'
    )
