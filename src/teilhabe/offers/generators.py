"""The offers' part of the demo and of ``teilhabe seed``: offers of the centres' actors."""

from __future__ import annotations

import random
from datetime import time, timedelta

from django.db import transaction
from django.utils import timezone
from django_scopes import scopes_disabled

from teilhabe.core import seeding
from teilhabe.core.audit import bulk_create_versioned
from teilhabe.core.demo import DEMO_CENTRE, SECOND_CENTRE
from teilhabe.core.models import Centre
from teilhabe.network.models import Actor, FieldOfAction

from .directory import DIRECTORY_GENERATION
from .models import Offer, OfferLocation, OfferText, OpeningHours, Rubric

E, Q, M = FieldOfAction.EDUCATION, FieldOfAction.CROSS_CUTTING, FieldOfAction.MIGRATION
RS = Offer.ResidenceStatus

#: (German title, description, English title, field, rubric, ages, statuses, languages)
TEMPLATES = [
    (
        "Sprachcafé",
        "Deutsch sprechen in lockerer Runde, ohne Anmeldung. Ehrenamtliche "
        "helfen beim Üben für Alltag, Arbeit und Prüfungen.",
        "Language café",
        M,
        "Sprache",
        (16, None),
        [],
        "Deutsch, Arabisch, Ukrainisch",
    ),
    (
        "Hausaufgabenhilfe für Seiteneinsteiger",
        "Unterstützung bei den Hausaufgaben und beim "
        "Deutschlernen für neu zugewanderte Schülerinnen und Schüler.",
        "Homework support for newly arrived pupils",
        E,
        "Schule",
        (10, 18),
        [],
        "Deutsch, Englisch",
    ),
    (
        "Migrationsberatung für Erwachsene",
        "Beratung zu Sprache, Arbeit, Wohnen, Gesundheit und "
        "Behördenpost für Zugewanderte ab 27 Jahren.",
        "Migration counselling for adults",
        M,
        "Beratung",
        (27, None),
        [RS.PROTECTION, RS.RESIDENCE_PERMIT, RS.EU_CITIZEN, RS.GERMAN],
        "Deutsch, Arabisch, Russisch, Türkisch",
    ),
    (
        "Jugendmigrationsdienst",
        "Beratung und Begleitung für junge Menschen mit "
        "Zuwanderungsgeschichte zwischen 12 und 27 Jahren: Schule, Ausbildung, Beruf.",
        "Youth migration service",
        E,
        "Übergang Schule–Beruf",
        (12, 27),
        [],
        "Deutsch, Englisch",
    ),
    (
        "Asylverfahrensberatung",
        "Unabhängige Beratung zum Asylverfahren, zu Anhörung und Bescheid.",
        "Asylum procedure counselling",
        M,
        "Beratung",
        (None, None),
        [RS.ASYLUM_SEEKER, RS.TOLERATED],
        "Deutsch, Arabisch, Farsi, Tigrinya",
    ),
    (
        "Rucksack Kita",
        "Elternprogramm zur Sprachbildung: Eltern stärken die Mehrsprachigkeit "
        "ihrer Kinder im Kita-Alter.",
        "Rucksack programme for parents of Kita children",
        E,
        "Frühe Bildung",
        (None, None),
        [],
        "Deutsch, Türkisch, Arabisch",
    ),
    (
        "Griffbereit",
        "Spiel- und Sprachgruppe für Eltern mit Kindern von 1 bis 3 Jahren.",
        "Griffbereit parent and toddler group",
        E,
        "Frühe Bildung",
        (1, 3),
        [],
        "Deutsch, Arabisch",
    ),
    (
        "Bewerbungstraining",
        "Lebenslauf, Anschreiben und Vorstellungsgespräch üben – mit "
        "Computerplätzen und Begleitung.",
        "Job application training",
        Q,
        "Arbeit",
        (16, None),
        [],
        "Deutsch, Englisch",
    ),
    (
        "Frauentreff international",
        "Offener Treffpunkt für Frauen aller Herkunft mit Kinderbetreuung.",
        "International women's meeting point",
        Q,
        "Teilhabe",
        (16, None),
        [],
        "Deutsch, Arabisch, Farsi, Ukrainisch",
    ),
    (
        "Sportangebot für Geflüchtete",
        "Fußball und Fitness für Geflüchtete und Einheimische, ohne Mitgliedsbeitrag.",
        "Sport for refugees and locals",
        Q,
        "Sport",
        (12, None),
        [RS.ASYLUM_SEEKER, RS.TOLERATED, RS.PROTECTION, RS.TEMPORARY_PROTECTION],
        "Deutsch",
    ),
    (
        "Anerkennungsberatung",
        "Beratung zur Anerkennung ausländischer Berufs- und Studienabschlüsse.",
        "Recognition of foreign qualifications",
        Q,
        "Arbeit",
        (18, None),
        [],
        "Deutsch, Englisch, Russisch",
    ),
    (
        "Elterncafé an der Grundschule",
        "Austausch für Eltern über Schule, Hausaufgaben und Elternabende, mit Sprachmittlung.",
        "Parents' café at the primary school",
        E,
        "Schule",
        (None, None),
        [],
        "Deutsch, Türkisch, Arabisch, Rumänisch",
    ),
    (
        "Fahrradwerkstatt",
        "Gemeinsam Fahrräder reparieren – Ersatzteile werden gestellt.",
        "Bicycle repair workshop",
        Q,
        "Teilhabe",
        (12, None),
        [],
        "Deutsch",
    ),
    (
        "Integrationskurs",
        "Sprach- und Orientierungskurs bis Niveau B1 mit Abschlussprüfung.",
        "Integration course",
        M,
        "Sprache",
        (16, None),
        [RS.PROTECTION, RS.RESIDENCE_PERMIT, RS.TEMPORARY_PROTECTION, RS.EU_CITIZEN],
        "Deutsch",
    ),
]
#: The default rubric (its key, models.DEFAULT_RUBRICS) of each template, by German title.
DEMO_RUBRICS = {
    "Sprachcafé": "german_courses",
    "Hausaufgabenhilfe für Seiteneinsteiger": "newcomer_pupils",
    "Migrationsberatung für Erwachsene": "arrival_counselling",
    "Jugendmigrationsdienst": "school_to_work",
    "Asylverfahrensberatung": "arrival_counselling",
    "Rucksack Kita": "language_education",
    "Griffbereit": "early_childhood",
    "Bewerbungstraining": "work_training",
    "Frauentreff international": "participation",
    "Sportangebot für Geflüchtete": "sport",
    "Anerkennungsberatung": "work_training",
    "Elterncafé an der Grundschule": "parents",
    "Fahrradwerkstatt": "volunteering",
    "Integrationskurs": "german_courses",
}
AVAILABILITY = [Offer.Availability.AVAILABLE] * 5 + [
    Offer.Availability.LIMITED,
    Offer.Availability.WAITING_LIST,
    Offer.Availability.FULL,
]


