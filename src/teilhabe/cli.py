"""The ``teilhabe`` command: ``teilhabe demo``, ``teilhabe serve``, ``teilhabe seed`` and every
Django management command (``teilhabe migrate``, ``teilhabe check --deploy`` …)."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "teilhabe.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["teilhabe", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
