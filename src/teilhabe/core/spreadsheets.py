"""Tables people exchange: CSV and XLSX read into rows, XLSX written without live formulas.

Reading is for untrusted uploads. A workbook is a ZIP of XML documents; before openpyxl opens
one, every member is parsed with defusedxml and a document type declaration is refused, so no
entity (an external file, a "billion laughs" expansion) can ever be expanded. Writing escapes
text that a spreadsheet program would run as a formula (CSV/formula injection, OWASP).
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import warnings
import zipfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from os import PathLike
from pathlib import Path
from typing import IO, Any

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeElementTree
from django.utils.functional import Promise
from django.utils.translation import gettext as _

# openpyxl (and with it numpy) is imported where a workbook is written or read, not with the
# URLs: every web process and command would otherwise load it, ~0.4 s, for pages that never
# touch a workbook.

#: More data rows than this are refused; a centre's list or a month's report is far shorter.
MAX_ROWS = 10_000
#: A workbook that unpacks to more than this is refused (a "ZIP bomb").
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
#: Text starting with one of these is run as a formula by spreadsheet programs.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the old binary .xls format
_HEADER_SEPARATORS = re.compile(r"\s+")

Source = IO[bytes] | bytes | str | PathLike[str]


class SpreadsheetError(ValueError):
    """A file that cannot be read as a table; the message can be shown to the user as it is."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Row(dict[str, str]):
    """One data row keyed by column keys; ``number`` is its row in the file."""

    def __init__(self, number: int, values: Mapping[str, str]) -> None:
        super().__init__(values)
        self.number = number


def normalise_header(value: object) -> str:
    """Return a column name as it is compared: trimmed, lower case, inner spaces as ``_``."""
    return _HEADER_SEPARATORS.sub("_", _text(value).lower())


def read_rows(
    source: Source, filename: str | None = None, *, required: Iterable[str] = ()
) -> list[Row]:
    """Return the data rows of a CSV or XLSX file; the first non-empty row names the columns.

    ``source`` is an uploaded file, an open binary file, bytes or a path; ``filename`` (its
    ending decides the format) defaults to the source's name. Empty rows are skipped, but the
    row numbers stay those of the file (header = row 1), so a report can point at them.
    """
    return read_table(source, filename, required=required)[1]


def read_table(
    source: Source,
    filename: str | None = None,
    *,
    required: Iterable[str] = (),
    key: Callable[[str], str] = normalise_header,
) -> tuple[list[str], list[Row]]:
    """Return the column names as the file writes them and the data rows, as :func:`read_rows`.

    ``key`` turns a column name into the key the rows use and columns are compared by; a
    ``required`` column is missing when no column has its key.
    """
    if filename is None:
        if isinstance(source, bytes):
            raise TypeError("read_table() needs the file name of bytes")
        filename = str(getattr(source, "name", None) or source)
    data = _read_bytes(source)
    suffix = Path(filename).suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise SpreadsheetError(
            _(
                "“%(name)s” is neither a CSV nor an XLSX file. Save the table as "
                "“CSV UTF-8” or as an Excel workbook (.xlsx)."
            )
            % {"name": Path(filename).name}
        )
    if not data.strip():
        raise SpreadsheetError(_("The file is empty."))
    if suffix == ".xlsx":
        if not data.startswith(_ZIP_MAGIC):
            raise SpreadsheetError(
                _("The file is not an Excel workbook (.xlsx). Save it again as .xlsx or as CSV.")
            )
        records: Iterable[Sequence[Any]] = _xlsx_records(data)
    else:
        if data.startswith((_ZIP_MAGIC, _OLE_MAGIC)):
            raise SpreadsheetError(
                _("The file is a workbook, not a CSV file. Upload it with the ending .xlsx.")
            )
        records = _csv_records(data)
    return _table(records, required=required, key=key)


