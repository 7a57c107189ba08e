"""Import of the registration office's report of newcomer pupils (CSV or XLSX).

The registration office (through the school office) sends a table with one row per newly
registered child of school age. The first non-empty row names the columns; names are compared
without case, extra spaces or umlauts ("Staatsangehoerigkeit" is "Staatsangehörigkeit"):

=========================  ========  ====================================================
column                     required  content
=========================  ========  ====================================================
Meldenummer                yes       the report's number; a row whose number is already
                                     recorded is skipped, so an import run twice adds
                                     nothing
Nachname                   yes       last name
Vorname                    yes       first name
Geburtsdatum               yes       TT.MM.JJJJ or JJJJ-MM-TT
Geschlecht                 no        w / m / d (or weiblich, männlich, divers); empty:
                                     not stated
Staatsangehörigkeit        no        ISO code (SY, UA) or German country name
Herkunftsland              no        ISO code or German country name
Einreisedatum              no        date of arrival in Germany
Anmeldedatum               yes       registration in the Gemeinde (Schulpflicht starts)
Straße                     no        street and number
PLZ                        no        five digits
Gemeinde                   yes       name or eight-digit key (AGS) of a Gemeinde of the
                                     centre's district
Familiensprachen           no        languages spoken at home, separated by commas
Erziehungsberechtigte/r    no        name of a parent or guardian
Telefon                    no        the guardian's phone
Sprache Brief              no        language code for letters to the guardian (de, ar, uk)
=========================  ========  ====================================================

Rows are checked and saved one by one, each in its own transaction, through
``services.report_pupil`` (permission, duplicate check, audit trail): one bad row never loses
the others, and the report says which rows were rejected and why. A row with the same name and
date of birth as a recorded pupil is rejected as a possible duplicate: the counsellor checks it
and enters it by hand if it is another child. A dry run does the same work inside one
transaction that is rolled back at the end, so its report is exactly the one the real run
would give, and nothing is written.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import DataError, IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_countries import countries

from teilhabe.core import spreadsheets
from teilhabe.core.models import Centre, Municipality, User
from teilhabe.core.services import InCentre, ensure_allowed
from teilhabe.core.spreadsheets import Row, Source, SpreadsheetError

from . import services
from .models import Pupil


@dataclass(frozen=True)
class Column:
    """A column of the report, as the page and this module's docstring explain it."""

    name: str
    required: bool
    help: Any

    @property
    def key(self) -> str:
        return header_key(self.name)


COLUMNS = (
    Column(
        "Meldenummer",
        True,
        gettext_lazy("The report's number; a number already recorded is skipped."),
    ),
    Column("Nachname", True, gettext_lazy("Last name.")),
    Column("Vorname", True, gettext_lazy("First name.")),
    Column("Geburtsdatum", True, gettext_lazy("Date of birth, DD.MM.YYYY or YYYY-MM-DD.")),
    Column("Geschlecht", False, gettext_lazy("w, m or d; empty: not stated.")),
    Column("Staatsangehörigkeit", False, gettext_lazy("ISO code (e.g. SY, UA) or German name.")),
    Column("Herkunftsland", False, gettext_lazy("ISO code or German name of the country.")),
    Column("Einreisedatum", False, gettext_lazy("Arrival in Germany.")),
    Column(
        "Anmeldedatum",
        True,
        gettext_lazy("Registration in the Gemeinde; compulsory schooling starts here."),
    ),
    Column("Straße", False, gettext_lazy("Street and number.")),
    Column("PLZ", False, gettext_lazy("Postcode, five digits.")),
    Column(
        "Gemeinde",
        True,
        gettext_lazy("Name or eight-digit key (AGS) of a Gemeinde of the centre's district."),
    ),
    Column("Familiensprachen", False, gettext_lazy("Languages at home, separated by commas.")),
    Column("Erziehungsberechtigte/r", False, gettext_lazy("Name of a parent or guardian.")),
    Column("Telefon", False, gettext_lazy("The guardian's phone number.")),
    Column("Sprache Brief", False, gettext_lazy("Language code for letters (e.g. de, ar, uk).")),
)

