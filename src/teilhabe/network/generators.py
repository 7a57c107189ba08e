"""The network's part of the demo and of ``teilhabe seed``: actors with contact persons."""

from __future__ import annotations

import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django_scopes import scopes_disabled
from faker import Faker

from teilhabe.core import seeding
from teilhabe.core.demo import DEMO_CENTRE, ORGANISATIONS, SECOND_CENTRE
from teilhabe.core.generations import REFERENCE_DATA
from teilhabe.core.models import Centre, Organisation

from .models import (
    Actor,
    ContactPerson,
    CooperationAgreement,
    FieldOfAction,
    FollowUp,
    GroupMember,
    Meeting,
    WorkingGroup,
)

K = Actor.Kind
E, Q, M = FieldOfAction.EDUCATION, FieldOfAction.CROSS_CUTTING, FieldOfAction.MIGRATION

#: Actors of a Kreis (name pattern, kind, fields, Gemeinde or None for the seat of the Kreis).
KREIS_ACTORS = [
    ("Ausländerbehörde {district}", K.IMMIGRATION_OFFICE, [M], None),
    ("Jobcenter {district}", K.JOBCENTRE, [Q, M], None),
    ("Agentur für Arbeit, Geschäftsstelle {town}", K.EMPLOYMENT_AGENCY, [Q], None),
    ("Sozialamt {district}", K.SOCIAL_WELFARE_OFFICE, [Q], None),
    ("Jugendamt {district}", K.YOUTH_OFFICE, [E], None),
    ("Schulamt für {district}", K.SCHOOL_AUTHORITY, [E], None),
    ("Gesundheitsamt {district}", K.HEALTH_OFFICE, [Q], None),
    ("Volkshochschule {town}", K.ADULT_EDUCATION, [E, M], None),
    ("Integrationsrat {town}", K.INTEGRATION_COUNCIL, [Q], None),
    ("Kreishandwerkerschaft {district}", K.CHAMBER, [Q], None),
]
#: Actors per Gemeinde (a subset is used for each Gemeinde).
LOCAL_ACTORS = [
    ("Familienzentrum St. Marien {town}", K.KITA, [E]),
    ("Flüchtlingshilfe {town} e. V.", K.VOLUNTEER_INITIATIVE, [M]),
    ("Deutsch-Syrischer Kulturverein {town}", K.MSO, [Q, M]),
    ("Türkisch-Islamischer Kulturverein {town}", K.MSO, [Q]),
    ("SV Grün-Weiß {town}", K.SPORTS_CLUB, [Q]),
    ("Sprachcafé {town}", K.VOLUNTEER_INITIATIVE, [E, M]),
    ("Bildungswerk {town} gGmbH", K.PROVIDER, [E]),
]
WELFARE = [
    ("Caritasverband {district}", K.WELFARE, [Q, M]),
    ("Diakonisches Werk {district}", K.WELFARE, [Q, M]),
    ("AWO Kreisverband {district}", K.WELFARE, [Q]),
    ("DRK-Kreisverband {district}", K.WELFARE, [M]),
]
#: Actors statewide at factor 1 (the issue's ~10,000).
STATE_ACTORS = 10_000
#: Quarters that tell apart further local actors of one kind in a big town.
QUARTERS = ["Mitte", "Nord", "Süd", "Ost", "West", "Innenstadt", "Altstadt", "Neustadt"]
LANGUAGES = [
    "Arabisch",
    "Ukrainisch",
    "Türkisch",
    "Russisch",
    "Farsi",
    "Kurdisch",
    "Englisch",
    "Französisch",
    "Tigrinya",
    "Polnisch",
    "Rumänisch",
]


def _place(centre: Centre) -> tuple[str, list]:
    district = str(centre.district) if centre.municipality_id is None else centre.municipality.name
    return district, list(centre.municipalities())


def _quarter(town: str, round_: int) -> str:
    """Return where the ``round_``-th actor of a kind in ``town`` is: the town, then quarters."""
    if round_ == 0:
        return town
    quarter = QUARTERS[(round_ - 1) % len(QUARTERS)]
    again = (round_ - 1) // len(QUARTERS)
    return f"{town}-{quarter}" + (f" {again + 1}" if again else "")


