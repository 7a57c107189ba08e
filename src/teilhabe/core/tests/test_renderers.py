"""The fast select rendering gives the same HTML as Django's templates."""

from __future__ import annotations

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.test import SimpleTestCase
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from teilhabe.core.renderers import FormRenderer


class Sample(forms.Form):
    plain = forms.ChoiceField(
        choices=[("", "–"), ("a", "Alpha & <b>"), ("q", 'Quote " mark'), (3, "Three")]
    )
    grouped = forms.ChoiceField(
        choices=[
            ("Münsterland", [("1", "Coesfeld"), ("2", "Dülmen")]),
            ("<Rheinland>", [("3", mark_safe("<em>Köln</em>"))]),
            ("4", gettext_lazy("Cases")),
        ]
    )
    several = forms.MultipleChoiceField(
        choices=[("x", "X"), ("y", "Y"), ("z", "Z")],
        widget=forms.SelectMultiple(attrs={"class": "kern-form-input__select", "size": 3}),
    )
    disabled = forms.ChoiceField(choices=[("a", "A")], disabled=True, required=False)


DATA = {"plain": "q", "grouped": "2", "several": ["x", "z"], "disabled": "a"}


@pytest.mark.parametrize("name", ["plain", "grouped", "several", "disabled"])
@pytest.mark.parametrize("data", [None, DATA])
def test_select_html_is_the_templates_html(name: str, data: dict | None) -> None:
    form = Sample(data, renderer=DjangoTemplates())
    expected = str(form[name])
    fast = Sample(data, renderer=FormRenderer())
    SimpleTestCase().assertHTMLEqual(str(fast[name]), expected)
    assert "<select" in expected


def test_labels_and_values_are_escaped() -> None:
    html = str(Sample(renderer=FormRenderer())["plain"])
    assert "Alpha &amp; &lt;b&gt;" in html
    assert 'value="q">Quote &quot; mark</option>' in html
    # a safe label is kept as it is, as the template keeps it
    assert "<em>Köln</em>" in str(Sample(renderer=FormRenderer())["grouped"])
    assert '<optgroup label="&lt;Rheinland&gt;">' in str(Sample(renderer=FormRenderer())["grouped"])


def test_selected_options_are_marked() -> None:
    html = str(Sample(DATA, renderer=FormRenderer())["several"])
    assert '<option value="x" selected>X</option>' in html
    assert '<option value="y">Y</option>' in html
    assert " multiple" in html


def test_an_overridden_option_template_is_rendered(tmp_path, settings) -> None:
    """An app that overrides the option template gets its template, not the fast path."""

    class Custom(FormRenderer):
        def get_template(self, template_name):  # pretend an app overrides the option template
            template = super().get_template(template_name)
            if template_name.endswith("select_option.html"):
                template.origin.name = str(tmp_path / "select_option.html")
            return template

    assert Custom()._fast_select is False
    assert FormRenderer()._fast_select is True


def test_the_project_uses_the_renderer(settings) -> None:
    from django.forms.renderers import get_default_renderer

    assert settings.FORM_RENDERER == "teilhabe.core.renderers.FormRenderer"
    assert isinstance(get_default_renderer(), FormRenderer)
