from typing import Any

from django.core.management.base import BaseCommand

from teilhabe.core.geography import create_centres, load_geography


class Command(BaseCommand):
    help = "Load the districts and Gemeinden of NRW and create the 54 centres (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        counts = load_geography()
        new_centres = create_centres()
        self.stdout.write(
            f"Geography: {counts['created']} created, {counts['updated']} updated; "
            f"{new_centres} new centres."
        )
