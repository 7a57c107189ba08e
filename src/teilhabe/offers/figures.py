"""The offers' figures for reports (registered with reporting).

Statuses are counted as they were at the end of the month: the last step recorded in the
offer's status history (:class:`OfferStatusChange`) before the month was over. An offer without
a recorded step by then (created before the history was kept, or by the demo) counts with its
current status. Offers count from the day they were created.

The LaKI tallies the centres' priorities by rubric: every default rubric (the same for every
centre, by its stable key) has a figure of published offers; a centre's own rubrics count
together as "own rubric".
"""

from __future__ import annotations

import datetime

from django.db.models import F, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from teilhabe.core.models import Centre
from teilhabe.network.models import FieldOfAction
from teilhabe.reporting.registry import Period, register

from .models import DEFAULT_RUBRICS, Offer, OfferStatusChange, stale_before

GROUP = _("Offers")


def _month_over(period: Period) -> datetime.datetime:
    """Return the first moment after ``period`` in the current time zone."""
    following = period.end + datetime.timedelta(days=1)
    return timezone.make_aware(datetime.datetime.combine(following, datetime.time.min))


def with_status_at_end(centre: Centre, period: Period) -> QuerySet[Offer]:
    """Return the offers of ``centre`` that existed in ``period``, with ``status_at_end``."""
    last_step = (
        OfferStatusChange.objects.filter(offer=OuterRef("pk"), at__lt=_month_over(period))
        .order_by("-at", "-pk")
        .values("to_status")[:1]
    )
    return Offer.objects.filter(centre=centre, created__date__lte=period.end).annotate(
        status_at_end=Coalesce(Subquery(last_step), F("status"))
    )


def _published(centre: Centre, period: Period) -> QuerySet[Offer]:
    """Return the offers of ``centre`` published at the end of ``period``."""
    return with_status_at_end(centre, period).filter(status_at_end=Offer.Status.PUBLISHED)


@register("offers.published", _("Published offers at month end"), group=GROUP)
def published(centre: Centre, period: Period) -> int:
    return _published(centre, period).count()


@register("offers.new", _("New offers"), group=GROUP)
def new(centre: Centre, period: Period) -> int:
    return Offer.objects.filter(
        centre=centre, created__date__range=(period.start, period.end)
    ).count()


@register("offers.stale", _("Published offers not verified for too long"), group=GROUP)
def stale(centre: Centre, period: Period) -> int:
    cutoff = stale_before(period.end, centre=centre)
    return _published(centre, period).filter(last_verified__lt=cutoff).count()


def _by_field(field: str):  # type: ignore[no-untyped-def]
    def compute(centre: Centre, period: Period) -> int:
        return _published(centre, period).filter(field_of_action=field).count()

    return compute


for _field in FieldOfAction:
    register(
        f"offers.published.{_field.value}",
        format_lazy(_("Published offers: {field}"), field=_field.label),
        group=GROUP,
    )(_by_field(_field.value))


def _by_status(status: str):  # type: ignore[no-untyped-def]
    def compute(centre: Centre, period: Period) -> int:
        return with_status_at_end(centre, period).filter(status_at_end=status).count()

    return compute


for _status in Offer.Status:
    if _status != Offer.Status.PUBLISHED:  # "offers.published" counts those
        register(
            f"offers.status.{_status.value}",
            format_lazy(_("Offers with status “{status}” at month end"), status=_status.label),
            group=GROUP,
        )(_by_status(_status.value))


def _by_rubric(key: str):  # type: ignore[no-untyped-def]
    def compute(centre: Centre, period: Period) -> int:
        return _published(centre, period).filter(rubric__key=key).count()

    return compute


for _field_value, _rubrics in DEFAULT_RUBRICS.items():
    for _key, _name in _rubrics:
        register(
            f"offers.rubric.{_key}",
            # The rubric's name is data (German), like the rubric itself.
            format_lazy(_("Published offers in the rubric “{rubric}”"), rubric=_name),
            group=GROUP,
        )(_by_rubric(_key))


@register("offers.rubric.own", _("Published offers in a rubric of the centre's own"), group=GROUP)
def in_own_rubric(centre: Centre, period: Period) -> int:
    return _published(centre, period).filter(rubric__centre__isnull=False).count()


@register("offers.rubric.none", _("Published offers without a rubric"), group=GROUP)
def without_rubric(centre: Centre, period: Period) -> int:
    return _published(centre, period).filter(rubric__isnull=True).count()
