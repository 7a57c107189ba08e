"""The template tags written in Python give the HTML of the partials they stand in for."""

from __future__ import annotations

import pytest
from django import forms
from django.template import Context, Template
from django.template.loader import get_template
from django.utils.safestring import mark_safe
from django.utils.translation import override

from teilhabe.core.navigation import cached_reverse
from teilhabe.core.templatetags.teilhabe import kern_field


class Sample(forms.Form):
    text = forms.CharField(label="Name & <b>", help_text="Wie im <Pass>", max_length=10)
    optional = forms.CharField(label="Optional", required=False)
    number = forms.IntegerField(label="Zahl", min_value=1, required=False)
    notes = forms.CharField(label="Notiz", widget=forms.Textarea, help_text=mark_safe("<i>ok</i>"))
    choice = forms.ChoiceField(
        label="Wahl", choices=[("", "–"), ("a", "Alpha & <b>")], required=False
    )
    several = forms.MultipleChoiceField(label="Mehrere", choices=[("x", "X"), ("y", "Y")])
    radio = forms.ChoiceField(
        label="Radio", choices=[("1", "Eins"), ("2", "Zwei")], widget=forms.RadioSelect
    )
    boxes = forms.MultipleChoiceField(
        label="Kästchen",
        choices=[("1", "Eins")],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Hilfe",
    )
    flag = forms.BooleanField(label="Ja <bitte>", help_text="Hinweis")
    optional_flag = forms.BooleanField(label="Vielleicht", required=False)
    hidden = forms.CharField(widget=forms.HiddenInput, required=False)
    date = forms.DateField(
        label="Datum", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


INVALID = {"text": "x" * 20, "number": "0", "notes": "", "several": ["q"], "radio": "9"}
VALID = {
    "text": "Ada <",
    "notes": "n",
    "several": ["x"],
    "radio": "1",
    "flag": "on",
    "hidden": 'a"b',
    "date": "2026-01-02",
}


@pytest.mark.parametrize("data", [None, INVALID, VALID], ids=["unbound", "invalid", "valid"])
@pytest.mark.parametrize("hide_optional", [False, True])
@pytest.mark.parametrize("language", ["de", "en"])
def test_kern_field_is_the_field_partial(data, hide_optional, language) -> None:
    form = Sample(data, auto_id="id_%s")
    partial = get_template("core/_field.html")
    with override(language):
        for field in form:
            expected = partial.render({"field": field, "hide_optional": hide_optional})
            assert kern_field(field, hide_optional) == expected, field.name


SORT_HEADER = get_template("core/_sort_header.html")


@pytest.mark.parametrize("sort", ["name", "-name", "phase", "", None])
@pytest.mark.parametrize("sort_base", ["", "phase=open&mine=on", "q=%3Cb%3E", None])
def test_sort_header_is_the_sort_header_partial(sort, sort_base) -> None:
    values = {"sort": sort, "sort_base": sort_base}
    context = {k: v for k, v in values.items() if v is not None}
    expected = SORT_HEADER.render({**context, "key": "name", "label": "Name & <Vorname>"})
    tag = Template('{% load teilhabe %}{% sort_header "name" label %}')
    html = tag.render(Context({**context, "label": "Name & <Vorname>"}))
    assert html + "\n" == expected


@pytest.mark.parametrize("name", ["core:home", "set_language", "account_logout", "mfa_index"])
def test_fixed_url_is_the_url_tag(name) -> None:
    url = Template(f"{{% url '{name}' %}}").render(Context())
    assert cached_reverse(name) == url
    fixed = Template(f"{{% load teilhabe %}}{{% fixed_url '{name}' %}}").render(Context())
    assert fixed == url
