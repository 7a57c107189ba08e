"""Import of actors and offers from tables (CSV, XLSX): idempotent, with a dry run.

Every row is checked with the rules and messages of the services of the network and offers
apps, so permissions and the audit trail are those of the forms; actors are saved row by row,
offers in batches (see :func:`import_offers`). A row that would change nothing is not saved at
all, so importing the same file twice writes no new versions. A dry run does the same work
inside a transaction that is rolled back: the report is the one the real import would give.

Actors are recognised by their name within the centre. Offers carry the id their source gives
them (``external_id``); the offer's public id is derived from it (:func:`offer_uid`), and so are
the ids of the place and the weekly time the import keeps, so places and times added by hand
are left alone.
"""

from __future__ import annotations

import copy
import datetime
import functools
import re
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import DataError, IntegrityError, models, transaction
from django.db.models import Prefetch
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from teilhabe.core.audit import acting_as, bulk_create_versioned, bulk_update_versioned
from teilhabe.core.models import Centre, Municipality, User
from teilhabe.core.services import InCentre, ensure_allowed
from teilhabe.network import services as network_services
from teilhabe.network.models import Actor, FieldOfAction

from . import services
from .directory import DIRECTORY_GENERATION
from .models import Offer, OfferLocation, OfferStatusChange, OfferText, OpeningHours

#: Fixed for good: the public ids of imported offers are derived from it.
OFFER_NAMESPACE = uuid.UUID("6f1c1b52-3f5e-5d8c-9a57-2b1e0c7d4a10")

CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"


@dataclass(frozen=True)
class Column:
    """A column of an import table, as the page and the template explain it."""

    name: str
    required: bool
    help: Any


ACTOR_COLUMNS = (
    Column("name", True, gettext_lazy("Name of the organisation; it identifies the actor.")),
    Column(
        "kind",
        False,
        gettext_lazy("Kind of actor, e.g. Wohlfahrtsverband or welfare; needed for new actors."),
    ),
    Column("street", False, gettext_lazy("Street and number.")),
    Column("postcode", False, gettext_lazy("Five digits.")),
    Column("gemeinde", False, gettext_lazy("Name or eight-digit key (AGS) of a Gemeinde.")),
    Column("email", False, gettext_lazy("E-mail address.")),
    Column("phone", False, gettext_lazy("Phone number.")),
    Column("website", False, gettext_lazy("Web address.")),
    Column("languages", False, gettext_lazy("Languages spoken, separated by commas.")),
    Column("fields_of_action", False, gettext_lazy("Fields of action, separated by commas.")),
)

OFFER_COLUMNS = (
    Column(
        "external_id",
        True,
        gettext_lazy("The offer's id in your source list; it must stay the same on every import."),
    ),
    Column("title", True, gettext_lazy("Title in German.")),
    Column("description", True, gettext_lazy("Description in German.")),
    Column(
        "provider",
        False,
        gettext_lazy("Name of the provider, an actor of the centre; needed for new offers."),
    ),
    Column("field_of_action", False, gettext_lazy("Field of action; needed for new offers.")),
    Column(
        "rubric",
        False,
        gettext_lazy("Name of a rubric of the offer's field of action (case does not matter)."),
    ),
    Column("min_age", False, gettext_lazy("Minimum age in years.")),
    Column("max_age", False, gettext_lazy("Maximum age in years.")),
    Column("free_of_charge", False, gettext_lazy("ja or nein (empty: ja).")),
    Column("fees", False, gettext_lazy("Fees, if any.")),
    Column("languages", False, gettext_lazy("Languages the offer is held in, comma-separated.")),
    Column("gemeinde", True, gettext_lazy("Name or eight-digit key (AGS) of the Gemeinde.")),
    Column("street", False, gettext_lazy("Street and number of the place.")),
    Column("postcode", False, gettext_lazy("Postcode of the place.")),
    Column("weekday", False, gettext_lazy("Mo to So, or 1 to 7 (optional).")),
    Column("opens_at", False, gettext_lazy("Start, e.g. 09:30.")),
    Column("closes_at", False, gettext_lazy("End, e.g. 12:00.")),
    Column(
        "status",
        False,
        gettext_lazy("Entwurf (draft, the default), in Prüfung or veröffentlicht (published)."),
    ),
)

#: Model fields named in a service's error, and the column the file calls them.
_FIELD_COLUMNS = {"municipality": "gemeinde", "url": "website"}