def populate(
    centre: Centre, seed: int, local_per_town: int, *, local_total: int | None = None
) -> int:
    """Create the actors of one centre where they do not exist yet; return how many are new.

    Every centre draws from its own random streams, and every planned actor is drawn whether
    it exists or not, so a second run plans exactly the same actors and adds none.
    ``local_total``: the local actors (beside those of the Kreis) are shared among the
    Gemeinden by their residents instead of ``local_per_town`` each.
    """
    rng = random.Random(f"{seed}-{centre.slug}")  # noqa: S311  (reproducible, not secret)
    fake = Faker("de_DE")
    fake.seed_instance(f"{seed}-{centre.slug}")
    district, towns = _place(centre)
    if not towns:  # a Kreis whose Gemeinden are not in the geography data yet
        return 0
    # The seat: the town named like the district (Coesfeld, Münster), else the biggest one.
    seat = next(
        (t for t in towns if t.name == centre.district.name),
        max(towns, key=lambda t: t.population or 0),
    )
    plan = []
    for pattern, kind, fields, _town in KREIS_ACTORS:
        plan.append((pattern.format(district=district, town=seat.name), kind, fields, seat))
    for pattern, kind, fields in WELFARE:
        plan.append((pattern.format(district=district), kind, fields, seat))
    quotas = (
        None
        if local_total is None
        else seeding.split(
            local_total,
            dict(zip(towns, seeding.town_weights(centre, towns), strict=True)),
        )
    )
    for town in towns:
        if quotas is None:
            for pattern, kind, fields in rng.sample(LOCAL_ACTORS, min(local_per_town, 7)):
                plan.append((pattern.format(town=town.name), kind, fields, town))
            continue
        kinds = rng.sample(LOCAL_ACTORS, len(LOCAL_ACTORS))
        for n in range(quotas[town]):
            pattern, kind, fields = kinds[n % len(kinds)]
            place = _quarter(town.name, n // len(kinds))
            plan.append((pattern.format(town=place), kind, fields, town))
    drawn = [
        Actor(
            centre=centre,
            name=name,
            kind=kind,
            fields_of_action=[str(f) for f in fields],
            municipality=town,
            street=fake.street_address(),
            postcode=fake.postcode(),
            latitude=town.latitude,
            longitude=town.longitude,
            email=f"kontakt{n}@{centre.slug}.example",
            phone=fake.phone_number(),
            languages=", ".join(rng.sample(LANGUAGES, rng.randint(0, 3))),
        )
        for n, (name, kind, fields, town) in enumerate(plan)
    ]
    contacts = {
        actor.name: ContactPerson(
            name=fake.name(),
            email=f"{fake.user_name()}@{centre.slug}.example",
            function=rng.choice(["Leitung", "Beratung", "Koordination", "Integration"]),
            is_public=rng.random() < 0.5,
        )
        for actor in drawn
    }
    existing = set(Actor.objects.filter(centre=centre).values_list("name", flat=True))
    new = [actor for actor in drawn if actor.name not in existing]
    Actor.objects.bulk_create(new, batch_size=1000)
    REFERENCE_DATA.new()  # bulk_create sends no signal the kept choices hear
    for actor in Actor.objects.filter(centre=centre, name__in=[a.name for a in new]):
        contacts[actor.name].actor = actor
    ContactPerson.objects.bulk_create(
        [c for c in contacts.values() if c.actor_id is not None], batch_size=1000
    )
    return len(new)


def link_partner(centre: Centre) -> int:
    """Give the demo partner organisation its actor, so its users can keep it; 1 if new."""
    name = ORGANISATIONS.get(centre.slug)
    organisation = Organisation.objects.filter(centre=centre, name=name).first()
    if organisation is None:
        return 0
    _actor, created = Actor.objects.get_or_create(
        centre=centre,
        name=name,
        defaults={
            "kind": Actor.Kind.PROVIDER,
            "organisation": organisation,
            "fields_of_action": [str(FieldOfAction.MIGRATION)],
        },
    )
    return int(created)


GROUPS = [
    ("Netzwerk Chancengerechtigkeit", WorkingGroup.Kind.NETWORK, [E], "education"),
    ("KIM-Lenkungsgruppe", WorkingGroup.Kind.STEERING, [Q, M], "authority"),
    ("AG Querschnitt", WorkingGroup.Kind.WORKING_GROUP, [Q], "civil"),
]


def populate_groups(centre: Centre, seed: int) -> int:
    """Give a centre its networks with members, two meetings each and three agreements."""
    if WorkingGroup.objects.filter(centre=centre).exists():
        return 0
    rng = random.Random(f"{seed}-{centre.slug}-groups")  # noqa: S311  (reproducible)
    today = timezone.localdate()
    actors = list(Actor.objects.filter(centre=centre).order_by("name"))
    pools = {
        "education": [a for a in actors if FieldOfAction.EDUCATION in a.fields_of_action],
        "authority": [a for a in actors if a.is_authority],
        "civil": [a for a in actors if not a.is_authority],
    }
    for name, kind, fields, pool in GROUPS:
        group = WorkingGroup.objects.create(
            centre=centre, name=name, kind=kind, fields_of_action=[str(f) for f in fields]
        )
        members = rng.sample(pools[pool], min(len(pools[pool]), rng.randint(4, 8)))
        GroupMember.objects.bulk_create(
            [GroupMember(group=group, actor=a, role="Mitglied") for a in members]
        )
        for weeks_ago in (10, 3):
            meeting = Meeting.objects.create(
                group=group,
                date=today - timedelta(weeks=weeks_ago),
                place="Kreishaus",
                minutes="Bericht aus den Mitgliedsorganisationen; Austausch zu Bedarfen.",
                decisions="Gemeinsame Informationsveranstaltung im nächsten Quartal.",
            )
            meeting.attendees.set(members[: max(2, len(members) - 1)])
            FollowUp.objects.create(
                meeting=meeting,
                task="Termin der Informationsveranstaltung abstimmen",
                responsible=members[0] if members else None,
                due=meeting.date + timedelta(weeks=4),
                done=weeks_ago == 10,
            )
    for title, start, end in [
        ("Kooperation Sprachförderung", today - timedelta(days=700), today + timedelta(days=45)),
        ("Rahmenvereinbarung KIM", today - timedelta(days=300), today + timedelta(days=800)),
        ("Projekt Elterncafé", today - timedelta(days=900), today - timedelta(days=30)),
    ]:
        agreement = CooperationAgreement.objects.create(
            centre=centre, title=title, valid_from=start, valid_until=end
        )
        agreement.partners.set(rng.sample(actors, min(len(actors), 2)))
    return len(GROUPS)


@seeding.register("network")
@transaction.atomic
def generate(scale: str, seed: int, factor: float) -> dict[str, int]:
    """Create actors for the centres of ``scale`` (about 10,000 statewide at factor 1)."""
    with scopes_disabled():
        centres = Centre.objects.select_related("district", "municipality").order_by("pk")
        if scale == "demo":
            centres = centres.filter(slug__in=[DEMO_CENTRE, SECOND_CENTRE])
        elif scale == "kreis":
            centres = centres.filter(slug=DEMO_CENTRE)
        local: dict[int, int | None] = {}
        if scale == "state":
            # Bigger cities and Kreise have more actors, in proportion to their residents.
            centres = list(centres)
            shares = seeding.split(round(STATE_ACTORS * factor), seeding.centre_weights(centres))
            per_centre = len(KREIS_ACTORS) + len(WELFARE)
            local = {pk: max(0, share - per_centre) for pk, share in shares.items()}
        total = groups = 0
        for centre in centres:
            total += populate(centre, seed, 4, local_total=local.get(centre.pk))
            total += link_partner(centre)
            groups += populate_groups(centre, seed)
    return {"actors": total, "working groups": groups}
