import time
from typing import Any

from django.core.management.base import BaseCommand
from django.db import connection

from teilhabe.core import seeding


class Command(BaseCommand):
    help = "Generate data at a scale: demo, kreis (one Kreis) or state (all 54 centres of NRW)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--scale", choices=seeding.SCALES, default="demo")
        parser.add_argument("--seed", type=int, default=2026, help="Same seed, same data.")
        parser.add_argument("--factor", type=float, default=1.0, help="Scale volumes up or down.")

    def handle(self, *args: Any, **options: Any) -> None:
        scale, seed, factor = options["scale"], options["seed"], options["factor"]
        self.stdout.write(f"Seeding scale={scale} seed={seed} factor={factor}")
        for name, generator in seeding.generators():
            started = time.monotonic()
            self.stdout.write(f"  {name} …", ending="")
            self.stdout.flush()
            created = generator(scale, seed, factor)
            summary = ", ".join(f"{n} {what}" for what, n in created.items()) or "nothing new"
            self.stdout.write(f" {summary} ({time.monotonic() - started:.1f} s)")
        if connection.vendor == "postgresql":
            # Bulk loads leave the planner's statistics behind; a real load ends the same way.
            started = time.monotonic()
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
            self.stdout.write(f"  ANALYZE ({time.monotonic() - started:.1f} s)")
