"""The network's figures for reports (registered with reporting)."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Q
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from teilhabe.core.models import Centre
from teilhabe.reporting.registry import Period, register

from .models import Actor, CooperationAgreement, Meeting

GROUP = _("Network")


@register("network.actors", _("Active actors"), group=GROUP)
def active_actors(centre: Centre, period: Period) -> int:
    return Actor.objects.filter(
        centre=centre, is_active=True, created__date__lte=period.end
    ).count()


def _actors_of_kind(kind: str):  # type: ignore[no-untyped-def]
    def compute(centre: Centre, period: Period) -> int:
        return Actor.objects.filter(
            centre=centre, kind=kind, is_active=True, created__date__lte=period.end
        ).count()

    return compute


# Actors by kind. "Active" is as the registry says today: an actor set inactive since the
# month counts in none of its months (the registry keeps no history of that flag).
for _kind in Actor.Kind:
    register(
        f"network.actors.{_kind.value}",
        format_lazy(_("Active actors: {kind}"), kind=_kind.label),
        group=GROUP,
    )(_actors_of_kind(_kind.value))


@register("network.meetings", _("Meetings of working groups"), group=GROUP)
def meetings(centre: Centre, period: Period) -> int:
    return Meeting.objects.filter(
        group__centre=centre, date__range=(period.start, period.end)
    ).count()


@register("network.agreements", _("Cooperation agreements in force"), group=GROUP)
def agreements_in_force(centre: Centre, period: Period) -> int:
    return CooperationAgreement.objects.filter(
        Q(valid_until__isnull=True) | Q(valid_until__gte=period.end),
        centre=centre,
        valid_from__lte=period.end,
    ).count()


@register("network.agreements_ending", _("Agreements ending within 90 days"), group=GROUP)
def agreements_ending(centre: Centre, period: Period) -> int:
    return CooperationAgreement.objects.filter(
        centre=centre,
        valid_from__lte=period.end,
        valid_until__range=(period.end, period.end + timedelta(days=90)),
    ).count()