#: Model fields named in a service's error, and the column the file calls them.
_FIELD_COLUMNS = {
    "report_key": "Meldenummer",
    "last_name": "Nachname",
    "first_name": "Vorname",
    "birth_date": "Geburtsdatum",
    "sex": "Geschlecht",
    "nationality": "Staatsangehörigkeit",
    "country_of_origin": "Herkunftsland",
    "arrival_date": "Einreisedatum",
    "registration_date": "Anmeldedatum",
    "street": "Straße",
    "postcode": "PLZ",
    "municipality": "Gemeinde",
    "family_languages": "Familiensprachen",
    "name": "Erziehungsberechtigte/r",
    "phone": "Telefon",
    "language": "Sprache Brief",
}


#: A file that cannot be read as the report; the message can be shown as it is.
ImportFileError = SpreadsheetError


class RowError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class Rejection:
    row: int
    reason: str


@dataclass
class Outcome:
    """A row that was (or in a dry run would be) recorded, or skipped as already recorded."""

    row: int
    report_key: str
    name: str
    birth_date: datetime.date | None = None
    municipality: str = ""


@dataclass
class ImportReport:
    """What an import did, or would do in a dry run."""

    dry_run: bool
    created: list[Outcome] = field(default_factory=list)
    skipped: list[Outcome] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)
    #: Columns of the file the import does not know (a typo would lose data silently).
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.created) + len(self.skipped) + len(self.rejected)

    def summary(self) -> tuple[list[tuple[int, str]], list[tuple[int, str]], list[tuple[int, str]]]:
        """Return the rows by outcome, comparable between a dry run and a real run."""
        return (
            [(o.row, o.report_key) for o in self.created],
            [(o.row, o.report_key) for o in self.skipped],
            [(r.row, r.reason) for r in self.rejected],
        )


def import_pupils(actor: User, centre: Centre, file: Source, *, dry_run: bool) -> ImportReport:
    """Record the pupils of the registration office's report (see the module's docstring).

    ``file`` is an uploaded file, an open binary file or a path; its name's ending (.csv or
    .xlsx) decides the format. Raises :class:`ImportFileError` for a file that is not a
    readable report at all; rows that cannot be recorded are listed in the report.
    """
    ensure_allowed(actor, "schooling.change_pupil", InCentre(centre))
    headers, rows = read_table(file)
    report = ImportReport(dry_run=dry_run)
    known = {c.key for c in COLUMNS}
    report.ignored_columns = [h for h in headers if h and header_key(h) not in known]
    importer = _Importer(actor, centre, report)
    if dry_run:
        with transaction.atomic():
            for row in rows:
                importer.row(row.number, row)
            transaction.set_rollback(True)
    else:
        for row in rows:
            importer.row(row.number, row)
    return report


