"""Stored monthly figures: what the registry's metrics counted, kept per centre and month."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from teilhabe.core.models import Centre


class FigureValue(models.Model):
    """One metric's value for one centre in one month, as ``teilhabe figures`` stored it.

    Aggregates only (no person behind a row); the pages suppress small cells when they show
    them outside the centre.
    """

    centre = models.ForeignKey(Centre, on_delete=models.CASCADE, related_name="+")
    #: The metric's registered name (``cases.new``).
    metric = models.CharField(_("figure"), max_length=120)
    year = models.PositiveSmallIntegerField(_("year"))
    month = models.PositiveSmallIntegerField(_("month"))
    value = models.BigIntegerField(_("value"))
    computed_at = models.DateTimeField(_("computed at"))

    class Meta:
        verbose_name = _("stored figure")
        verbose_name_plural = _("stored figures")
        constraints = [
            models.UniqueConstraint(
                fields=["centre", "metric", "year", "month"], name="figure_value_unique"
            )
        ]
        # The statewide page reads one month of some metrics for every centre.
        indexes = [models.Index(fields=["year", "month", "metric"], name="figure_value_month")]

    def __str__(self) -> str:
        return f"{self.metric} {self.month:02d}/{self.year}: {self.value}"
