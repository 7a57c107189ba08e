import os
import sys
from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve Teilhabe with gunicorn (the production server) on a host and port."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default=os.environ.get("TEILHABE_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("TEILHABE_PORT", 8000)))
        parser.add_argument(
            "--workers", type=int, default=int(os.environ.get("TEILHABE_WORKERS", 2))
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from gunicorn.app.wsgiapp import run

        address = f"{options['host']}:{options['port']}"
        self.stdout.write(f"Teilhabe serving on http://{address}/ (Ctrl+C stops it)")
        sys.argv = [
            "gunicorn",
            "teilhabe.wsgi:application",
            "--bind",
            address,
            "--workers",
            str(options["workers"]),
            "--access-logfile",
            "-",
            "--forwarded-allow-ips",
            "127.0.0.1",
        ]
        run()
