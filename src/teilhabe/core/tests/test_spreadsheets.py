"""Reading tables with a caller's column keys (the import of actors and offers tests the rest)."""

from __future__ import annotations

import pytest
from django.utils import translation

from teilhabe.core.spreadsheets import SpreadsheetError, read_table


def plain(value: str) -> str:
    return value.casefold().replace("ö", "oe").replace(" ", "_")


def test_read_table_keeps_the_headers_as_written_and_keys_rows_by_the_given_key():
    data = "Höhe;Vor Name\r\n;\r\n1;Lina\r\n".encode()

    headers, rows = read_table(data, "a.csv", required=["Vor Name"], key=plain)

    assert headers == ["Höhe", "Vor Name"]
    assert rows == [{"hoehe": "1", "vor_name": "Lina"}]
    assert rows[0].number == 3


def test_a_required_column_is_found_by_its_key_and_reported_by_its_name():
    data = b"Nachname\r\nHaddad\r\n"

    with translation.override("en"), pytest.raises(SpreadsheetError) as error:
        read_table(data, "a.csv", required=["NACHNAME", "Höhe"], key=plain)

    assert "missing: Höhe." in error.value.message


def test_columns_with_the_same_key_are_refused_by_the_name_in_the_file():
    data = "Höhe;hoehe\r\n1;2\r\n".encode()

    with translation.override("en"), pytest.raises(SpreadsheetError) as error:
        read_table(data, "a.csv", key=plain)

    assert "“Höhe” appears more than once" in error.value.message
