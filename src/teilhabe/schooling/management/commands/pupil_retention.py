"""``teilhabe pupil_retention``: delete pupil records whose retention period has ended (daily)."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from teilhabe.schooling.retention import PupilRetentionReport, run_pupil_retention


def _day(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f'"{value}" is not a date in the form YYYY-MM-DD.') from error


class Command(BaseCommand):
    help = (
        "Delete the records of newcomer pupils whose retention period has ended "
        "(TEILHABE_PUPIL_RETENTION_YEARS after the first school day or the end of the record). "
        "Try it with --dry-run first."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="only list what would be deleted"
        )
        parser.add_argument(
            "--today", help="run as if it were this day (YYYY-MM-DD); default: today"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        today = _day(options["today"]) if options["today"] else None
        report = run_pupil_retention(today=today, dry_run=options["dry_run"])
        self._print(report)

    def _print(self, report: PupilRetentionReport) -> None:
        for row in report.rows:
            removed = ", ".join(f"{kind} {number}" for kind, number in row.removed.items())
            self.stdout.write(
                f"{row.centre}  pupil {row.pupil_id}  {row.status}  since {row.reference_day}  "
                f"due {row.due_on}  {row.outcome}  {removed or '-'}"
            )
        verb = "would be deleted" if report.dry_run else "deleted"
        summary = (
            f"{'Dry run' if report.dry_run else 'Run'} for {report.today} "
            f"({report.years} years): {report.deleted} pupil record(s) {verb}, "
            f"{report.blocked} blocked."
        )
        if report.dry_run:
            summary += " Nothing was changed."
        self.stdout.write(summary)
