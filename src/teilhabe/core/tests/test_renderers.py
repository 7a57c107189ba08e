"""The fast widget rendering gives the same HTML as Django's templates."""

from __future__ import annotations

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.test import SimpleTestCase
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from teilhabe.core.renderers import _DJANGO_TEMPLATES, INPUT, INPUTS, FormRenderer


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

    Custom = _overriding("select_option.html", tmp_path)
    assert Custom()._fast_select is False
    assert FormRenderer()._fast_select is True


def test_the_project_uses_the_renderer(settings) -> None:
    from django.forms.renderers import get_default_renderer

    assert settings.FORM_RENDERER == "teilhabe.core.renderers.FormRenderer"
    assert isinstance(get_default_renderer(), FormRenderer)


class Inputs(forms.Form):
    text = forms.CharField(max_length=20, help_text="h", widget=forms.TextInput(attrs={"x": 1}))
    number = forms.IntegerField(min_value=1, required=False)
    decimal = forms.DecimalField(decimal_places=2, required=False)
    email = forms.EmailField(required=False)
    url = forms.URLField(required=False, assume_scheme="https")
    password = forms.CharField(widget=forms.PasswordInput(render_value=True), required=False)
    hidden = forms.CharField(widget=forms.HiddenInput, required=False)
    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), required=False)
    when = forms.DateTimeField(required=False)
    time = forms.TimeField(required=False)
    flag = forms.BooleanField(required=False)
    upload = forms.FileField(required=False)
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 3, "disabled": True}))
    empty_notes = forms.CharField(widget=forms.Textarea, required=False)
    readonly = forms.CharField(disabled=True, initial=mark_safe("<b>safe</b>"), required=False)


INPUT_DATA = {
    "text": 'Ada "<b>" & Co',
    "number": "0",
    "decimal": "1.5",
    "email": "a@b",
    "url": "javascript:alert(1)",
    "password": "<secret>",
    "hidden": "'quoted'",
    "date": "2026-02-30",
    "when": "2026-11-21 10:00",
    "time": "25:00",
    "flag": "on",
    "notes": "Zeile 1\n</textarea><script>x</script>",
    "empty_notes": "",
}


@pytest.mark.parametrize("name", list(Inputs.base_fields))
@pytest.mark.parametrize("data", [None, INPUT_DATA], ids=["unbound", "bound"])
def test_input_and_textarea_html_is_the_templates_html(name: str, data: dict | None) -> None:
    """Unbound, with values, with invalid values and errors: what Django's templates write."""
    form = Inputs(data, renderer=DjangoTemplates(), initial={"text": "Anfang & Ende"})
    fast = Inputs(data, renderer=FormRenderer(), initial={"text": "Anfang & Ende"})
    assert str(fast[name]) == str(form[name])


def test_input_values_are_escaped() -> None:
    html = str(Inputs(INPUT_DATA, renderer=FormRenderer())["text"])
    assert 'value="Ada &quot;&lt;b&gt;&quot; &amp; Co"' in html
    notes = str(Inputs(INPUT_DATA, renderer=FormRenderer())["notes"])
    assert "&lt;/textarea&gt;&lt;script&gt;" in notes
    assert "<script>" not in notes


def test_the_inputs_of_the_fast_path_are_django_s_input_template() -> None:
    """The fast path writes ``input.html`` for these templates: each must be only that."""
    for name in INPUTS:
        source = (_DJANGO_TEMPLATES / name).read_text().strip()
        assert source == f'{{% include "{INPUT}" %}}', name


def test_an_overridden_input_template_is_rendered(tmp_path) -> None:
    Custom = _overriding("/input.html", tmp_path)
    assert Custom()._fast_inputs == frozenset()
    assert "django/forms/widgets/text.html" in FormRenderer()._fast_inputs


def _overriding(suffix: str, tmp_path) -> type[FormRenderer]:
    """A renderer as if an app overrode the widget template ending in ``suffix``."""

    class Custom(FormRenderer):
        def get_template(self, template_name):
            template = super().get_template(template_name)
            if template_name.endswith(suffix):
                template.origin.name = str(tmp_path / suffix.lstrip("/"))
            return template

    return Custom
