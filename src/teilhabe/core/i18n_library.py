"""Django's ``i18n`` template library, with a fixed ``{% translate "…" %}`` translated once.

``TEMPLATES["OPTIONS"]["libraries"]`` loads this module for ``{% load i18n %}``. Every tag and
filter is Django's own; only ``translate`` (and its old name ``trans``) of a fixed text
changes. Django translates such a text anew on every render: a lazy string is made, forced,
localised and escaped, some 10 µs each. A case file has more than a hundred of them, and the
base template a dozen on every page. The text depends on nothing but the active language and
on autoescaping, so the node keeps what Django's node renders for each of the two, and gives
it back from then on. Texts with a variable, a filter or a variable context are Django's as
they are.

A changed ``.mo`` file (``runserver`` reloads the catalogues without restarting) starts over.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.template import Library, Node, Variable
from django.templatetags import i18n as django_i18n
from django.utils import autoreload, translation

register = Library()
register.tags.update(django_i18n.register.tags)
register.filters.update(django_i18n.register.filters)

#: Raised when the translation catalogues are read again; what nodes kept before is stale.
_catalogues = {"generation": 0}


def _catalogue_changed(sender: Any, file_path: Path, **kwargs: Any) -> None:
    if Path(file_path).suffix == ".mo":
        _catalogues["generation"] += 1


autoreload.file_changed.connect(_catalogue_changed, dispatch_uid="teilhabe-fixed-translations")


def is_fixed(node: django_i18n.TranslateNode) -> bool:
    """Return whether ``node`` renders the same text in a language wherever it stands."""
    text = node.filter_expression
    if text.filters or not isinstance(text.var, Variable) or text.var.lookups is not None:
        return False
    context = node.message_context
    return context is None or (not context.filters and not isinstance(context.var, Variable))


class FixedTranslateNode(Node):
    """A ``TranslateNode`` of a fixed text, rendered once per language and autoescaping."""

    child_nodelists = ()

    def __init__(self, node: django_i18n.TranslateNode) -> None:
        self.node = node
        self.asvar = node.asvar
        self.rendered: dict[tuple[int, str | None, bool], str] = {}

    def render(self, context: Any) -> str:
        key = (_catalogues["generation"], translation.get_language(), context.autoescape)
        try:
            value = self.rendered[key]
        except KeyError:
            value = self.node.render(context)
            if self.asvar:
                value = context[self.asvar]
            self.rendered[key] = value
        if self.asvar:
            context[self.asvar] = value
            return ""
        return value


@register.tag("translate")
@register.tag("trans")
def do_translate(parser: Any, token: Any) -> Node:
    node = django_i18n.do_translate(parser, token)
    return FixedTranslateNode(node) if is_fixed(node) else node
