"""``teilhabe figures`` without data of the apps (the tests with data: tests/test_figures.py)."""

from __future__ import annotations

import time

import pytest
from django.core.management import CommandError, call_command

from teilhabe.reporting.models import FigureValue
from teilhabe.reporting.registry import Metric, Period
from teilhabe.reporting.services import compute_figures, read_figures

pytestmark = pytest.mark.django_db


def test_the_command_names_an_unknown_centre_and_month():
    with pytest.raises(CommandError, match="short name"):
        call_command("figures", centre="nirgendwo")
    with pytest.raises(CommandError, match="YYYY-MM"):
        call_command("figures", month="10/2026")


def _counting_metric(calls: list[int]) -> Metric:
    def compute(centre, period: Period) -> int:
        calls.append(centre.pk)
        return 3

    return Metric("test.counted", "counted", "", compute, about_people=True)


def test_a_spent_time_budget_leaves_the_rest_missing(centre, other_centre):
    calls: list[int] = []
    metric = _counting_metric(calls)
    run = compute_figures(Period(2026, 10), metrics=[metric], deadline=time.monotonic() - 1)
    assert (run.computed, run.left, calls) == (0, 2, [])
    run = compute_figures(Period(2026, 10), metrics=[metric])
    assert (run.computed, run.left, len(calls)) == (2, 0, 2)
    assert FigureValue.objects.filter(metric="test.counted", value=3).count() == 2


def test_a_page_reads_what_is_stored_and_computes_only_what_is_missing(centre, other_centre):
    calls: list[int] = []
    metric = _counting_metric(calls)
    october = Period(2026, 10)
    compute_figures(october, [centre], [metric])
    table = read_figures([october], [centre, other_centre], [metric])
    assert calls == [centre.pk, other_centre.pk]
    assert table.get(other_centre, metric, october) == 3 and table.missing == 0
    table = read_figures([october], [centre, other_centre], [metric], on_demand_seconds=0)
    assert len(calls) == 2 and table.computed_now == 0