class RowError(Exception):
    """A row that cannot be imported; the message says why, in the user's language."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class Rejection:
    row: int
    reason: str


@dataclass
class ImportReport:
    """What an import did, or would do in a dry run."""

    kind: str
    dry_run: bool
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    #: Columns of the file the import does not know (a typo loses data silently otherwise).
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged + len(self.rejected)

    def as_text(self) -> str:
        """Return the report as lines of text (for the command line)."""
        lines = [
            _("Dry run: nothing has been saved.") if self.dry_run else _("Import saved."),
            _(
                "%(created)s new, %(updated)s changed, %(unchanged)s unchanged, "
                "%(rejected)s rejected."
            )
            % {
                "created": self.created,
                "updated": self.updated,
                "unchanged": self.unchanged,
                "rejected": len(self.rejected),
            },
        ]
        if self.ignored_columns:
            lines.append(
                _("Ignored columns: %(columns)s") % {"columns": ", ".join(self.ignored_columns)}
            )
        lines += [
            _("Row %(row)s: %(reason)s") % {"row": r.row, "reason": r.reason} for r in self.rejected
        ]
        return "\n".join(lines)


def offer_uid(centre: Centre, external_id: str) -> uuid.UUID:
    """Return the public id of the offer that ``external_id`` names in ``centre``'s imports."""
    return uuid.uuid5(OFFER_NAMESPACE, f"{centre.slug}\n{external_id}")


def import_actors(
    acting: User, centre: Centre, rows: Iterable[Mapping[str, str]], *, dry_run: bool
) -> ImportReport:
    """Create or change the actors of ``centre`` named in ``rows`` (one per name)."""
    ensure_allowed(acting, "network.change_actor", InCentre(centre))
    importer = _ActorImporter(acting, centre)
    return _run("actors", ACTOR_COLUMNS, rows, importer.row, dry_run=dry_run)


def import_offers(
    acting: User, centre: Centre, rows: Iterable[Mapping[str, str]], *, dry_run: bool
) -> ImportReport:
    """Create or change the offers of ``centre`` in ``rows``, with their place and time.

    Statewide lists have thousands of rows, so the import does not save row by row: what it
    needs to know (providers, Gemeinden, the offers of the file's external ids with their
    imported place and time) is read once; every row is then checked without writing, with the
    same rules and messages as the services (``full_clean``, leaving out only the look-ups
    whose answer the import already has); new offers are written in batches of
    :data:`BATCH_SIZE` (one ``INSERT`` per table, with their versions); a batch the database
    refuses is written again row by row, so one bad row never costs the others. Offers whose
    own fields or German text changed (the usual re-import) are written in batches as well
    (:meth:`_OfferImporter.update`, with the versions ``save()`` writes); a changed status,
    place or weekly time goes through the services one by one; unchanged offers are not
    written at all.

    A new offer gets one version, "created" with the status the row gives it (the services
    would write a draft and then one change per step of the workflow).
    """
    ensure_allowed(acting, "offers.change_offer", InCentre(centre))
    rows = list(rows)
    report = ImportReport(kind="offers", dry_run=dry_run)
    report.ignored_columns = _ignored(OFFER_COLUMNS, rows)

    def reject(number: int, error: Exception) -> None:
        report.rejected.append(Rejection(number, _reason(error)))

    with acting_as(acting), transaction.atomic():
        importer = _OfferImporter(acting, centre, rows)
        new: list[_NewOffer] = []
        changed: list[_OfferRow] = []
        for position, row in enumerate(rows, start=2):
            number = getattr(row, "number", position)
            try:
                plan = importer.plan(number, row)
            except _REFUSALS as error:
                reject(number, error)
                continue
            if plan is None:
                report.unchanged += 1
            elif isinstance(plan, _NewOffer):
                new.append(plan)
            else:
                changed.append(plan)
        for start in range(0, len(new), BATCH_SIZE):
            batch = new[start : start + BATCH_SIZE]
            try:
                with transaction.atomic():
                    importer.create(batch)
            except (IntegrityError, DataError):
                # Find the rows the database refuses; keep the others.
                for one in batch:
                    try:
                        with transaction.atomic():
                            importer.create([one])
                    except _REFUSALS as error:
                        reject(one.number, error)
                    else:
                        report.created += 1
            else:
                report.created += len(batch)
        if report.created:
            DIRECTORY_GENERATION.new()  # bulk_create sends no signal the public directory hears
        # Rows that change only the offer's own fields or German text (the usual re-import):
        # in batches; the others (status, place, weekly time) through the services.
        own: list[_OfferRow] = []
        one_by_one: list[_OfferRow] = []
        for plan in changed:
            (own if importer.only_own_fields(plan) else one_by_one).append(plan)
        for start in range(0, len(own), BATCH_SIZE):
            batch = own[start : start + BATCH_SIZE]
            rejected = len(report.rejected)
            try:
                with transaction.atomic():
                    written, others = importer.update(batch, reject)
            except (IntegrityError, DataError):
                del report.rejected[rejected:]  # the rows are tried again one by one
                one_by_one.extend(batch)
                continue
            report.updated += written
            report.unchanged += (
                len(batch) - written - len(others) - (len(report.rejected) - rejected)
            )
            one_by_one.extend(others)
        if own:
            DIRECTORY_GENERATION.new()  # bulk_update sends no signal the public directory hears
        for plan in sorted(one_by_one, key=lambda plan: plan.number):
            try:
                with transaction.atomic():
                    outcome = importer.write(plan)
            except _REFUSALS as error:
                reject(plan.number, error)
            else:
                setattr(report, outcome, getattr(report, outcome) + 1)
        if dry_run:
            transaction.set_rollback(True)
    report.rejected.sort(key=lambda rejection: rejection.row)
    return report


