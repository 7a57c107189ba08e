"""The template tags written in Python: a form field in KERN UX markup, sort headers, URLs."""

from __future__ import annotations

import re

import pytest
from django import forms
from django.template import Context, Template
from django.utils.safestring import mark_safe
from django.utils.translation import override
from pytest_django.asserts import assertHTMLEqual, assertInHTML

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
    radio = forms.ChoiceField(
        label="Radio", choices=[("1", "Eins"), ("2", "Zwei")], widget=forms.RadioSelect
    )
    boxes = forms.MultipleChoiceField(
        label="Kästchen",
        choices=[("1", "Eins"), ("2", "Zwei & <drei>")],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Hilfe",
    )
    nothing = forms.MultipleChoiceField(
        label="Leer", choices=[], widget=forms.CheckboxSelectMultiple, required=False
    )
    flag = forms.BooleanField(label="Ja <bitte>", help_text="Hinweis")
    hidden = forms.CharField(widget=forms.HiddenInput, required=False)


INVALID = {"text": "x" * 20, "number": "0", "notes": "", "radio": "9", "boxes": ["2"]}


def field(name: str, data: dict | None = None, **kwargs) -> str:
    return kern_field(Sample(data, auto_id="id_%s")[name], **kwargs)


def test_a_required_field_has_its_label_hint_and_input() -> None:
    html = field("text")
    assertInHTML('<label class="kern-label" for="id_text">Name &amp; &lt;b&gt;</label>', html)
    assertInHTML('<div class="kern-hint" id="id_text_helptext">Wie im &lt;Pass&gt;</div>', html)
    assert 'class="kern-form-input__input"' in html
    assert 'aria-describedby="id_text_helptext"' in html
    assert "kern-error" not in html
    assert html.startswith('\n<div class="kern-form-input">')


@pytest.mark.parametrize(("language", "word"), [("de", "optional"), ("en", "optional")])
def test_an_optional_field_says_so_unless_the_form_hides_it(language, word) -> None:
    with override(language):
        shown = field("optional")
        hidden = field("optional", hide_optional=True)
    assertInHTML(
        f'<label class="kern-label" for="id_optional">Optional '
        f'<span class="kern-label__optional">– {word}</span></label>',
        shown,
    )
    assert "kern-label__optional" not in hidden
    assert "kern-label__optional" not in field("text")


def test_errors_are_written_above_the_input_and_mark_it() -> None:
    with override("de"):
        html = field("number", INVALID)
    error = r'<p class="kern-error" id="id_number_error" role="alert">([^<]+)</p>'
    errors = re.findall(error, html)
    assert errors == ["Dieser Wert muss größer oder gleich 1 sein."]
    assert html.index("kern-error") < html.index("<input")
    assert 'class="kern-form-input kern-form-input--error"' in html
    assert "kern-form-input__input--error" in html
    assert 'aria-invalid="true"' in html


def test_a_select_sits_in_its_wrapper_and_a_textarea_keeps_safe_help() -> None:
    assertInHTML(
        '<div class="kern-form-input__select-wrapper"><select name="choice" '
        'class="kern-form-input__select" id="id_choice"><option value="" selected>–</option>'
        '<option value="a">Alpha &amp; &lt;b&gt;</option></select></div>',
        field("choice"),
    )
    assertInHTML('<div class="kern-hint" id="id_notes_helptext"><i>ok</i></div>', field("notes"))


def test_a_checkbox_has_its_label_after_the_box() -> None:
    html = field("flag")
    assert html.index('type="checkbox"') < html.index('<label class="kern-label" for="id_flag">')
    assert 'class="kern-form-check"' in html
    assertInHTML('<div class="kern-hint" id="id_flag_helptext">Hinweis</div>', html)
    invalid = field("flag", {})
    assert 'class="kern-form-check kern-form-check--error"' in invalid
    assert 'role="alert"' in invalid


def test_choices_are_a_fieldset_with_a_legend() -> None:
    html = field("boxes", INVALID)
    assert html.lstrip().startswith('<fieldset class="kern-fieldset"')
    assert 'aria-describedby="id_boxes_helptext"' in html
    assertInHTML(
        '<legend class="kern-label">Kästchen <span class="kern-label__optional">– optional'
        "</span></legend>",
        html,
    )
    assertInHTML(
        '<div class="kern-form-check"><input class="kern-form-check__checkbox" type="checkbox" '
        'name="boxes" value="2" id="id_boxes_1" checked>'
        '<label class="kern-label" for="id_boxes_1">Zwei &amp; &lt;drei&gt;</label></div>',
        html,
    )
    radio = field("radio", INVALID)
    assert "kern-fieldset--error" in radio
    assert 'type="radio"' in radio
    assert 'role="alert"' in radio
    assertInHTML('<p class="empty-state">Noch keine Auswahl verfügbar.</p>', field("nothing"))


def test_a_hidden_field_is_only_its_input() -> None:
    html = field("hidden", {"hidden": 'a"b'})
    assertHTMLEqual(html, '<input type="hidden" name="hidden" value="a&quot;b" id="id_hidden">')


def test_the_tag_in_a_template() -> None:
    form = Sample(auto_id="id_%s")
    html = Template(
        "{% load teilhabe %}{% kern_field form.optional %}{% kern_field form.optional True %}"
    ).render(Context({"form": form}))
    assert html.count("kern-label__optional") == 1


@pytest.mark.parametrize(
    ("sort", "aria", "href"),
    [
        ("name", ' aria-sort="ascending"', "?sort=-name"),
        ("-name", ' aria-sort="descending"', "?sort=name"),
        ("phase", "", "?sort=name"),
        (None, "", "?sort=name"),
    ],
)
def test_sort_header_turns_the_direction_of_its_column(sort, aria, href) -> None:
    tag = Template('{% load teilhabe %}{% sort_header "name" label %}')
    context = {"label": "Name & <Vorname>", **({"sort": sort} if sort else {})}
    assert tag.render(Context(context)) == (
        f'<th class="kern-table__header" scope="col"{aria}><a class="kern-link" '
        f'href="{href}">Name &amp; &lt;Vorname&gt;</a></th>'
    )


def test_sort_header_keeps_the_filters() -> None:
    tag = Template('{% load teilhabe %}{% sort_header "name" "Name" %}')
    html = tag.render(Context({"sort_base": "q=%3Cb%3E&phase=open", "sort": "name"}))
    assert 'href="?q=%3Cb%3E&amp;phase=open&amp;sort=-name"' in html


@pytest.mark.parametrize("name", ["core:home", "set_language", "account_logout", "mfa_index"])
def test_fixed_url_is_the_url_tag(name) -> None:
    url = Template(f"{{% url '{name}' %}}").render(Context())
    assert cached_reverse(name) == url
    fixed = Template(f"{{% load teilhabe %}}{{% fixed_url '{name}' %}}").render(Context())
    assert fixed == url
