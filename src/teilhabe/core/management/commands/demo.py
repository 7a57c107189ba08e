from typing import Any

from django.core.management.base import BaseCommand

from teilhabe.core.demo import DEMO_PASSWORD, LOGINS, load_full_demo


class Command(BaseCommand):
    help = "Load the demo data (synthetic people only) and print the demo log-ins. Idempotent."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--quiet-logins", action="store_true", help="Do not list log-ins.")

    def handle(self, *args: Any, **options: Any) -> None:
        created = load_full_demo()
        summary = ", ".join(f"{n} new {what}" for what, n in created.items())
        self.stdout.write(f"Demo data ready ({summary}).")
        if options["quiet_logins"]:
            return
        self.stdout.write(f"\nDemo log-ins (password for all: {DEMO_PASSWORD}):")
        for login in LOGINS:
            where = login.centre or "statewide"
            area = f", {login.area}" if login.area else ""
            self.stdout.write(f"  {login.email:<38} {login.role.label} ({where}{area})")
