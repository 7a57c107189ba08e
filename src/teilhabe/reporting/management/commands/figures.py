"""``teilhabe figures``: compute and store the monthly figures of every centre (cron)."""

from __future__ import annotations

import difflib
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from teilhabe.core.models import Centre
from teilhabe.reporting.registry import Period
from teilhabe.reporting.services import compute_figures


def _month(value: str) -> Period:
    try:
        year, month = (int(part) for part in value.split("-"))
        if 2000 <= year <= 2100 and 1 <= month <= 12:
            return Period(year, month)
    except ValueError:
        pass
    raise CommandError(f'"{value}" is not a month in the form YYYY-MM.')


class Command(BaseCommand):
    help = (
        "Compute and store the monthly figures of every centre for the reporting pages. "
        "Without --month: the previous and the current month. Values computed after their month "
        "was over are final and kept; values of a running month are computed again once they "
        "are older than TEILHABE_FIGURES_MAX_AGE_MINUTES; missing values are computed. "
        "-v 2 prints a line per centre."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--month", help="the month YYYY-MM; default: the current month")
        parser.add_argument(
            "--months",
            type=int,
            help="this many months up to --month (default: 1 with --month, else 2)",
        )
        parser.add_argument("--centre", help="short name (slug) of one centre; default: all")
        parser.add_argument(
            "--recompute",
            action="store_true",
            help="compute every value again, final ones too (after data of a closed month "
            "was corrected)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        last = (
            _month(options["month"])
            if options["month"]
            else Period.containing(timezone.localdate())
        )
        count = options["months"] or (1 if options["month"] else 2)
        if count < 1:
            raise CommandError("--months must be at least 1.")
        periods = [last]
        for _i in range(count - 1):
            periods.insert(0, periods[0].previous())
        centres = [self._centre(options["centre"])] if options["centre"] else None
        verbose = options["verbosity"] >= 2

        def progress(centre: Centre, computed: int, seconds: float) -> None:
            self.stdout.write(f"  {centre.slug}: {computed} values, {seconds:.1f} s")

        for period in periods:
            run = compute_figures(
                period,
                centres,
                recompute=options["recompute"],
                progress=progress if verbose else None,
            )
            self.stdout.write(
                f"{period.year}-{period.month:02d}: {run.centres} centres, "
                f"{run.computed} values computed, {run.kept} kept, {run.seconds:.1f} s"
            )

    def _centre(self, slug: str) -> Centre:
        centre = Centre.objects.filter(slug=slug).first()
        if centre is None:
            slugs = list(Centre.objects.values_list("slug", flat=True))
            close = difflib.get_close_matches(slug, slugs, n=3)
            hint = f" Did you mean: {', '.join(close)}?" if close else ""
            raise CommandError(f'There is no centre with the short name "{slug}".{hint}')
        return centre