def write_xlsx(
    rows: Iterable[Sequence[Any] | Mapping[str, Any]],
    headers: Sequence[str],
    *,
    title: str | None = None,
) -> bytes:
    """Return a workbook of ``rows`` under ``headers``; text that could run as a formula is
    prefixed with an apostrophe, so that it stays text."""
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE as illegal
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    if title:
        sheet.title = title[:31]
    sheet.append([_safe_cell(header, illegal) for header in headers])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for row in rows:
        values = [row.get(h) for h in headers] if isinstance(row, Mapping) else list(row)
        sheet.append([_safe_cell(value, illegal) for value in values])
    for index, header in enumerate(headers, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(12, len(str(header)) + 4)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _safe_cell(value: Any, illegal: re.Pattern[str]) -> Any:
    if isinstance(value, Promise):
        value = str(value)
    if isinstance(value, str):
        value = illegal.sub("", value)
        if value.startswith(FORMULA_TRIGGERS):
            value = f"'{value}"
    return value


def _read_bytes(source: Source) -> bytes:
    if isinstance(source, bytes):
        return source
    if isinstance(source, str | PathLike):
        return Path(source).read_bytes()
    if hasattr(source, "seek"):
        source.seek(0)
    return source.read()


def _csv_records(data: bytes) -> list[list[str]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise SpreadsheetError(
            _(
                "The file is not saved in UTF-8. In Excel choose “Save as” and the type "
                "“CSV UTF-8 (comma delimited)”."
            )
        ) from None
    if "\x00" in text:
        raise SpreadsheetError(_("The file is not a text file (CSV)."))
    header = next((line for line in text.splitlines() if line.strip()), "")
    # German Excel separates with ";" (the comma is the decimal sign); others with ",".
    delimiter = ";" if header.count(";") >= header.count(",") and ";" in header else ","
    try:
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as error:
        raise SpreadsheetError(
            _("The CSV file cannot be read: %(error)s") % {"error": error}
        ) from None


def _refuse_unsafe_archive(data: bytes) -> None:
    """Refuse a workbook with a DOCTYPE/ENTITY declaration in any member, or one too big."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise SpreadsheetError(
            _("The file is not an Excel workbook (.xlsx). Save it again as .xlsx or as CSV.")
        ) from None
    with archive:
        members = [m for m in archive.infolist() if not m.is_dir()]
        if sum(m.file_size for m in members) > MAX_UNPACKED_BYTES:
            raise SpreadsheetError(_("The workbook is too large when unpacked."))
        for member in members:
            try:
                with archive.open(member) as stream:
                    # A declaration comes before the root element: the first element is enough.
                    for _event in SafeElementTree.iterparse(
                        stream, events=("start",), forbid_dtd=True
                    ):
                        break
            except DefusedXmlException:
                raise SpreadsheetError(
                    _(
                        "The workbook contains a document type declaration (DOCTYPE or "
                        "ENTITY). Such files can read data from the server, so it was refused. "
                        "Open it in Excel or LibreOffice and save it again as .xlsx."
                    )
                ) from None
            except SafeElementTree.ParseError:
                continue  # not XML (a picture, say): nothing an XML parser would expand
            except (zipfile.BadZipFile, RuntimeError, OSError, EOFError):
                raise SpreadsheetError(
                    _("The workbook is damaged or encrypted and cannot be read.")
                ) from None


def _xlsx_records(data: bytes) -> list[tuple[Any, ...]]:
    from openpyxl import load_workbook

    _refuse_unsafe_archive(data)
    records: list[tuple[Any, ...]] = []
    filled = 0
    try:
        with warnings.catch_warnings():
            # openpyxl warns about features it drops (data validation, styles); irrelevant here.
            warnings.simplefilter("ignore")
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            try:
                sheet = workbook.worksheets[0]
                # A wrong stored size would make openpyxl pad with up to a million empty rows.
                sheet.reset_dimensions()
                for record in sheet.iter_rows(values_only=True):
                    records.append(record)
                    filled += any(value not in (None, "") for value in record)
                    if filled > MAX_ROWS + 1:
                        break  # enough to refuse the file as too long (below)
            finally:
                workbook.close()
    except Exception:  # openpyxl raises many kinds of errors on a damaged upload
        raise SpreadsheetError(
            _("The workbook is damaged and cannot be read. Save it again as .xlsx or as CSV.")
        ) from None
    return records


def _table(
    records: Iterable[Sequence[Any]], *, required: Iterable[str], key: Callable[[str], str]
) -> tuple[list[str], list[Row]]:
    headers: list[str] | None = None
    keys: list[str] = []
    rows: list[Row] = []
    for number, record in enumerate(records, start=1):
        cells = [_text(value) for value in record]
        if not any(cells):
            continue
        if headers is None:
            headers = cells
            keys = [key(cell) for cell in cells]
            named = [k for k in keys if k]
            twice = sorted({h for h, k in zip(headers, keys, strict=True) if named.count(k) > 1})
            if twice:
                raise SpreadsheetError(
                    _("The column “%(name)s” appears more than once.") % {"name": twice[0]}
                )
            missing = [name for name in required if key(name) not in keys]
            if missing:
                raise SpreadsheetError(
                    _(
                        "Required columns are missing: %(columns)s. The first row must name "
                        "the columns, as in the template."
                    )
                    % {"columns": ", ".join(missing)}
                )
            continue
        if len(rows) >= MAX_ROWS:
            raise SpreadsheetError(
                _("The file has more than %(count)s rows; split it into several files.")
                % {"count": MAX_ROWS}
            )
        values = {k: (cells[i] if i < len(cells) else "") for i, k in enumerate(keys) if k}
        rows.append(Row(number, values))
    if headers is None:
        raise SpreadsheetError(_("The file is empty."))
    if not rows:
        raise SpreadsheetError(_("The file names the columns but contains no rows."))
    return headers, rows


def _text(value: Any) -> str:
    """Return a cell as the text a person sees in it (dates ISO, times HH:MM)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, datetime.time):
        return value.strftime("%H:%M")
    if isinstance(value, datetime.timedelta):
        minutes = round(value.total_seconds() / 60)
        return f"{minutes // 60:02d}:{minutes % 60:02d}"
    return str(value).strip()
