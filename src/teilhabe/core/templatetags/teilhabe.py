from __future__ import annotations

from typing import Any

from django import template
from django.forms import BoundField
from django.template.loader import get_template
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from teilhabe.core.navigation import cached_reverse, id_url

register = template.Library()

_CLASSES = {
    "select": "kern-form-input__select",
    "selectmultiple": "kern-form-input__select",
    "checkbox": "kern-form-check__checkbox",
}
#: Widgets drawn as a fieldset of choices, by the template ``core/_fieldset.html``.
_FIELDSETS = ("checkboxselectmultiple", "radioselect")


@register.filter
def kern_widget(field: BoundField) -> SafeString:
    """Render a form field's widget with the KERN UX class for its kind."""
    css = _CLASSES.get(field.widget_type, "kern-form-input__input")
    if field.errors:
        css += f" {css}--error"
    existing = field.field.widget.attrs.get("class", "")
    return field.as_widget(attrs={"class": f"{existing} {css}".strip()})


def _hint(field: BoundField) -> str:
    """The help text below a label (or nothing)."""
    if not field.help_text:
        return ""
    return (
        f'<div class="kern-hint" id="{conditional_escape(field.auto_id)}_helptext">'
        f"{conditional_escape(field.help_text)}</div>"
    )


def _errors(errors: Any, id_attribute: str = "") -> str:
    """The error messages of a field, each announced to screen readers."""
    return "".join(
        f'<p class="kern-error"{id_attribute} role="alert">{conditional_escape(error)}</p>'
        for error in errors
    )


@register.simple_tag
def kern_field(field: BoundField, hide_optional: Any = False) -> SafeString:
    """A form field in KERN UX markup: label (with "optional"), hint, errors and widget.

    Every form of the site draws its fields with this tag. It is written in Python because a
    list's filter form has many fields, and a template include per field with its lookups
    cost more than the widgets themselves. Fieldsets of choices (radio buttons, checkboxes)
    are drawn by the template ``core/_fieldset.html``. ``hide_optional`` leaves the word
    "optional" out, for filter forms where every field is optional.
    """
    if field.is_hidden:
        return mark_safe(conditional_escape(field) + "\n")  # noqa: S308 - escaped
    kind = field.widget_type
    if kind in _FIELDSETS:
        return get_template("core/_fieldset.html").render(
            {"field": field, "hide_optional": hide_optional}
        )
    errors = field.errors
    label = conditional_escape(field.label)
    for_id = conditional_escape(field.id_for_label)
    if kind == "checkbox":
        html = (
            "\n<div>\n"
            f'  <div class="kern-form-check{" kern-form-check--error" if errors else ""}">\n'
            f"    {kern_widget(field)}\n"
            f'    <label class="kern-label" for="{for_id}">{label}</label>\n'
            "  </div>\n"
            "  " + _errors(errors) + "\n"
            f"  {_hint(field)}\n"
            "</div>\n\n"
        )
        return mark_safe(html)  # noqa: S308 - every value went through conditional_escape
    optional = ""
    if not field.field.required and not hide_optional:
        optional = (
            ' <span class="kern-label__optional">– '
            f"{conditional_escape(gettext('optional'))}</span>"
        )
    widget = kern_widget(field)
    if kind == "select":
        widget = f'<div class="kern-form-input__select-wrapper">{widget}</div>'
    auto_id = conditional_escape(field.auto_id)
    html = (
        f'\n<div class="kern-form-input{" kern-form-input--error" if errors else ""}">\n'
        f'  <label class="kern-label" for="{for_id}">{label}{optional}</label>\n'
        f"  {_hint(field)}\n"
        "  " + _errors(errors, f' id="{auto_id}_error"') + "\n"
        f"  {widget}\n"
        "</div>\n\n"
    )
    return mark_safe(html)  # noqa: S308 - every value went through conditional_escape


@register.simple_tag(takes_context=True)
def sort_header(context: template.Context, key: str, label: str) -> SafeString:
    """A column head that sorts by ``key``; a second click sorts the other way.

    Reads ``sort`` (the current order) and ``sort_base`` (the list's other parameters) from
    the context, and marks the sorted column with ``aria-sort``.
    """
    sort = context.get("sort")
    sort_base = context.get("sort_base")
    aria = ""
    if sort == key:
        aria = ' aria-sort="ascending"'
    elif sort == f"-{key}":
        aria = ' aria-sort="descending"'
    base = f"{conditional_escape(sort_base)}&amp;" if sort_base else ""
    minus = "-" if sort == key else ""
    return mark_safe(  # noqa: S308 - every value went through conditional_escape
        f'<th class="kern-table__header" scope="col"{aria}><a class="kern-link" '
        f'href="?{base}sort={minus}{conditional_escape(key)}">{conditional_escape(label)}</a></th>'
    )


@register.simple_tag(name="id_url")
def id_url_tag(url_name: str, pk: int) -> str:
    """``{% url url_name pk %}`` for a URL of one integer id, reversed once (``id_url``)."""
    return id_url(url_name, pk)


@register.simple_tag
def fixed_url(url_name: str) -> str:
    """``{% url url_name %}`` for a URL without arguments, reversed once (``cached_reverse``)."""
    return cached_reverse(url_name)
