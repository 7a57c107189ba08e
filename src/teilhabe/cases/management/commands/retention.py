"""``teilhabe retention``: erase closed cases whose deletion date has come (daily)."""

from __future__ import annotations

import datetime
import difflib
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_scopes import scopes_disabled

from teilhabe.cases.retention import RetentionReport, run_retention
from teilhabe.core.models import Centre


def _day(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f'"{value}" is not a date in the form YYYY-MM-DD.') from error


class Command(BaseCommand):
    help = (
        "Erase closed cases whose deletion date has come (cases under legal hold are kept) "
        "and write the erasure journal. Try it with --dry-run first."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="only list what would be erased; nothing is changed or journaled",
        )
        parser.add_argument("--centre", help="short name (slug) of one centre; default: all")
        parser.add_argument(
            "--today", help="run as if it were this day (YYYY-MM-DD); default: today"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        today = _day(options["today"]) if options["today"] else None
        with scopes_disabled():
            centre = self._centre(options["centre"]) if options["centre"] else None
            report = run_retention(today=today, dry_run=options["dry_run"], centre=centre)
        self._print(report)

    def _centre(self, slug: str) -> Centre:
        centre = Centre.objects.filter(slug=slug).first()
        if centre is None:
            slugs = list(Centre.objects.values_list("slug", flat=True))
            close = difflib.get_close_matches(slug, slugs, n=3)
            hint = f" Did you mean: {', '.join(close)}?" if close else ""
            raise CommandError(f'There is no centre with the short name "{slug}".{hint}')
        return centre

    def _print(self, report: RetentionReport) -> None:
        header = ("Centre", "Case", "Closed", "Due", "Outcome", "Removed")
        lines = [
            (
                row.centre.slug,
                row.reference,
                row.closed_on.isoformat() if row.closed_on else "-",
                row.erase_on.isoformat(),
                row.outcome,
                ", ".join(f"{kind} {number}" for kind, number in row.removed.items()) or "-",
            )
            for row in report.rows
        ]
        if lines:
            widths = [max(len(str(line[i])) for line in [header, *lines]) for i in range(5)]
            for line in [header, *lines]:
                cells = [str(cell).ljust(width) for cell, width in zip(line, widths, strict=False)]
                self.stdout.write("  ".join([*cells, line[5]]).rstrip())
        if report.dry_run:
            summary = (
                f"Dry run for {report.today}: {report.erased} case(s) would be erased, "
                f"{report.held} kept under legal hold, {report.blocked} blocked. "
                "Nothing was changed."
            )
        else:
            summary = (
                f"Run {report.run_id} for {report.today}: {report.erased} case(s) erased, "
                f"{report.held} kept under legal hold, {report.blocked} blocked."
            )
        self.stdout.write(summary)
