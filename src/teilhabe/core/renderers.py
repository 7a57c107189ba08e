"""The form renderer: Django's templates, with selects written directly in Python.

Django renders every ``<option>`` of a select through two template includes. A filter form
with a few hundred options (Gemeinden, agencies, schools) spends most of a list page's time
there. This renderer writes ``<select>`` and its options with ``format_html``, escaping
exactly as the templates do, and leaves every other widget to the templates. It only takes
the fast path while the select and option templates are Django's own: an app that overrides
them gets its templates rendered.
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


class FormRenderer(DjangoTemplates):
    """Django's template renderer, with a fast path for selects (see the module docstring)."""

    @cached_property
    def _fast_select(self) -> bool:
        """Whether the select and option templates are Django's own (not overridden)."""
        for name in (SELECT, OPTION):
            origin = Path(self.get_template(name).origin.name)
            if not origin.is_relative_to(_DJANGO_TEMPLATES):
                return False
        return True

    def render(self, template_name: str, context: dict[str, Any], request: Any = None) -> str:
        if template_name == SELECT and self._fast_select:
            widget = context["widget"]
            if all(
                option["template_name"] == OPTION
                for _name, options, _index in widget["optgroups"]
                for option in options
            ):
                return render_select(widget)
        return super().render(template_name, context, request)
