"""The ``teilhabe`` command: ``teilhabe demo``, ``teilhabe serve``, ``teilhabe seed``,
``teilhabe export-hsds <centre>`` and every Django management command (``teilhabe migrate`` …)."""

from __future__ import annotations

import os
import sys

#: Command names people type with a hyphen, as the documentation spells them.
ALIASES = {"export-hsds": "export_hsds", "load-geography": "load_geography"}


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "teilhabe.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv[1:] if argv is None else argv)
    if args:
        args[0] = ALIASES.get(args[0], args[0])
    execute_from_command_line(["teilhabe", *args])


if __name__ == "__main__":
    main()