class _Importer:
    def __init__(self, actor: User, centre: Centre, report: ImportReport) -> None:
        self.actor = actor
        self.centre = centre
        self.report = report
        self.towns: dict[str, Municipality] = {}
        for town in centre.municipalities():
            self.towns[_plain(town.name)] = town
            self.towns[town.ags] = town

    def row(self, number: int, row: dict[str, str]) -> None:
        try:
            with transaction.atomic():
                self._record(number, row)
        except RowError as error:
            self.report.rejected.append(Rejection(number, error.message))
        except services.PossibleDuplicate as duplicate:
            names = "; ".join(
                _("%(name)s, born %(born)s")
                % {"name": match, "born": match.birth_date.strftime("%d.%m.%Y")}
                for match in duplicate.matches
            )
            self.report.rejected.append(
                Rejection(
                    number,
                    _(
                        "Possible duplicate of %(names)s. Check the record; if this is another "
                        "child, enter it by hand."
                    )
                    % {"names": names},
                )
            )
        except ValidationError as error:
            self.report.rejected.append(Rejection(number, _describe(error)))
        except (IntegrityError, DataError):
            self.report.rejected.append(
                Rejection(number, _("The database refused the row; please check its values."))
            )

    def _record(self, number: int, row: dict[str, str]) -> None:
        key = row.get("meldenummer", "")
        if not key:
            raise RowError(_("The Meldenummer is missing; it is needed to import a row once only."))
        if len(key) > 40:
            raise RowError(_("The Meldenummer is longer than 40 characters."))
        existing = Pupil.objects.for_centre(self.centre).filter(report_key=key).first()
        if existing is not None:
            self.report.skipped.append(Outcome(number, key, str(existing), existing.birth_date, ""))
            return
        errors: list[str] = []

        def take(function: Any, *args: Any) -> Any:
            try:
                return function(*args)
            except RowError as error:
                errors.append(error.message)
                return None

        for column in COLUMNS:
            if column.required and not row.get(column.key):
                errors.append(_("The column %(column)s is empty.") % {"column": column.name})
        birth_date = take(_date, row.get("geburtsdatum", ""), "Geburtsdatum")
        registration_date = take(_date, row.get("anmeldedatum", ""), "Anmeldedatum")
        arrival_date = take(_date, row.get("einreisedatum", ""), "Einreisedatum")
        sex = take(_sex, row.get("geschlecht", ""))
        nationality = take(_country, row.get("staatsangehoerigkeit", ""), "Staatsangehörigkeit")
        origin = take(_country, row.get("herkunftsland", ""), "Herkunftsland")
        postcode = take(_postcode, row.get("plz", ""))
        town = take(self._town, row.get("gemeinde", ""))
        language = take(_language, row.get("sprache_brief", ""))
        guardian = row.get("erziehungsberechtigte/r", "")
        if not guardian and (row.get("telefon") or row.get("sprache_brief")):
            errors.append(
                _(
                    "Telefon and Sprache Brief belong to a guardian, but "
                    "Erziehungsberechtigte/r is empty."
                )
            )
        if errors:
            raise RowError(" ".join(dict.fromkeys(errors)))
        guardians = []
        if guardian:
            guardians.append(
                {
                    "name": guardian,
                    "relation": "",
                    "phone": row.get("telefon", ""),
                    "language": language or "de",
                }
            )
        pupil = services.report_pupil(
            self.actor,
            self.centre,
            guardians=guardians,
            report_key=key,
            last_name=row["nachname"],
            first_name=row["vorname"],
            birth_date=birth_date,
            sex=sex,
            nationality=nationality,
            country_of_origin=origin,
            arrival_date=arrival_date,
            registration_date=registration_date,
            street=row.get("strasse", ""),
            postcode=postcode,
            municipality=town,
            family_languages=", ".join(_listing(row.get("familiensprachen", ""))),
        )
        self.report.created.append(
            Outcome(number, key, str(pupil), pupil.birth_date, pupil.municipality.name)
        )

    def _town(self, value: str) -> Municipality | None:
        if not value:
            return None
        town = self.towns.get(value.strip()) or self.towns.get(_plain(value))
        if town is None:
            raise RowError(
                _("“%(value)s” is not a Gemeinde of the centre's district.") % {"value": value}
            )
        return town


def _describe(error: ValidationError) -> str:
    if not hasattr(error, "error_dict"):
        return " ".join(error.messages)
    parts = []
    for name, messages in error.message_dict.items():
        text = " ".join(messages)
        if name == NON_FIELD_ERRORS:
            parts.append(text)
        else:
            parts.append(f"{_FIELD_COLUMNS.get(name, name)}: {text}")
    return " ".join(parts)


# Values as people write them


