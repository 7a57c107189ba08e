"""``{% load i18n %}``: a fixed ``{% translate %}`` text is translated once per language."""

from __future__ import annotations

from pathlib import Path
from unittest import mock

from django.template import Context, Engine, Template, engines
from django.templatetags.i18n import TranslateNode
from django.utils import autoreload, translation

from teilhabe.core.i18n_library import FixedTranslateNode


def render(source: str, language: str, autoescape: bool = True, **context: object) -> str:
    with translation.override(language):
        return Template("{% load i18n %}" + source).render(Context(context, autoescape=autoescape))


def rendered_by_turns(source: str, **context: object) -> list[str]:
    """The same compiled template rendered in German, English and German again."""
    template = Template("{% load i18n %}" + source)
    out = []
    for language in ("de", "en", "de"):
        with translation.override(language):
            out.append(template.render(Context(context)))
    return out


def test_a_fixed_text_follows_the_active_language_on_every_render():
    assert rendered_by_turns('{% translate "Cases" %}') == ["Fälle", "Cases", "Fälle"]


def test_a_fixed_text_is_rendered_by_django_once_per_language():
    template = Template('{% load i18n %}{% translate "Cases" %}')
    assert isinstance(template.nodelist[-1], FixedTranslateNode)
    with mock.patch.object(TranslateNode, "render", autospec=True, return_value="x") as django:
        for language in ("de", "en", "de", "en"):
            with translation.override(language):
                template.render(Context())
    assert django.call_count == 2


def test_the_message_context_chooses_the_translation():
    assert rendered_by_turns('{% translate "Minutes" context "duration" %}') == [
        "Minuten",
        "Minutes",
        "Minuten",
    ]
    assert render('{% translate "Minutes" %}', "de") == "Protokoll"


def test_a_text_kept_as_a_variable_is_set_on_every_render():
    source = '{% translate "Cases" as label %}[{{ label }}]'
    assert rendered_by_turns(source) == ["[Fälle]", "[Cases]", "[Fälle]"]


def test_the_output_is_djangos_with_and_without_autoescape():
    django = Engine(libraries={"i18n": "django.templatetags.i18n"})
    for source in ('{% translate "<b>Cases & more</b>" %}', '{% translate "Cases" noop %}'):
        ours = Template("{% load i18n %}" + source)
        theirs = django.from_string("{% load i18n %}" + source)
        for autoescape in (True, False, True):
            with translation.override("de"):
                context = {"autoescape": autoescape}
                assert ours.render(Context(**context)) == theirs.render(Context(**context))


def test_texts_with_a_variable_a_filter_or_a_variable_context_stay_djangos():
    for source in (
        "{% translate term %}",
        '{% translate "Cases"|upper %}',
        '{% translate "Minutes" context kind %}',
    ):
        node = Template("{% load i18n %}" + source).nodelist[-1]
        assert isinstance(node, TranslateNode), source
    assert rendered_by_turns("{% translate term %}", term="Cases") == ["Fälle", "Cases", "Fälle"]
    assert render('{% translate "Minutes" context kind %}', "de", kind="duration") == "Minuten"
    assert render('{% translate "Cases"|upper %}', "de") == "FÄLLE"


def test_a_changed_catalogue_is_read_again():
    template = Template('{% load i18n %}{% translate "Cases" %}')
    with mock.patch.object(TranslateNode, "render", autospec=True, return_value="x") as django:
        with translation.override("de"):
            template.render(Context())
            autoreload.file_changed.send(sender=None, file_path=Path("core/locale/de/x.po"))
            template.render(Context())
            assert django.call_count == 1  # a .po file is not what is read
            autoreload.file_changed.send(sender=None, file_path=Path("core/locale/de/x.mo"))
            template.render(Context())
    assert django.call_count == 2


def test_djangos_other_i18n_tags_and_filters_are_there():
    source = (
        "{% get_current_language as lang %}{{ lang }} "
        "{% blocktranslate count counter=2 %}{{ counter }} case{% plural %}{{ counter }} cases"
        "{% endblocktranslate %} "
        '{{ "de"|language_name_local }}'
    )
    assert render(source, "de") == "de 2 Fälle Deutsch"


def test_only_i18n_is_a_library_name_used_twice():
    # templates.W003 is silenced for the deliberate "i18n"; any other name used by two modules
    # would make {% load %} pick one of them silently.
    warnings = [e for e in engines["django"].check() if e.id == "templates.W003"]
    assert [w.msg.split(" is used")[0] for w in warnings] == ["'i18n'"]
    assert "teilhabe.core.i18n_library" in warnings[0].msg