@dataclass(frozen=True)
class ImportKind:
    label: Any
    columns: tuple[Column, ...]
    run: Callable[..., ImportReport]
    sheet_title: Any

    @property
    def headers(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def required(self) -> list[str]:
        return [c.name for c in self.columns if c.required]


KINDS = {
    "actors": ImportKind(gettext_lazy("Actors"), ACTOR_COLUMNS, import_actors, "Akteure"),
    "offers": ImportKind(gettext_lazy("Offers"), OFFER_COLUMNS, import_offers, "Angebote"),
}


def _run(
    kind: str,
    columns: tuple[Column, ...],
    rows: Iterable[Mapping[str, str]],
    handle: Callable[[int, Mapping[str, str]], str],
    *,
    dry_run: bool,
) -> ImportReport:
    rows = list(rows)
    report = ImportReport(kind=kind, dry_run=dry_run)
    report.ignored_columns = _ignored(columns, rows)
    with transaction.atomic():
        for position, row in enumerate(rows, start=2):
            number = getattr(row, "number", position)
            try:
                with transaction.atomic():
                    outcome = handle(number, row)
            except _REFUSALS as error:
                report.rejected.append(Rejection(number, _reason(error)))
            else:
                setattr(report, outcome, getattr(report, outcome) + 1)
        if dry_run:
            transaction.set_rollback(True)
    return report


def _ignored(columns: tuple[Column, ...], rows: list[Mapping[str, str]]) -> list[str]:
    known = {c.name for c in columns}
    return sorted({key for row in rows for key in row} - known)


#: What refuses a row (and not the whole import).
_REFUSALS = (RowError, ValidationError, PermissionDenied, IntegrityError, DataError)


def _reason(error: Exception) -> str:
    """Return why a row was refused, in the user's language."""
    if isinstance(error, RowError):
        return error.message
    if isinstance(error, ValidationError):
        return _describe(error)
    if isinstance(error, PermissionDenied):
        return _("You may not make this change in this centre.")
    return _("The database refused the row; please check its values.")


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


def _cell(row: Mapping[str, str], name: str) -> str:
    return str(row.get(name) or "").strip()


def _key(value: str) -> str:
    return " ".join(value.split()).casefold()


def _choices(choices: Iterable[tuple[Any, Any]], *extra: tuple[str, Any]) -> dict[str, Any]:
    """Return a lookup of choices by value and by German and English label (case-insensitive).

    A label with a part in brackets is also found by either part ("MSO", "Kita").
    """
    lookup: dict[str, Any] = {}
    clashes: set[str] = set()
    for language in ("de", "en"):
        with translation.override(language):
            for value, label in choices:
                label = str(label)
                names = {str(value), label}
                match = re.fullmatch(r"(.+?)\s*\((.+)\)", label)
                if match:
                    names |= {match.group(1), match.group(2)}
                for name in names:
                    key = _key(name)
                    if lookup.get(key, value) != value:
                        clashes.add(key)
                    lookup[key] = value
    for key in clashes:
        del lookup[key]
    for name, value in extra:
        lookup[_key(name)] = value
    return lookup


def _labels(choices: Iterable[tuple[Any, Any]]) -> str:
    return ", ".join(str(label) for _value, label in choices)


def _choose(lookup: dict[str, Any], value: str, message: str, choices: Any) -> Any:
    try:
        return lookup[_key(value)]
    except KeyError:
        raise RowError(message % {"value": value, "allowed": _labels(choices)}) from None


def _listing(value: str) -> list[str]:
    return [part.strip() for part in re.split(r"[,;]", value) if part.strip()]


def _languages(value: str) -> str:
    return ", ".join(_listing(value))


def _postcode(value: str) -> str:
    if value and not re.fullmatch(r"\d{5}", value):
        raise RowError(_("The postcode “%(value)s” does not have five digits.") % {"value": value})
    return value


def _url(value: str) -> str:
    if value and "://" not in value:
        return f"https://{value}"
    return value


_TRUE = {"ja", "j", "yes", "y", "1", "true", "wahr", "x"}
_FALSE = {"nein", "n", "no", "0", "false", "falsch"}


def _yes_no(value: str, column: str) -> bool:
    key = value.casefold()
    if not key or key in _TRUE:
        return True
    if key in _FALSE:
        return False
    raise RowError(
        _("“%(value)s” in the column %(column)s is neither ja nor nein.")
        % {"value": value, "column": column}
    )


def _age(value: str, column: str) -> int | None:
    if not value:
        return None
    if not value.isdigit() or int(value) > 120:
        raise RowError(
            _("“%(value)s” in the column %(column)s is not an age between 0 and 120.")
            % {"value": value, "column": column}
        )
    return int(value)


_TIME = re.compile(r"(\d{1,2})(?:[:.](\d{2}))?(?:[:.]\d{2})?(?:\s*uhr)?", re.IGNORECASE)


def _time(value: str, column: str) -> datetime.time:
    match = _TIME.fullmatch(value)
    try:
        if match:
            return datetime.time(int(match.group(1)), int(match.group(2) or 0))
        fraction = float(value)  # a time cell without a time format: a fraction of a day
        if 0 <= fraction < 1:
            minutes = round(fraction * 24 * 60)
            return datetime.time(minutes // 60, minutes % 60)
    except ValueError:
        pass
    raise RowError(
        _("“%(value)s” in the column %(column)s is not a time such as 09:30.")
        % {"value": value, "column": column}
    )


@functools.cache
def _weekdays() -> dict[str, Any]:
    return _choices(
        OpeningHours.Weekday.choices,
        *[(str(day), day) for day in range(1, 8)],
        *zip(("Mo", "Di", "Mi", "Do", "Fr", "Sa", "So"), range(1, 8), strict=True),
        *zip(OpeningHours.DAY_CODES.values(), OpeningHours.DAY_CODES, strict=True),
    )


@functools.cache
def _kinds() -> dict[str, Any]:
    return _choices(Actor.Kind.choices)


@functools.cache
def _fields() -> dict[str, Any]:
    return _choices(FieldOfAction.choices)


@functools.cache
def _statuses() -> dict[str, Any]:
    return _choices(Offer.Status.choices)


def _current(obj: models.Model, name: str) -> Any:
    """Return a field's value as the import compares it (a related object by its id)."""
    model_field = obj._meta.get_field(name)
    if model_field.is_relation:
        return getattr(obj, model_field.attname)
    if name == "languages":
        return _languages(obj.languages)
    return getattr(obj, name)


def _same(current: Any, new: Any) -> bool:
    if isinstance(new, models.Model):
        return current == new.pk
    if isinstance(new, list):
        return sorted(current or []) == sorted(new)
    return current == new


def _changes(obj: models.Model, data: Mapping[str, Any]) -> dict[str, Any]:
    """Return the items of ``data`` that differ from ``obj``."""
    return {name: value for name, value in data.items() if not _same(_current(obj, name), value)}


class _Actors:
    """The actors of a centre by name: exactly, else by the name in any case if that is unique."""

    def __init__(self, centre: Centre) -> None:
        self.by_name: dict[str, Actor] = {}
        self.by_key: dict[str, list[Actor]] = {}
        for actor in Actor.objects.for_centre(centre):
            self.add(actor)

    def add(self, actor: Actor) -> None:
        self.by_name[actor.name] = actor
        similar = self.by_key.setdefault(_key(actor.name), [])
        similar[:] = [a for a in similar if a.pk != actor.pk] + [actor]

    def find(self, name: str) -> Actor | None:
        if name in self.by_name:
            return self.by_name[name]
        similar = self.by_key.get(_key(name), [])
        return similar[0] if len(similar) == 1 else None


class _Importer:
    def __init__(self, acting: User, centre: Centre) -> None:
        self.acting, self.centre = acting, centre
        self.seen: dict[str, int] = {}
        towns = list(centre.municipalities())
        self.towns = {t.ags: t for t in towns} | {_key(t.name): t for t in towns}
        self._all_towns: dict[str, Municipality] | None = None

    def once(self, key: str, number: int, message: str, value: str) -> None:
        """Refuse a second row for the same record: it would silently undo the first."""
        first = self.seen.setdefault(key, number)
        if first != number:
            raise RowError(message % {"value": value, "row": first})

    def town(self, value: str) -> Municipality:
        key = value.zfill(8) if value.isdigit() else _key(value)
        town = self.towns.get(key)
        if town is not None:
            return town
        if self._all_towns is None:
            others = list(Municipality.objects.select_related("district"))
            self._all_towns = {t.ags: t for t in others} | {_key(t.name): t for t in others}
        elsewhere = self._all_towns.get(key)
        if elsewhere is not None:
            raise RowError(
                _("The Gemeinde “%(value)s” lies in %(district)s, outside the centre's area.")
                % {"value": value, "district": elsewhere.district}
            )
        raise RowError(
            _("There is no Gemeinde “%(value)s”. Give its name or its eight-digit key (AGS).")
            % {"value": value}
        )


class _ActorImporter(_Importer):
    def __init__(self, acting: User, centre: Centre) -> None:
        super().__init__(acting, centre)
        self.actors = _Actors(centre)

    def row(self, number: int, row: Mapping[str, str]) -> str:
        name = " ".join(_cell(row, "name").split())
        if not name:
            raise RowError(_("The name is missing."))
        self.once(_key(name), number, _("“%(value)s” already appears in row %(row)s."), name)
        actor = self.actors.find(name)
        data = self.actor_data(row, actor)
        if actor is None:
            actor = network_services.save_actor(self.acting, self.centre, name=name, **data)
            self.actors.add(actor)
            return CREATED
        changed = _changes(actor, data)
        if not changed:
            return UNCHANGED
        # A fresh copy: the service changes the object it is given, also when it then refuses.
        fresh = Actor.objects.for_centre(self.centre).get(pk=actor.pk)
        self.actors.add(
            network_services.save_actor(self.acting, self.centre, actor=fresh, **changed)
        )
        return UPDATED

    def actor_data(self, row: Mapping[str, str], actor: Actor | None) -> dict[str, Any]:
        """Return the values of the columns the file has (an empty cell empties the field)."""
        data: dict[str, Any] = {}
        kind = _cell(row, "kind")
        if kind:
            data["kind"] = _choose(
                _kinds(),
                kind,
                _("Unknown kind “%(value)s”. Allowed: %(allowed)s."),
                Actor.Kind.choices,
            )
        elif actor is None:
            raise RowError(_("The kind is missing; a new actor needs one."))
        for column in ("street", "email", "phone"):
            if column in row:
                data[column] = _cell(row, column)
        if "postcode" in row:
            data["postcode"] = _postcode(_cell(row, "postcode"))
        if "website" in row:
            data["website"] = _url(_cell(row, "website"))
        if "languages" in row:
            data["languages"] = _languages(_cell(row, "languages"))
        if "gemeinde" in row:
            value = _cell(row, "gemeinde")
            data["municipality"] = self.town(value) if value else None
        if "fields_of_action" in row:
            message = _("Unknown field of action “%(value)s”. Allowed: %(allowed)s.")
            chosen = {
                _choose(_fields(), part, message, FieldOfAction.choices)
                for part in _listing(_cell(row, "fields_of_action"))
            }
            data["fields_of_action"] = [f for f in FieldOfAction.values if f in chosen]
        return data


#: The weekly time columns are missing from the file: leave the imported time as it is.
_KEEP: dict[str, Any] = {}


@dataclass
class _OfferRow:
    """A checked row of an offer the centre has already: what the file says about it."""

    number: int
    uid: uuid.UUID
    offer: Offer
    title: str
    description: str
    data: dict[str, Any]
    place: dict[str, Any]
    hours: dict[str, Any] | None
    status: str | None


@dataclass
class _NewOffer:
    """A checked row of a new offer: the objects to insert (ids are set on insert)."""

    number: int
    offer: Offer
    text: OfferText
    location: OfferLocation
    hours: OpeningHours | None

    def objects(self) -> list[models.Model]:
        return [o for o in (self.offer, self.text, self.location, self.hours) if o is not None]


#: New offers per batch: one savepoint and one ``INSERT`` per table (and its versions) each.
BATCH_SIZE = 500
#: Offers read per query when the import looks up the external ids of the file.
_READ_CHUNK = 1000


def _check(obj: models.Model, *parents: str) -> None:
    """Run ``full_clean`` as the services do, leaving out only what costs a query per row.

    The import has read every related row it sets itself (provider, Gemeinde, centre) and
    ``parents`` are being created with ``obj``, so their existence is not asked again;
    uniqueness of the derived ids was checked against the offers read at the start (a clash
    left is refused by the database, and the row with it); the check constraints (age range,
    order of times) are rules of the row checked before, with the services' messages.
    """
    exclude = [
        f.name
        for f in obj._meta.concrete_fields
        if f.is_relation and (f.name in parents or getattr(obj, f.attname) is not None)
    ]
    obj.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)


class _OfferImporter(_Importer):
    def __init__(self, acting: User, centre: Centre, rows: list[Mapping[str, str]]) -> None:
        super().__init__(acting, centre)
        self.providers = _Actors(centre)
        self.may_publish = acting.has_perm("offers.publish_offer", InCentre(centre))
        self.existing = self._existing(rows)

    def _existing(self, rows: list[Mapping[str, str]]) -> dict[uuid.UUID, Offer]:
        """Return the centre's offers named in ``rows``, with their imported place and time."""
        uids = sorted({offer_uid(self.centre, _cell(row, "external_id")) for row in rows})
        found: dict[uuid.UUID, Offer] = {}
        for start in range(0, len(uids), _READ_CHUNK):
            chunk = uids[start : start + _READ_CHUNK]
            places = [uuid.uuid5(uid, "location") for uid in chunk]
            times = [uuid.uuid5(uid, "opening-hours") for uid in chunk]
            offers = (
                Offer.objects.for_centre(self.centre)
                .filter(uid__in=chunk)
                .prefetch_related(
                    "texts",
                    Prefetch(
                        "locations",
                        queryset=OfferLocation.objects.filter(uid__in=places),
                        to_attr="imported_places",
                    ),
                    Prefetch(
                        "opening_hours",
                        queryset=OpeningHours.objects.filter(uid__in=times),
                        to_attr="imported_hours",
                    ),
                )
            )
            found.update((offer.uid, offer) for offer in offers)
        return found

    def plan(self, number: int, row: Mapping[str, str]) -> _OfferRow | _NewOffer | None:
        """Check the row without writing; ``None``: the offer is as the row says."""
        external_id = _cell(row, "external_id")
        if not external_id:
            raise RowError(_("The external id is missing."))
        self.once(
            external_id,
            number,
            _("The external id “%(value)s” already appears in row %(row)s."),
            external_id,
        )
        uid = offer_uid(self.centre, external_id)
        offer = self.existing.get(uid)
        title = _cell(row, "title")
        description = "\n".join(_cell(row, "description").splitlines()).strip()
        if not title:
            raise RowError(_("The title is missing."))
        if not description:
            raise RowError(_("The description is missing."))
        data = self.offer_data(row, offer)
        place = self.place_data(row)
        hours = self.hours_data(row)
        status = self.status(row, offer)
        if offer is None:
            return self.build(number, uid, title, description, data, place, hours, status)
        plan = _OfferRow(number, uid, offer, title, description, data, place, hours, status)
        return None if self.unchanged(plan) else plan

    # New offers: checked here, inserted in batches

    def build(
        self,
        number: int,
        uid: uuid.UUID,
        title: str,
        description: str,
        data: dict[str, Any],
        place: dict[str, Any],
        hours: dict[str, Any] | None,
        status: str | None,
    ) -> _NewOffer:
        """Return the objects of a new offer, checked as ``save_offer``, ``add_location``,
        ``add_opening_hours`` and ``change_status`` check them."""
        offer = Offer(centre=self.centre, uid=uid, **data)
        if status:
            # From a draft every status can be reached; publishing needs the German text and
            # a place, which a new row always brings.
            offer.status = status
            if status == Offer.Status.PUBLISHED:
                offer.last_verified = timezone.localdate()
        _check(offer)
        text = OfferText(
            language="de",
            title=title.strip(),
            description=description.strip(),
            source_revision=offer.revision,
        )
        _check(text, "offer")
        town = place["municipality"]
        location = OfferLocation(
            uid=uuid.uuid5(uid, "location"),
            latitude=town.latitude,
            longitude=town.longitude,
            **place,
        )
        _check(location, "offer")
        slot = None
        if hours is not None and hours is not _KEEP:
            slot = OpeningHours(uid=uuid.uuid5(uid, "opening-hours"), **hours)
            _check(slot, "offer", "location")
        return _NewOffer(number, offer, text, location, slot)

    def create(self, batch: list[_NewOffer]) -> None:
        """Insert the offers of ``batch`` with text, place, time and status history.

        Versions (audit entries) as ``save()`` writes them.
        """
        for new in batch:  # again after a refused batch: the ids of that attempt are gone
            for obj in new.objects():
                obj.pk = None
                obj._state.adding = True
            # The version's text of the offer is its title, without asking the database.
            texts = models.QuerySet(OfferText)
            texts._result_cache = [new.text]
            texts._prefetch_done = True
            new.offer._prefetched_objects_cache = {"texts": texts}
        bulk_create_versioned(Offer, [new.offer for new in batch])
        for new in batch:
            new.text.offer = new.location.offer = new.offer
        bulk_create_versioned(OfferText, [new.text for new in batch])
        OfferLocation.objects.bulk_create([new.location for new in batch])
        slots = []
        for new in batch:
            if new.hours is not None:
                new.hours.offer, new.hours.location = new.offer, new.location
                slots.append(new.hours)
        OpeningHours.objects.bulk_create(slots)
        # The first step of each offer's status history, as ``save_offer`` records it: the
        # month-end figures count offers by the status they had then.
        OfferStatusChange.objects.bulk_create(
            OfferStatusChange(
                offer=new.offer, from_status="", to_status=new.offer.status, by=self.acting
            )
            for new in batch
        )

    # Offers the centre has: compared here, changed through the services

    def unchanged(self, plan: _OfferRow) -> bool:
        """Return whether the offer, its imported place and time are as the row says."""
        offer = plan.offer
        german = offer.text("de")
        if (
            _changes(offer, plan.data)
            or german is None
            or (german.title, german.description) != (plan.title, plan.description)
        ):
            return False
        return self.only_own_fields(plan)

    def only_own_fields(self, plan: _OfferRow) -> bool:
        """Return whether the row leaves status, imported place and weekly time as they are.

        Such a row changes at most the offer's own fields and its German text: it is written
        with others in one batch (:meth:`update`); the others go through the services.
        """
        offer = plan.offer
        if plan.status is not None and plan.status != offer.status:
            return False
        location, current = self.imported(offer)
        hours = plan.hours
        if hours is _KEEP:
            return location is not None and not _changes(location, plan.place)
        if location is None or _changes(location, plan.place):
            return False
        if hours is None:
            return current is None
        return current is not None and not _changes(current, {**hours, "location": location})

    @staticmethod
    def imported(offer: Offer) -> tuple[OfferLocation | None, OpeningHours | None]:
        """Return the place and the weekly time the import keeps for ``offer`` (read at start)."""
        places = getattr(offer, "imported_places", [])
        times = getattr(offer, "imported_hours", [])
        return (places[0] if places else None), (times[0] if times else None)

    def update(
        self, batch: list[_OfferRow], reject: Callable[[int, Exception], None]
    ) -> tuple[int, list[_OfferRow]]:
        """Write the changed fields and German texts of ``batch`` as :meth:`write` would.

        As there, a row changes the fields in which it differs from the offer the import
        read; they are applied to the offer read again under ``select_for_update``, so a
        colleague's save in between keeps what the row does not change. Every row is checked
        as ``save_offer`` checks it (the rubric, ``full_clean``); a refused row is given to
        ``reject``. Then one ``UPDATE`` per set of changed fields and one for the texts, each
        with the versions ``save()`` writes. Returns how many offers changed, and the rows
        this cannot write (an offer gone or without a German text): for :meth:`write`.
        """
        fresh = {
            offer.pk: offer
            for offer in Offer.objects.for_centre(self.centre)
            .filter(pk__in=[plan.offer.pk for plan in batch])
            .select_for_update()
            .prefetch_related("texts")
        }
        offers: dict[tuple[str, ...], list[tuple[Offer, Offer]]] = {}
        texts: list[tuple[OfferText, OfferText]] = []
        others: list[_OfferRow] = []
        for plan in batch:
            old = fresh.get(plan.offer.pk)
            german = old.text("de") if old is not None else None
            if old is None or german is None or plan.offer.text("de") is None:
                others.append(plan)
                continue
            changed = _changes(plan.offer, plan.data)
            new_text = (german.title, german.description) != (plan.title, plan.description)
            if not changed and not new_text:
                continue  # saved the same way since the import read it
            try:
                if "rubric" in changed:
                    field_of_action = changed.get("field_of_action") or old.field_of_action
                    services.check_rubric(old, changed["rubric"], field_of_action)
                elif "field_of_action" in changed and old.rubric_id is not None:
                    services.check_rubric(old, old.rubric, changed["field_of_action"])
                offer = copy.copy(old)
                for name, value in changed.items():
                    setattr(offer, name, value)
                if new_text:
                    offer.revision += 1
                _check(offer)
                text = copy.copy(german)
                text.title, text.description = plan.title, plan.description
                text.source_revision = offer.revision
                _check(text, "offer")
            except _REFUSALS as error:
                reject(plan.number, error)
                continue
            fields = (*sorted(changed), "revision") if new_text else tuple(sorted(changed))
            offers.setdefault(fields, []).append((old, offer))
            if (text.title, text.description, text.source_revision) != (
                german.title,
                german.description,
                german.source_revision,
            ):
                texts.append((german, text))
        for fields, pairs in offers.items():
            bulk_update_versioned(Offer, pairs, fields)
        bulk_update_versioned(OfferText, texts, ["title", "description", "source_revision"])
        return sum(len(pairs) for pairs in offers.values()), others

    def write(self, plan: _OfferRow) -> str:
        """Bring an offer up to the row through the services; return the outcome."""
        offer = plan.offer
        location, current = self.imported(offer)
        outcome = UNCHANGED
        german = offer.text("de")
        changed = _changes(offer, plan.data)
        if (
            changed
            or german is None
            or (german.title, german.description) != (plan.title, plan.description)
        ):
            # A fresh copy: the service changes the object it is given, also when it refuses.
            fresh = Offer.objects.for_centre(self.centre).get(pk=offer.pk)
            offer = services.save_offer(
                self.acting,
                self.centre,
                offer=fresh,
                title=plan.title,
                description=plan.description,
                **changed,
            )
            outcome = UPDATED
        if self.keep_place_and_hours(offer, plan, location, current):
            outcome = UPDATED
        if plan.status is not None and plan.status != offer.status:
            for step in _path(offer.status, plan.status):
                services.change_status(self.acting, offer, to=step)
            outcome = UPDATED
        return outcome

    def offer_data(self, row: Mapping[str, str], offer: Offer | None) -> dict[str, Any]:
        """Return the offer's values in the row; a new offer needs provider and field."""
        data: dict[str, Any] = {}
        provider = " ".join(_cell(row, "provider").split())
        if provider:
            data["provider"] = self.providers.find(provider)
            if data["provider"] is None:
                raise RowError(
                    _(
                        "The provider “%(value)s” is not an actor of this centre. "
                        "Import the actors first, or check the spelling."
                    )
                    % {"value": provider}
                )
        elif offer is None:
            raise RowError(_("The provider is missing; a new offer needs one."))
        value = _cell(row, "field_of_action")
        if value:
            data["field_of_action"] = _choose(
                _fields(),
                value,
                _("Unknown field of action “%(value)s”. Allowed: %(allowed)s."),
                FieldOfAction.choices,
            )
        elif offer is None:
            raise RowError(_("The field of action is missing; a new offer needs one."))
        # Rubric: by name (case ignored) among the rubrics of the row's field of action.
        if "rubric" in row:
            name = _cell(row, "rubric")
            field_of_action = data.get("field_of_action") or getattr(offer, "field_of_action", "")
            if not hasattr(self, "rubrics"):
                self.rubrics = services.rubrics_by_name(self.centre)
            data["rubric"] = self.rubrics.get((field_of_action, services.rubric_key(name)))
            if name and data["rubric"] is None:
                raise RowError(
                    _("Unknown rubric “%(value)s” in the field of action “%(field)s”.")
                    % {"value": name, "field": FieldOfAction(field_of_action).label}
                )
        for column in ("min_age", "max_age"):
            if column in row:
                data[column] = _age(_cell(row, column), column)
        low = data.get("min_age", offer.min_age if offer else None)
        high = data.get("max_age", offer.max_age if offer else None)
        if low is not None and high is not None and high < low:
            raise RowError(
                _("The maximum age (%(high)s) lies below the minimum age (%(low)s).")
                % {"high": high, "low": low}
            )
        if "free_of_charge" in row:
            data["free_of_charge"] = _yes_no(_cell(row, "free_of_charge"), "free_of_charge")
        if "fees" in row:
            data["fees"] = _cell(row, "fees")
        if "languages" in row:
            data["languages"] = _languages(_cell(row, "languages"))
        return data

    def place_data(self, row: Mapping[str, str]) -> dict[str, Any]:
        value = _cell(row, "gemeinde")
        if not value:
            raise RowError(_("The Gemeinde is missing."))
        return {
            "municipality": self.town(value),
            "street": _cell(row, "street"),
            "postcode": _postcode(_cell(row, "postcode")),
        }

    def hours_data(self, row: Mapping[str, str]) -> dict[str, Any] | None:
        """Return the weekly time of the row, ``None`` for none, ``_KEEP`` without the columns."""
        columns = ("weekday", "opens_at", "closes_at")
        if not any(c in row for c in columns):
            return _KEEP
        day, opens, closes = (_cell(row, c) for c in columns)
        if not (day or opens or closes):
            return None
        if not (day and opens and closes):
            raise RowError(_("A weekly time needs weekday, opens_at and closes_at."))
        hours = {
            "weekday": _choose(
                _weekdays(),
                day.rstrip("."),
                _("Unknown weekday “%(value)s”. Write Mo to So or 1 to 7."),
                OpeningHours.Weekday.choices,
            ),
            "opens_at": _time(opens, "opens_at"),
            "closes_at": _time(closes, "closes_at"),
        }
        if hours["closes_at"] <= hours["opens_at"]:
            raise RowError(_("The end lies before the start."))
        return hours

    def status(self, row: Mapping[str, str], offer: Offer | None) -> str | None:
        """Return the status the row asks for; ``None``: a draft, or keep the current one."""
        value = _cell(row, "status")
        if not value:
            return None
        status = _choose(
            _statuses(),
            value,
            _("Unknown status “%(value)s”. Allowed: %(allowed)s."),
            Offer.Status.choices,
        )
        publishes = status == Offer.Status.PUBLISHED and (
            offer is None or offer.status != Offer.Status.PUBLISHED
        )
        if publishes and not self.may_publish:
            raise RowError(
                _(
                    "You may not publish offers. Leave the status empty or write “%(draft)s”; "
                    "the centre's leadership or coordination publishes them."
                )
                % {"draft": Offer.Status.DRAFT.label}
            )
        return status

    def keep_place_and_hours(
        self,
        offer: Offer,
        plan: _OfferRow,
        location: OfferLocation | None,
        current_hours: OpeningHours | None,
    ) -> bool:
        """Bring the imported place and weekly time up to date; return whether anything changed.

        There is no service that changes a place or a time, so a changed one is removed and
        added again with the same id; a time belongs to the imported place and goes with it.
        """
        place_uid = uuid.uuid5(plan.uid, "location")
        hours_uid = uuid.uuid5(plan.uid, "opening-hours")
        place, hours = plan.place, plan.hours
        if hours is _KEEP:
            hours = (
                {n: getattr(current_hours, n) for n in ("weekday", "opens_at", "closes_at")}
                if current_hours
                else None
            )
        changed = False
        if location is None or _changes(location, place):
            if location is not None:
                services.remove_location(self.acting, location)
                current_hours = None  # removed with its place
            location = services.add_location(self.acting, offer, uid=place_uid, **place)
            changed = True
        wanted = None if hours is None else {**hours, "location": location}
        if current_hours is not None and (wanted is None or _changes(current_hours, wanted)):
            services.remove_opening_hours(self.acting, current_hours)
            current_hours = None
            changed = True
        if wanted is not None and current_hours is None:
            services.add_opening_hours(self.acting, offer, uid=hours_uid, **wanted)
            changed = True
        return changed


def _path(start: str, goal: str) -> list[str]:
    """Return the statuses to pass through from ``start`` to ``goal`` (shortest way)."""
    previous: dict[str, str] = {}
    queue = deque([start])
    while queue:
        status = queue.popleft()
        if status == goal:
            break
        for now, to in services.TRANSITIONS:
            if now == status and to not in previous and to != start:
                previous[to] = status
                queue.append(to)
    if goal != start and goal not in previous:
        raise RowError(_("The offer cannot be moved to this status."))
    steps = []
    status = goal
    while status != start:
        steps.append(status)
        status = previous[status]
    return steps[::-1]
