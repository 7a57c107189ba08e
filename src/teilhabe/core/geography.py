"""Load the shipped reference data of NRW (idempotent)."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

from django.db import transaction

from .generations import REFERENCE_DATA
from .models import AdministrativeDistrict, Centre, District, Municipality, State

DATA = Path(__file__).parent / "data"

#: The city with a centre of its own inside a district (DOMAIN.md: 54 centres).
CITY_CENTRES = {"05334002": "aachen"}


def _read(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _sync(model: type, rows: dict[str, dict[str, object]], counts: dict[str, int]) -> dict:
    """Create the rows of ``model`` (by ``ags``) that are missing, update those that differ.

    One query reads what exists, one ``bulk_create`` and one ``bulk_update`` write the rest, so
    that loading the whole of NRW stays quick (it runs on every ``make run`` and in many tests).
    """
    existing = {obj.ags: obj for obj in model.objects.filter(ags__in=list(rows))}
    new, changed = [], []
    for ags, fields in rows.items():
        obj = existing.get(ags)
        if obj is None:
            new.append(model(ags=ags, **fields))
        elif any(getattr(obj, key) != value for key, value in fields.items()):
            for key, value in fields.items():
                setattr(obj, key, value)
            changed.append(obj)
    model.objects.bulk_create(new, batch_size=500)
    if changed:
        model.objects.bulk_update(changed, list(next(iter(rows.values()))), batch_size=500)
    counts["created"] += len(new)
    counts["updated"] += len(changed)
    if new or changed:
        REFERENCE_DATA.new()  # bulk writes send no signal the kept choices hear
    if new:  # bulk_create does not set primary keys on every database: read them back
        existing = {obj.ags: obj for obj in model.objects.filter(ags__in=list(rows))}
    else:
        existing.update({obj.ags: obj for obj in changed})
    return existing


def _population(value: str) -> int | None:
    return int(value) if value else None


def _coordinate(value: str) -> Decimal | None:
    return Decimal(value) if value else None


@transaction.atomic
def load_geography() -> dict[str, int]:
    """Create or update the Land, its Regierungsbezirke, districts and Gemeinden."""
    counts = {"created": 0, "updated": 0}
    nrw = _sync(State, {"05": {"name": "Nordrhein-Westfalen"}}, counts)["05"]
    district_rows = _read("districts.csv")
    regions = _sync(
        AdministrativeDistrict,
        {
            row["regierungsbezirk_ags"]: {"state_id": nrw.pk, "name": row["regierungsbezirk"]}
            for row in district_rows
        },
        counts,
    )
    districts = _sync(
        District,
        {
            row["ags"]: {
                "administrative_district_id": regions[row["regierungsbezirk_ags"]].pk,
                "name": row["name"],
                "kind": row["kind"],
                "population": _population(row["population"]),
            }
            for row in district_rows
        },
        counts,
    )
    _sync(
        Municipality,
        {
            row["ags"]: {
                "district_id": districts[row["ags"][:5]].pk,
                "name": row["name"],
                "kind": row["kind"],
                "latitude": _coordinate(row["lat"]),
                "longitude": _coordinate(row["lon"]),
                "population": _population(row["population"]),
            }
            for row in _read("municipalities.csv")
        },
        counts,
    )
    return counts


def centre_name(district: District, municipality: Municipality | None = None) -> str:
    """Return the usual name of the centre of a district or city."""
    if municipality is not None:
        return f"Kommunales Integrationszentrum {municipality.name}"
    if district.kind == District.Kind.KREISFREIE_STADT:
        return f"Kommunales Integrationszentrum {district.name}"
    return f"Kommunales Integrationszentrum {district}"


@transaction.atomic
def create_centres() -> int:
    """Create the 54 centres of NRW where they do not exist yet; return how many were new."""
    from django.utils.text import slugify

    existing = set(Centre.objects.values_list("district_id", "municipality_id"))
    created = 0
    for district in District.objects.all():
        if (district.pk, None) in existing:
            continue
        _, new = Centre.objects.get_or_create(
            district=district,
            municipality=None,
            defaults={"name": centre_name(district), "slug": slugify(district.name)[:60]},
        )
        created += new
    for ags, slug in CITY_CENTRES.items():
        town = Municipality.objects.select_related("district").get(ags=ags)
        if (town.district_id, town.pk) in existing:
            continue
        _, new = Centre.objects.get_or_create(
            district=town.district,
            municipality=town,
            defaults={"name": centre_name(town.district, town), "slug": slug},
        )
        created += new
    return created
