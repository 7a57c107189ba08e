"""``{% id_url %}``: a URL of one integer id, reversed once, the same as ``{% url %}``."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.template import Context, Template
from django.urls import NoReverseMatch, reverse, set_script_prefix

import teilhabe
from teilhabe.core.navigation import id_url

TAG = re.compile(r"\{% id_url '([\w:-]+)' ")


def names_used_in_templates() -> set[str]:
    found: set[str] = set()
    for path in Path(teilhabe.__file__).parent.rglob("templates/**/*.html"):
        found.update(TAG.findall(path.read_text(encoding="utf-8")))
    return found


def test_the_templates_use_it():
    assert "cases:case-update" in names_used_in_templates()


@pytest.mark.parametrize("name", sorted(names_used_in_templates()))
def test_every_url_in_the_templates_is_the_one_django_reverses(name):
    for pk in (0, 7, 2026, 10**12):
        assert id_url(name, pk) == reverse(name, args=[pk])


def test_the_tag_gives_the_same_url_as_the_url_tag():
    source = (
        "{% load teilhabe %}{% id_url 'cases:case-update' case.pk %}|"
        "{% url 'cases:case-update' case.pk %}"
    )
    ours, djangos = Template(source).render(Context({"case": {"pk": 42}})).split("|")
    assert ours == djangos == "/faelle/42/bearbeiten/"


def test_the_script_prefix_is_kept():
    try:
        set_script_prefix("/teilhabe/")
        assert id_url("cases:case-detail", 5) == "/teilhabe/faelle/5/"
    finally:
        set_script_prefix("/")
    assert id_url("cases:case-detail", 5) == "/faelle/5/"


def test_what_is_no_id_is_left_to_django():
    with pytest.raises(NoReverseMatch):
        id_url("cases:case-detail", -1)
    with pytest.raises(NoReverseMatch):
        id_url("cases:case-detail", "x")
    with pytest.raises(NoReverseMatch):
        id_url("cases:case-list", 1)  # a URL without an id
