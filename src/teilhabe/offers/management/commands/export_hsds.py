import difflib
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from teilhabe.core.models import Centre
from teilhabe.offers.hsds import export_services
from teilhabe.offers.models import CONTENT_LANGUAGES


class Command(BaseCommand):
    help = (
        "Write the published offers of a centre as Open Referral HSDS 3.0 services "
        "(one JSON list) to standard output."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("centre", help="short name (slug) of the centre, e.g. coesfeld")
        parser.add_argument(
            "--language",
            default="de",
            choices=[code for code, _name in CONTENT_LANGUAGES],
            help="language of names and descriptions; missing texts are given in German",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        slug = options["centre"]
        centre = Centre.objects.filter(slug=slug).first()
        if centre is None:
            slugs = list(Centre.objects.values_list("slug", flat=True))
            close = difflib.get_close_matches(slug, slugs, n=3)
            hint = f" Did you mean: {', '.join(close)}?" if close else ""
            raise CommandError(f'There is no centre with the short name "{slug}".{hint}')
        services = export_services(centre, language=options["language"])
        if hasattr(self.stdout, "reconfigure"):  # the real standard output: always UTF-8
            self.stdout.reconfigure(encoding="utf-8")
        self.stdout.write(json.dumps(services, ensure_ascii=False, indent=2))
