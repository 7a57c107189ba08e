"""Load the shipped reference data of NRW (idempotent)."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

from django.db import transaction

from .models import AdministrativeDistrict, Centre, District, Municipality, State

DATA = Path(__file__).parent / "data"

#: The city with a centre of its own inside a district (DOMAIN.md: 54 centres).
CITY_CENTRES = {"05334002": "aachen"}


def _read(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@transaction.atomic
def load_geography() -> dict[str, int]:
    """Create or update the Land, its Regierungsbezirke, districts and known Gemeinden."""
    counts = {"created": 0, "updated": 0}

    def upsert(model: type, ags: str, **fields: object) -> object:
        obj, created = model.objects.get_or_create(ags=ags, defaults=fields)
        if created:
            counts["created"] += 1
        elif any(getattr(obj, k) != v for k, v in fields.items()):
            for key, value in fields.items():
                setattr(obj, key, value)
            obj.save()
            counts["updated"] += 1
        return obj

    nrw = upsert(State, "05", name="Nordrhein-Westfalen")
    districts: dict[str, District] = {}
    regions: dict[str, AdministrativeDistrict] = {}
    for row in _read("districts.csv"):
        region_ags = row["regierungsbezirk_ags"]
        if region_ags not in regions:
            regions[region_ags] = upsert(
                AdministrativeDistrict, region_ags, state=nrw, name=row["regierungsbezirk"]
            )
        districts[row["ags"]] = upsert(
            District,
            row["ags"],
            administrative_district=regions[region_ags],
            name=row["name"],
            kind=row["kind"],
        )
    for row in _read("municipalities.csv"):
        upsert(
            Municipality,
            row["ags"],
            district=districts[row["ags"][:5]],
            name=row["name"],
            kind=row["kind"],
            latitude=Decimal(row["lat"]) if row["lat"] else None,
            longitude=Decimal(row["lon"]) if row["lon"] else None,
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

    created = 0
    for district in District.objects.all():
        _, new = Centre.objects.get_or_create(
            district=district,
            municipality=None,
            defaults={"name": centre_name(district), "slug": slugify(district.name)[:60]},
        )
        created += new
    for ags, slug in CITY_CENTRES.items():
        town = Municipality.objects.get(ags=ags)
        _, new = Centre.objects.get_or_create(
            district=town.district,
            municipality=town,
            defaults={"name": centre_name(town.district, town), "slug": slug},
        )
        created += new
    return created
