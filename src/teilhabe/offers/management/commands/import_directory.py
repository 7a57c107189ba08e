import difflib
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_scopes import scope

from teilhabe.core.models import Centre, User
from teilhabe.core.spreadsheets import SpreadsheetError, read_rows
from teilhabe.offers.importing import KINDS


class Command(BaseCommand):
    help = (
        "Import actors or offers of a centre from a CSV or XLSX file and print the report. "
        "The import runs with the permissions of --user and is recorded as that person's."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("centre", help="short name (slug) of the centre, e.g. coesfeld")
        parser.add_argument("kind", choices=sorted(KINDS), help="what the file contains")
        parser.add_argument("file", help="path of the .csv or .xlsx file")
        parser.add_argument(
            "--user",
            required=True,
            help="e-mail of the member of the centre the import acts for (e.g. its administration)",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="check the file and report, save nothing"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        slug = options["centre"]
        centre = Centre.objects.filter(slug=slug).first()
        if centre is None:
            slugs = list(Centre.objects.values_list("slug", flat=True))
            close = difflib.get_close_matches(slug, slugs, n=3)
            hint = f" Did you mean: {', '.join(close)}?" if close else ""
            raise CommandError(f'There is no centre with the short name "{slug}".{hint}')
        acting = User.objects.filter(email__iexact=options["user"], is_active=True).first()
        if acting is None:
            raise CommandError(f'There is no active user "{options["user"]}".')
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f'There is no file "{path}".')
        kind = KINDS[options["kind"]]
        try:
            rows = read_rows(path, path.name, required=kind.required)
        except SpreadsheetError as error:
            raise CommandError(error.message) from None
        with scope(centre=[centre.pk]):
            try:
                report = kind.run(acting, centre, rows, dry_run=options["dry_run"])
            except PermissionDenied:
                raise CommandError(
                    f"{acting.email} may not import {options['kind']} in {centre}."
                ) from None
        if hasattr(self.stdout, "reconfigure"):  # the real standard output: always UTF-8
            self.stdout.reconfigure(encoding="utf-8")
        self.stdout.write(report.as_text())
