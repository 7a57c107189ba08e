"""The form renderer: Django's templates, with the common widgets written directly in Python.

Django renders every ``<option>`` of a select through two template includes, and every input
and textarea through two or three. A filter form with a few hundred options (Gemeinden,
agencies, schools) spent most of a list page's time there, and a form page of ten fields
about a quarter of its own. This renderer writes ``<select>`` with its options, ``<input>``
and ``<textarea>`` in Python, escaping exactly as the templates do (tests compare the two),
and leaves every other widget to the templates. It only takes the fast path while the
templates involved are Django's own: an app that overrides one gets its templates rendered.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import django
from django.forms.renderers import DjangoTemplates
from django.utils.functional import cached_property
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe

SELECT = "django/forms/widgets/select.html"
OPTION = "django/forms/widgets/select_option.html"
TEXTAREA = "django/forms/widgets/textarea.html"
INPUT = "django/forms/widgets/input.html"
ATTRS = "django/forms/widgets/attrs.html"
#: The widget templates that are nothing but ``{% include "django/forms/widgets/input.html" %}``.
INPUTS = frozenset(
    f"django/forms/widgets/{kind}.html"
    for kind in (
        "text", "number", "email", "url", "password", "hidden", "date", "datetime", "time",
        "search", "tel", "color", "checkbox", "file",
    )
)  # fmt: skip
_DJANGO_TEMPLATES = Path(django.__file__).parent / "forms" / "templates"


def render_attrs(attrs: Mapping[str, Any]) -> str:
    """Write attributes as ``attrs.html`` does: ``True`` bare, ``False`` left out."""
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            parts.append(f" {conditional_escape(name)}")
        else:
            parts.append(f' {conditional_escape(name)}="{conditional_escape(str(value))}"')
    return "".join(parts)


def render_options(options: Iterable[Mapping[str, Any]]) -> str:
    return "".join(
        f'<option value="{conditional_escape(str(option["value"]))}"'
        f"{render_attrs(option['attrs'])}>{conditional_escape(option['label'])}</option>"
        for option in options
    )


def render_select(widget: Mapping[str, Any]) -> SafeString:
    """The HTML of Django's ``select.html`` for the widget context ``widget``."""
    body = []
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            body.append(
                format_html('<optgroup label="{}">', group_name)
                + render_options(options)
                + "</optgroup>"
            )
        else:
            body.append(render_options(options))
    return mark_safe(  # noqa: S308 - every value above went through conditional_escape
        f'<select name="{conditional_escape(widget["name"])}"{render_attrs(widget["attrs"])}>'
        + "".join(body)
        + "</select>"
    )


def render_input(widget: Mapping[str, Any]) -> SafeString:
    """The HTML of Django's ``input.html`` (and the inputs that include it) for ``widget``."""
    value = widget["value"]
    value_attribute = "" if value is None else f' value="{conditional_escape(str(value))}"'
    return mark_safe(  # noqa: S308 - every value went through conditional_escape
        f'<input type="{conditional_escape(widget["type"])}" '
        f'name="{conditional_escape(widget["name"])}"{value_attribute}'
        f"{render_attrs(widget['attrs'])}>"
    )


def render_textarea(widget: Mapping[str, Any]) -> SafeString:
    """The HTML of Django's ``textarea.html`` for ``widget``."""
    value = widget["value"]
    return mark_safe(  # noqa: S308 - every value went through conditional_escape
        f'<textarea name="{conditional_escape(widget["name"])}"{render_attrs(widget["attrs"])}>'
        f"\n{conditional_escape(value) if value else ''}</textarea>"
    )


class FormRenderer(DjangoTemplates):
    """Django's template renderer with fast paths for common widgets (see the docstring)."""

    def _own(self, *names: str) -> bool:
        """Whether the templates ``names`` are Django's own (not overridden by an app)."""
        for name in names:
            origin = Path(self.get_template(name).origin.name)
            if not origin.is_relative_to(_DJANGO_TEMPLATES):
                return False
        return True

    @cached_property
    def _fast_select(self) -> bool:
        """Whether the select and option templates are Django's own."""
        return self._own(SELECT, OPTION)

    @cached_property
    def _fast_inputs(self) -> frozenset[str]:
        """The input and textarea templates the fast path may stand in for."""
        if not self._own(INPUT, ATTRS):
            return frozenset()
        return frozenset(name for name in (*INPUTS, TEXTAREA) if self._own(name))

    def render(self, template_name: str, context: dict[str, Any], request: Any = None) -> str:
        if template_name == SELECT and self._fast_select:
            widget = context["widget"]
            if all(
                option["template_name"] == OPTION
                for _name, options, _index in widget["optgroups"]
                for option in options
            ):
                return render_select(widget)
        elif template_name in self._fast_inputs:
            if template_name == TEXTAREA:
                return render_textarea(context["widget"])
            return render_input(context["widget"])
        return super().render(template_name, context, request)
