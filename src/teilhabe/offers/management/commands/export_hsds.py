import difflib
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from teilhabe.core.models import Centre
from teilhabe.offers.hsds import export_all_services, export_services
from teilhabe.offers.models import CONTENT_LANGUAGES


class Command(BaseCommand):
    help = (
        "Write the published offers of a centre (or with --all of every centre) as Open "
        "Referral HSDS 3.0 services (one JSON list) to standard output."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "centre", nargs="?", help="short name (slug) of the centre, e.g. coesfeld"
        )
        parser.add_argument(
            "--all", action="store_true", help="the whole directory: every centre's offers"
        )
        parser.add_argument(
            "--language",
            default="de",
            choices=[code for code, _name in CONTENT_LANGUAGES],
            help="language of names and descriptions; missing texts are given in German",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        slug = options["centre"]
        if options["all"] == bool(slug):
            raise CommandError("Name one centre, or give --all for every centre.")
        if options["all"]:
            services = export_all_services(language=options["language"])
        else:
            centre = Centre.objects.filter(slug=slug).first()
            if centre is None:
                slugs = list(Centre.objects.values_list("slug", flat=True))
                close = difflib.get_close_matches(slug, slugs, n=3)
                hint = f" Did you mean: {', '.join(close)}?" if close else ""
                raise CommandError(f'There is no centre with the short name "{slug}".{hint}')
            services = export_services(centre, language=options["language"])
        if hasattr(self.stdout, "reconfigure"):  # the real standard output: always UTF-8
            self.stdout.reconfigure(encoding="utf-8")
        # Written in pieces: the whole directory is tens of megabytes of JSON.
        encoder = json.JSONEncoder(ensure_ascii=False, indent=2)
        piece: list[str] = []
        size = 0
        for chunk in encoder.iterencode(services):
            piece.append(chunk)
            size += len(chunk)
            if size > 1 << 16:
                self.stdout.write("".join(piece), ending="")
                piece, size = [], 0
        self.stdout.write("".join(piece))
