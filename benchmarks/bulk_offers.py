"""Top a benchmark database up with published offers, fast, for the directory and HSDS figures.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/teilhabe_bench \\
        .venv/bin/python benchmarks/bulk_offers.py --total 20000 [--busiest 2500] [--seed 1]

Benchmark data only: the offers are written with ``bulk_create`` and **without versions**
(no audit entries), which the application itself never does. Each offer gets a German text
(a third also an English one), one or two places in Gemeinden of its centre and one to three
weekly times; about one in eight is free of charge only for some ages, and so on, so that the
export and the search see the shapes real data has. The busiest centre (the one with the most
published offers already) gets ``--busiest`` of them (state size: one big city), the rest is
spread over the centres by their number of Gemeinden. Run on a database seeded with
``teilhabe seed --scale state`` (it needs centres, Gemeinden and actors).
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
import uuid

WORDS = [
    "Beratung",
    "Sprachkurs",
    "Deutsch",
    "Integrationskurs",
    "Begleitung",
    "Elterncafé",
    "Hausaufgabenhilfe",
    "Bewerbung",
    "Nachhilfe",
    "Frauentreff",
    "Sport",
    "Schwimmen",
    "Jugendtreff",
    "Sozialberatung",
    "Migrationsberatung",
    "Kinderbetreuung",
    "Ausbildung",
    "Anerkennung",
    "Wohnungssuche",
    "Gesundheit",
]
TOPICS = [
    "für Frauen",
    "für Jugendliche",
    "für Familien",
    "für Neuzugewanderte",
    "am Abend",
    "im Stadtteil",
    "mit Kinderbetreuung",
    "online",
]
LANGUAGES = ["Deutsch", "Arabisch", "Türkisch", "Ukrainisch", "Russisch", "Farsi", "Englisch"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--total", type=int, default=20_000, help="published offers wanted")
    parser.add_argument("--busiest", type=int, default=2_500, help="of which in one centre")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "teilhabe.settings")
    import django

    django.setup()
    from django.db import transaction
    from django.utils import timezone
    from django_scopes import scopes_disabled

    from teilhabe.core.models import Centre
    from teilhabe.network.models import Actor, FieldOfAction
    from teilhabe.offers.models import Offer, OfferLocation, OfferText, OpeningHours

    rng = random.Random(args.seed)  # noqa: S311 - reproducible test data
    today = timezone.localdate()
    started = time.perf_counter()
    with scopes_disabled(), transaction.atomic():
        published = Offer.objects.filter(status=Offer.Status.PUBLISHED)
        have = published.count()
        if have >= args.total:
            print(f"{have:,} published offers already; nothing to do")
            return 0
        centres = []
        for centre in Centre.objects.order_by("pk"):
            towns = list(centre.municipalities())
            actors = list(Actor.objects.filter(centre=centre).exclude(kind__in=Actor.AUTHORITIES))
            if towns and actors:
                centres.append((centre, towns, actors, published.filter(centre=centre).count()))
        if not centres:
            print("no centre with Gemeinden and actors; seed first", file=sys.stderr)
            return 2
        centres.sort(key=lambda c: (-c[3], c[0].pk))
        missing = args.total - have
        wanted = {centres[0][0].pk: max(0, min(missing, args.busiest - centres[0][3]))}
        rest = missing - wanted[centres[0][0].pk]
        weights = sum(len(towns) for _c, towns, _a, _n in centres[1:]) or 1
        for centre, towns, _actors, _n in centres[1:]:
            wanted[centre.pk] = rest * len(towns) // weights
        wanted[centres[0][0].pk] += missing - sum(wanted.values())
        fields = list(FieldOfAction.values)
        made = 0
        for centre, towns, actors, _n in centres:
            offers, texts, places, hours = [], [], [], []
            for _ in range(wanted[centre.pk]):
                low = rng.choice([None, None, 6, 12, 16, 18])
                free = rng.random() < 0.8
                offer = Offer(
                    centre=centre,
                    uid=uuid.UUID(int=rng.getrandbits(128), version=4),
                    provider=rng.choice(actors),
                    status=Offer.Status.PUBLISHED,
                    field_of_action=rng.choice(fields),
                    min_age=low,
                    max_age=rng.choice([None, 27, 65]) if low is not None else None,
                    languages=", ".join(rng.sample(LANGUAGES, rng.randint(1, 3))),
                    free_of_charge=free,
                    fees="" if free else f"{rng.randint(1, 30)} € pro Termin",
                    accessible=rng.random() < 0.4,
                    email=f"angebot{rng.randint(1, 99999)}@example.org"
                    if rng.random() < 0.6
                    else "",
                    url="https://example.org/angebot" if rng.random() < 0.3 else "",
                    last_verified=today,
                )
                offers.append(offer)
            Offer.objects.bulk_create(offers, batch_size=2000)
            for offer in offers:
                town = rng.choice(towns)
                title = f"{rng.choice(WORDS)} {rng.choice(TOPICS)} in {town.name}"
                description = " ".join(rng.sample(WORDS, 6)) + ". " + rng.choice(TOPICS) + "."
                texts.append(
                    OfferText(offer=offer, language="de", title=title, description=description)
                )
                if rng.random() < 0.3:
                    texts.append(
                        OfferText(
                            offer=offer,
                            language="en",
                            title=f"{title} (en)",
                            description=description,
                        )
                    )
                for n in range(rng.choice([1, 1, 1, 2])):
                    place_town = town if n == 0 else rng.choice(towns)
                    places.append(
                        OfferLocation(
                            offer=offer,
                            street=f"Hauptstraße {rng.randint(1, 200)}",
                            postcode=f"{rng.randint(40000, 59999)}",
                            municipality=place_town,
                            latitude=place_town.latitude,
                            longitude=place_town.longitude,
                        )
                    )
            OfferText.objects.bulk_create(texts, batch_size=2000)
            OfferLocation.objects.bulk_create(places, batch_size=2000)
            first_place = {}
            for place in places:
                first_place.setdefault(place.offer_id, place)
            for offer in offers:
                for _ in range(rng.randint(1, 3)):
                    opens = rng.randint(8, 18)
                    hours.append(
                        OpeningHours(
                            offer=offer,
                            location=first_place[offer.pk] if rng.random() < 0.7 else None,
                            weekday=rng.randint(1, 7),
                            opens_at=f"{opens:02d}:00",
                            closes_at=f"{opens + rng.randint(1, 3):02d}:30",
                        )
                    )
            OpeningHours.objects.bulk_create(hours, batch_size=2000)
            made += len(offers)
        print(
            f"{made:,} published offers added ({have:,} before, {have + made:,} now; "
            f"{wanted[centres[0][0].pk]:,} in {centres[0][0].slug}) in "
            f"{time.perf_counter() - started:.1f} s"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
