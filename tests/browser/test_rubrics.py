"""Rubrics: administration adds an own rubric; the offer form offers the chosen field's only."""

from __future__ import annotations

import pytest

from teilhabe.core.demo import DEMO_PASSWORD, load_demo

from .support import Tab

pytestmark = pytest.mark.browser


def _groups(tab: Tab) -> dict[str, bool]:
    """Return each optgroup of the rubric select by label: whether it can be chosen."""
    return tab.page.locator("#id_rubric optgroup").evaluate_all(
        "groups => Object.fromEntries(groups.map(g => [g.label, !g.disabled]))"
    )


def test_an_own_rubric_is_offered_in_its_field_only(tab: Tab):
    load_demo()
    tab.log_in("admin@coesfeld.demo", DEMO_PASSWORD)
    tab.goto("/angebote/rubriken/")
    tab.page.locator("#id_field_of_action").select_option("education")
    tab.page.locator("#id_name").fill("Lesepatenschaften")
    tab.submit("main form.form-grid")
    assert "Lesepatenschaften" in tab.page.locator("main table").first.inner_text()
    tab.check("rubrics-own-added")

    tab.goto("/angebote/neu/")
    tab.page.locator("#id_field_of_action").select_option("education")
    groups = _groups(tab)
    assert groups["Integration durch Bildung"] is True
    assert groups["Integration als Querschnittsaufgabe"] is False
    tab.page.locator("#id_rubric").select_option(label="Lesepatenschaften")
    assert tab.page.locator("#id_rubric").input_value() != ""

    # Another field: the chosen rubric no longer fits and is cleared.
    tab.page.locator("#id_field_of_action").select_option("cross_cutting")
    assert tab.page.locator("#id_rubric").input_value() == ""
    assert _groups(tab)["Integration als Querschnittsaufgabe"] is True
    tab.check("offer-form-rubrics")