#: Offers statewide at factor 1 (the issue's ~30,000).
STATE_OFFERS = 30_000


def populate(centre: Centre, seed: int, per_town: int, *, total: int | None = None) -> int:
    """Create offers of the centre's actors in every Gemeinde; existing ones are kept.

    ``total``: share that many offers among the Gemeinden by their residents instead of
    ``per_town`` templates twice in each (volume data: no versions in the audit log).
    """
    rng = random.Random(f"{seed}-{centre.slug}-offers")  # noqa: S311  (reproducible)
    providers = list(
        Actor.objects.filter(centre=centre, is_active=True)
        .exclude(kind__in=Actor.AUTHORITIES)
        .order_by("name")
    )
    if not providers:
        return 0
    today = timezone.localdate()
    existing = set(
        OfferText.objects.filter(offer__centre=centre, language="de").values_list(
            "title", flat=True
        )
    )
    offers: list[Offer] = []
    texts: list[OfferText] = []
    places: list[OfferLocation] = []
    hours: list[OpeningHours] = []
    default_rubrics = {r.key: r for r in Rubric.objects.defaults()}
    towns = list(centre.municipalities().order_by("name"))
    if total is None:
        plan = [
            (town, template, variant)
            for town in towns
            for variant in range(2)
            for template in rng.sample(TEMPLATES, min(per_town, len(TEMPLATES)))
        ]
    else:
        weights = dict(zip(towns, seeding.town_weights(centre, towns), strict=True))
        plan = []
        for town, count in seeding.split(total, weights).items():
            templates = rng.sample(TEMPLATES, len(TEMPLATES))
            plan += [
                (town, templates[n % len(templates)], n // len(templates)) for n in range(count)
            ]
    for town, template, variant in plan:
        title_de, text, title_en, field, rubric, (lo, hi), statuses, languages = template
        # Each offer draws from its own stream: a second run plans the very same offers.
        rng = random.Random(f"{seed}-{town.ags}-{variant}-{title_de}")  # noqa: S311
        provider = rng.choice(providers)
        where = town.name if variant < 2 else f"{town.name}, Standort {variant}"
        title = f"{title_de} {where}" + (f" ({provider.name})" if variant else "")
        status = rng.choices(
            [
                Offer.Status.PUBLISHED,
                Offer.Status.DRAFT,
                Offer.Status.REVIEW,
                Offer.Status.ARCHIVED,
            ],
            [80, 8, 7, 5],
        )[0]
        verified = today - timedelta(days=rng.randint(0, 540))
        free = rng.random() < 0.8
        availability = rng.choice(AVAILABILITY)
        start = rng.choice([1, 2, 3, 4, 5])
        if title in existing:
            continue
        offer = Offer(
            centre=centre,
            provider=provider,
            status=status,
            field_of_action=str(field),
            rubric=default_rubrics.get(DEMO_RUBRICS.get(title_de, "")),
            min_age=lo,
            max_age=hi,
            residence_statuses=[str(s) for s in statuses],
            languages=languages,
            free_of_charge=free,
            fees="" if free else "5 € pro Termin, ermäßigt 2 €",
            capacity=rng.choice([None, 8, 12, 15, 20, 25]),
            availability=availability,
            accessible=rng.random() < 0.6,
            email=provider.email,
            phone=provider.phone,
            last_verified=verified,
        )
        offers.append(offer)
        texts.append(OfferText(offer=offer, language="de", title=title, description=text))
        if rng.random() < 0.6:
            texts.append(
                OfferText(
                    offer=offer,
                    language="en",
                    title=f"{title_en} {town.name}",
                    description=f"{title_en} in {town.name}.",
                    source_revision=1 if rng.random() < 0.8 else 0,
                )
            )
        place = OfferLocation(
            offer=offer,
            name=provider.name,
            street=provider.street,
            postcode=provider.postcode,
            municipality=town,
            latitude=town.latitude,
            longitude=town.longitude,
        )
        places.append(place)
        opens = rng.choice([9, 10, 15])
        hours.append(
            OpeningHours(
                offer=offer,
                location=place,
                weekday=start,
                opens_at=time(opens),
                closes_at=time(opens + rng.choice([2, 3])),
            )
        )
        existing.add(title)
    # In bulk, in the order planned (so the rows are those one-by-one saves gave), with the
    # first version of each offer and text in the audit log as a save() would write it; at
    # state scale without versions, like the other generators' volume data (synthetic).
    if total is None:
        bulk_create_versioned(Offer, offers)
        bulk_create_versioned(OfferText, texts)
    else:
        Offer.objects.bulk_create(offers, batch_size=1000)
        OfferText.objects.bulk_create(texts, batch_size=1000)
    OfferLocation.objects.bulk_create(places, batch_size=1000)
    OpeningHours.objects.bulk_create(hours, batch_size=1000)
    DIRECTORY_GENERATION.new()  # bulk_create sends no signal the public directory hears
    return len(offers)


@seeding.register("offers")
@transaction.atomic
def generate(scale: str, seed: int, factor: float) -> dict[str, int]:
    """Create offers (about 300 in the demo Kreis; about 30,000 statewide at factor 1)."""
    with scopes_disabled():
        centres = Centre.objects.select_related("district", "municipality").order_by("pk")
        if scale == "demo":
            centres = centres.filter(slug__in=[DEMO_CENTRE, SECOND_CENTRE])
        elif scale == "kreis":
            centres = centres.filter(slug=DEMO_CENTRE)
        shares: dict[int, int] = {}
        if scale == "state":
            # Bigger cities and Kreise have more offers, in proportion to their residents.
            centres = list(centres)
            shares = seeding.split(round(STATE_OFFERS * factor), seeding.centre_weights(centres))
        total = sum(populate(centre, seed, 14, total=shares.get(centre.pk)) for centre in centres)
    return {"offers": total}
