"""What a web process loads before its first request.

Every gunicorn worker and every ``teilhabe`` command imports the URLs. The numeric and
spreadsheet libraries (numpy, SciPy, scikit-learn, openpyxl) are big, and only a few pages use
them: the placement optimiser, the duplicate offers, the spreadsheet import and export. They
are imported there, so a worker starts in about half the time and with some 60 MiB less.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

#: Loaded only by the pages that need them.
HEAVY = ("numpy", "scipy", "sklearn", "openpyxl")

PROBE = """
import json, os, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "teilhabe.settings")
import django
django.setup()
from django.urls import get_resolver
get_resolver().url_patterns
import teilhabe.wsgi
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in HEAVY)))
"""


def loaded_after_startup(tmp_path) -> list[str]:
    env = {**os.environ, "TEILHABE_DATA_DIR": str(tmp_path)}
    env.pop("DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "-c", f"HEAVY = {HEAVY!r}\n{PROBE}"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_a_web_process_starts_without_the_numeric_and_spreadsheet_libraries(tmp_path):
    assert loaded_after_startup(tmp_path) == []


def test_the_libraries_are_there_when_a_page_needs_them(tmp_path):
    # The lazy imports point at modules that exist: the optimiser and a workbook work.
    from teilhabe.core.spreadsheets import read_rows, write_xlsx
    from teilhabe.schooling import optimiser

    data = write_xlsx([["Köln", "=1+1\x07"]], ["Ort", "Notiz"])
    rows = read_rows(data, "orte.xlsx", required=["Ort"])
    assert [(r["ort"], r["notiz"]) for r in rows] == [("Köln", "'=1+1")]
    assert optimiser.haversine_km(50.94, 6.96, 51.23, 6.78) == pytest.approx(34.6, abs=0.1)
