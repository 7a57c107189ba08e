"""The offers' figures for reports (registered with reporting).

Status is kept as it is now, not as it was: "published" counts offers published today that
existed at the end of the month.
"""

from __future__ import annotations

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from teilhabe.core.models import Centre
from teilhabe.network.models import FieldOfAction
from teilhabe.reporting.registry import Period, register

from .models import Offer, stale_before

GROUP = _("Offers")


def _published(centre: Centre, period: Period):  # type: ignore[no-untyped-def]
    return Offer.objects.filter(
        centre=centre, status=Offer.Status.PUBLISHED, created__date__lte=period.end
    )


@register("offers.published", _("Published offers"), group=GROUP)
def published(centre: Centre, period: Period) -> int:
    return _published(centre, period).count()


@register("offers.new", _("New offers"), group=GROUP)
def new(centre: Centre, period: Period) -> int:
    return Offer.objects.filter(
        centre=centre, created__date__range=(period.start, period.end)
    ).count()


@register("offers.stale", _("Published offers not verified for too long"), group=GROUP)
def stale(centre: Centre, period: Period) -> int:
    return _published(centre, period).filter(last_verified__lt=stale_before(period.end)).count()


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
        return Offer.objects.filter(
            centre=centre, status=status, created__date__lte=period.end
        ).count()

    return compute


for _status in Offer.Status:
    if _status != Offer.Status.PUBLISHED:  # "offers.published" counts those
        register(
            f"offers.status.{_status.value}",
            format_lazy(_("Offers with status “{status}”"), status=_status.label),
            group=GROUP,
        )(_by_status(_status.value))