def _plain(value: str) -> str:
    text = " ".join(str(value).split()).casefold()
    for umlaut, plain in (("ä", "ae"), ("ö", "oe"), ("ü", "ue")):
        text = text.replace(umlaut, plain)
    return text


def header_key(value: str) -> str:
    """Return a column name as it is compared: lower case, umlauts spelt out, ``_`` for spaces."""
    return _plain(value).replace(" ", "_")


_GERMAN_DATE = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})")


def _date(value: str, column: str) -> datetime.date | None:
    value = value.strip()
    if not value:
        return None
    try:
        match = _GERMAN_DATE.fullmatch(value)
        if match:
            day, month, year = (int(part) for part in match.groups())
            return datetime.date(year, month, day)
        return datetime.date.fromisoformat(value[:10])
    except ValueError:
        raise RowError(
            _("“%(value)s” in the column %(column)s is not a date such as 24.12.2015.")
            % {"value": value, "column": column}
        ) from None


_SEXES = {
    "w": Pupil.Sex.FEMALE,
    "weiblich": Pupil.Sex.FEMALE,
    "f": Pupil.Sex.FEMALE,
    "female": Pupil.Sex.FEMALE,
    "m": Pupil.Sex.MALE,
    "maennlich": Pupil.Sex.MALE,
    "male": Pupil.Sex.MALE,
    "d": Pupil.Sex.DIVERSE,
    "divers": Pupil.Sex.DIVERSE,
    "diverse": Pupil.Sex.DIVERSE,
    "x": Pupil.Sex.UNSTATED,
    "ohne angabe": Pupil.Sex.UNSTATED,
    "keine angabe": Pupil.Sex.UNSTATED,
    "unbekannt": Pupil.Sex.UNSTATED,
}


def _sex(value: str) -> str:
    if not value:
        return ""
    try:
        return _SEXES[_plain(value)]
    except KeyError:
        raise RowError(
            _("“%(value)s” in the column Geschlecht is none of w, m, d.") % {"value": value}
        ) from None


#: Entries that say there is no nationality to record.
_NO_COUNTRY = {"staatenlos", "ungeklaert", "unbekannt", "ohne", "-"}


def _country(value: str, column: str) -> str:
    value = value.strip()
    if not value or _plain(value) in _NO_COUNTRY:
        return ""
    if len(value) in (2, 3) and value.isalpha():
        code = countries.alpha2(value.upper())
        if code:
            return code
    for language in ("de", "en"):
        code = countries.by_name(value, language=language)
        if code:
            return str(code)
    raise RowError(
        _("“%(value)s” in the column %(column)s is not a country (ISO code or German name).")
        % {"value": value, "column": column}
    )


def _postcode(value: str) -> str:
    if value and not re.fullmatch(r"\d{5}", value):
        raise RowError(_("The postcode “%(value)s” does not have five digits.") % {"value": value})
    return value


def _language(value: str) -> str:
    if not value:
        return ""
    if not re.fullmatch(r"[A-Za-z]{2,3}(-[A-Za-z]{2,4})?", value):
        raise RowError(
            _("“%(value)s” in the column Sprache Brief is not a language code such as de or ar.")
            % {"value": value}
        )
    return value.lower()


def _listing(value: str) -> list[str]:
    return [part.strip() for part in re.split(r"[,;/]", value) if part.strip()]


# Reading the file


def read_table(source: Source, filename: str | None = None) -> tuple[list[str], list[Row]]:
    """Return the headers as the file writes them and the data rows, keyed by ``header_key``.

    Reading is :func:`teilhabe.core.spreadsheets.read_table`: CSV or XLSX, a workbook checked
    with defusedxml (no DOCTYPE, no entity), row numbers those of the file.
    """
    required = [c.name for c in COLUMNS if c.required]
    return spreadsheets.read_table(source, filename, required=required, key=header_key)


def template_headers() -> list[str]:
    """Return the column names in the order of the documentation."""
    return [c.name for c in COLUMNS]
