"""Demo and volume data of the Seiteneinsteigerberatung: schools, places, newcomer pupils.

* ``demo``: the Kreis Coesfeld gets about 36 schools in its real Gemeinden (synthetic names),
  places for the school years 2025 and 2026, and about 300 newcomer pupils in every status.
  A centre that has schools already is left as it is, so ``teilhabe demo`` can run on every
  start.
* ``kreis``: the Kreis Coesfeld with the same schools and about 1,500 pupils at factor 1.
* ``state``: about 1,000 schools and 50,000 pupils at factor 1, shared among the centres by the
  residents of their areas; within a centre every Gemeinde has a school (where the share is big
  enough) and the rest of the schools and the pupils' homes follow the residents too. Centres
  whose Gemeinden are not in the reference data get none (a school needs its Gemeinde). A
  centre is topped up to its share of pupils.

Everything is drawn from random streams seeded by ``seed`` and the centre, so the same seed
gives the same data on an empty database. Placements never exceed the places: a pupil who would
find no free place stays counselled (waiting). Rows are written with ``bulk_create`` (no audit
versions: synthetic data). All people are invented.
"""

from __future__ import annotations

import datetime
import itertools
import math
import random
import sys
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django_scopes import scopes_disabled

from teilhabe.core import seeding
from teilhabe.core.demo import DEMO_CENTRE
from teilhabe.core.models import Centre, Municipality

from .models import (
    FORM_STAGES,
    Capacity,
    Counselling,
    Guardian,
    InitialSupport,
    Pupil,
    School,
    SchoolForm,
    Stage,
    school_year_of,
)
from .services import age_on, default_grade

BATCH = 5_000
DEMO_PUPILS = 300
KREIS_PUPILS = 1_500
STATE_SCHOOLS = 1_000
STATE_PUPILS = 50_000
#: Pupils per school the demo's places are sized for; more pupils per school, more places.
DEMO_LOAD = DEMO_PUPILS / 36

F = SchoolForm
#: The demo Kreis: Grundschulen per Gemeinde and further schools of the larger towns.
COESFELD = {
    "Ascheberg": (2, [F.SEKUNDARSCHULE]),
    "Billerbeck": (2, [F.GYMNASIUM]),
    "Coesfeld": (4, [F.HAUPTSCHULE, F.REALSCHULE, F.GYMNASIUM, F.BERUFSKOLLEG]),
    "Dülmen": (4, [F.REALSCHULE, F.GESAMTSCHULE, F.GYMNASIUM, F.FOERDERSCHULE]),
    "Havixbeck": (1, [F.GESAMTSCHULE]),
    "Lüdinghausen": (3, [F.REALSCHULE, F.GYMNASIUM, F.BERUFSKOLLEG]),
    "Nordkirchen": (1, []),
    "Nottuln": (3, [F.GESAMTSCHULE]),
    "Olfen": (2, [F.SEKUNDARSCHULE]),
    "Rosendahl": (2, []),
    "Senden": (3, [F.GESAMTSCHULE]),
}
PLACES_NAMES = [
    "am Markt",
    "an der Kirche",
    "am Park",
    "im Süden",
    "am Wall",
    "an der Linde",
    "im Grünen",
    "am Bach",
    "St. Marien",
    "St. Josef",
]
FORM_NAMES = {
    F.PRIMARY: "Grundschule",
    F.HAUPTSCHULE: "Hauptschule",
    F.REALSCHULE: "Realschule",
    F.SEKUNDARSCHULE: "Sekundarschule",
    F.GESAMTSCHULE: "Gesamtschule",
    F.GYMNASIUM: "Gymnasium",
    F.FOERDERSCHULE: "Förderschule",
    F.BERUFSKOLLEG: "Berufskolleg",
}
FORM_GRADES = {
    F.PRIMARY: (1, 4),
    F.HAUPTSCHULE: (5, 10),
    F.REALSCHULE: (5, 10),
    F.SEKUNDARSCHULE: (5, 10),
    F.GESAMTSCHULE: (5, 13),
    F.GYMNASIUM: (5, 13),
    F.FOERDERSCHULE: (1, 10),
    F.BERUFSKOLLEG: (11, 13),
}
#: Share of school forms at state scale (beside one Berufskolleg per centre).
FORM_MIX = [
    (F.PRIMARY, 60),
    (F.HAUPTSCHULE, 6),
    (F.REALSCHULE, 8),
    (F.SEKUNDARSCHULE, 5),
    (F.GESAMTSCHULE, 9),
    (F.GYMNASIUM, 10),
    (F.FOERDERSCHULE, 2),
]
#: Places per stage and school (low, high) before scaling by the load.
PLACES = {
    Stage.PRIMARY: (3, 8),
    Stage.SECONDARY_1: (5, 12),
    Stage.SECONDARY_2: (1, 3),
    Stage.IFK: (12, 24),
}
SUPPORT = {
    Stage.PRIMARY: [InitialSupport.INTEGRATED, InitialSupport.PARTLY],
    Stage.SECONDARY_1: [InitialSupport.PARTLY, InitialSupport.SEPARATE],
    Stage.SECONDARY_2: [InitialSupport.PARTLY],
    Stage.IFK: [InitialSupport.IFK],
}
#: Status of a pupil and its weight.
STATUS_MIX = [
    (Pupil.Status.REPORTED, 10),
    (Pupil.Status.INVITED, 7),
    (Pupil.Status.COUNSELLED, 10),
    (Pupil.Status.PROPOSED, 3),
    (Pupil.Status.PLACED, 12),
    (Pupil.Status.STARTED, 50),
    (Pupil.Status.MOVED_AWAY, 5),
    (Pupil.Status.OTHER, 3),
]
#: Country: weight, first names, last names, family language, letter language.
ORIGINS = {
    "SY": (
        24,
        ["Ahmad", "Omar", "Youssef", "Layla", "Nour", "Rania", "Karim", "Mariam"],
        ["Haddad", "Khalil", "Nasser", "Saleh", "Darwish", "Mansour"],
        "Arabisch",
        "ar",
    ),
    "UA": (
        26,
        ["Oleksandr", "Dmytro", "Ivan", "Olena", "Iryna", "Sofiia", "Bohdan", "Anna"],
        ["Shevchenko", "Kovalenko", "Bondarenko", "Melnyk", "Boiko", "Moroz"],
        "Ukrainisch",
        "uk",
    ),
    "AF": (
        15,
        ["Farid", "Mustafa", "Reza", "Zahra", "Maryam", "Shirin", "Omid", "Parisa"],
        ["Ahmadi", "Rahimi", "Hakimi", "Noori", "Haidari", "Karimi"],
        "Dari",
        "fa",
    ),
    "IQ": (
        8,
        ["Ali", "Hassan", "Fatima", "Huda", "Bilal", "Amal"],
        ["Kadhim", "Jassim", "Abbas"],
        "Arabisch",
        "ar",
    ),
    "TR": (
        10,
        ["Emre", "Yusuf", "Elif", "Zeynep", "Baran", "Merve"],
        ["Yılmaz", "Kaya", "Demir", "Şahin", "Çelik"],
        "Türkisch",
        "tr",
    ),
    "IR": (
        5,
        ["Mehdi", "Nazanin", "Laleh", "Hamid"],
        ["Hosseini", "Rezaei", "Moradi"],
        "Farsi",
        "fa",
    ),
    "ER": (
        4,
        ["Yonas", "Dawit", "Selam", "Luwam"],
        ["Tesfamariam", "Haile", "Kidane"],
        "Tigrinya",
        "en",
    ),
    "GN": (
        4,
        ["Mamadou", "Alpha", "Mariama", "Aissatou"],
        ["Diallo", "Barry", "Camara"],
        "Französisch",
        "en",
    ),
    "RO": (
        4,
        ["Andrei", "Ioana", "Mihai", "Elena"],
        ["Popescu", "Ionescu", "Stan"],
        "Rumänisch",
        "de",
    ),
}
STREETS = ["Bahnhofstraße", "Lindenweg", "Am Mühlenbach", "Gartenstraße"]
ORIGIN_CODES = list(ORIGINS)
ORIGIN_WEIGHTS = [ORIGINS[c][0] for c in ORIGIN_CODES]


def _jitter(rng: random.Random, value: Decimal | None, spread: float = 0.012) -> Decimal | None:
    if value is None:
        return None
    return (Decimal(value) + Decimal(str(round(rng.uniform(-spread, spread), 5)))).quantize(
        Decimal("0.00001")
    )


def _school_stages(form: str) -> list[str]:
    return [s for s in Stage.values if s in FORM_STAGES.get(form, set())]


class _Plan:
    """Draws the schools and pupils of one centre."""

    def __init__(self, centre: Centre, seed: int, today: datetime.date) -> None:
        self.centre = centre
        self.today = today
        self.rng = random.Random(f"{seed}-{centre.slug}-schooling")  # noqa: S311  (reproducible)
        self.towns = list(centre.municipalities().order_by("ags"))
        #: At state scale pupils live in a Gemeinde in proportion to its residents.
        self.weighted = False
        self.cum_weights = list(itertools.accumulate(seeding.town_weights(centre, self.towns)))
        self.numbers = set(School.objects.filter(centre=centre).values_list("number", flat=True))

    # ---- schools ---------------------------------------------------------------------------

    def number(self) -> str:
        while True:
            number = f"{self.rng.randint(100000, 199999)}"
            if number not in self.numbers:
                self.numbers.add(number)
                return number

    def school(self, town: Municipality, form: str, index: int, names: set[str]) -> School:
        rng = self.rng
        base = FORM_NAMES[form]
        name = f"{base} {town.name}"
        if form == F.PRIMARY or name in names:
            name = f"{base} {PLACES_NAMES[index % len(PLACES_NAMES)]} {town.name}"
        suffix = 2
        while name in names:
            name = f"{base} {PLACES_NAMES[index % len(PLACES_NAMES)]} {town.name} {suffix}"
            suffix += 1
        names.add(name)
        lowest, highest = FORM_GRADES[form]
        support = sorted({str(v) for s in _school_stages(form) for v in SUPPORT[s]})
        slug = name.lower().replace(" ", "-").replace(".", "")
        return School(
            centre=self.centre,
            number=self.number(),
            name=name,
            form=form,
            municipality=town,
            street=f"{rng.choice(['Schulstraße', 'Kirchplatz', 'Marktstraße', 'Parkweg'])} "
            f"{rng.randint(1, 60)}",
            postcode=f"{48000 + rng.randint(100, 999)}",
            latitude=_jitter(rng, town.latitude),
            longitude=_jitter(rng, town.longitude),
            lowest_grade=lowest,
            highest_grade=highest,
            initial_support=support,
            email=f"{slug[:40]}@schulen.example",
        )

    def demo_schools(self) -> list[School]:
        names: set[str] = set()
        schools = []
        for town in self.towns:
            primaries, others = COESFELD.get(town.name, (1, []))
            for i in range(primaries):
                schools.append(self.school(town, F.PRIMARY, i, names))
            for i, form in enumerate(others):
                schools.append(self.school(town, form, i, names))
        return schools

    def volume_towns(self, count: int) -> list[Municipality]:
        """Return the Gemeinde of each of ``count`` schools: one each, the rest by residents."""
        weights = dict(zip(self.towns, seeding.town_weights(self.centre, self.towns), strict=True))
        usable = [town for town in self.towns if weights[town] > 0] or self.towns
        each = 1 if count >= len(usable) else 0
        more = seeding.split(count - each * len(usable), {t: weights[t] for t in usable})
        return [town for town in usable for _n in range(each + more[town])]

    def volume_schools(self, count: int) -> list[School]:
        names: set[str] = set()
        residents = seeding.town_weights(self.centre, self.towns)
        biggest = self.towns[residents.index(max(residents))]
        schools = [self.school(biggest, F.BERUFSKOLLEG, 0, names)]
        forms = [f for f, _w in FORM_MIX]
        weights = [w for _f, w in FORM_MIX]
        for i, town in enumerate(self.volume_towns(max(0, count - 1))):
            form = self.rng.choices(forms, weights)[0]
            schools.append(self.school(town, form, i, names))
        return schools

    def capacities(self, schools: list[School], years: list[int], load: float) -> list[Capacity]:
        rows = []
        for school in schools:
            for stage in _school_stages(school.form):
                low, high = PLACES[stage]
                for year in years:
                    places = round(self.rng.randint(low, high) * load)
                    rows.append(
                        Capacity(school=school, school_year=year, stage=stage, places=places)
                    )
        return rows

    # ---- pupils ----------------------------------------------------------------------------

    def pupils(self, count: int, schools: list[School], capacities: list[Capacity]) -> dict:
        rng, today = self.rng, self.today
        free = {(c.school_id, c.stage, c.school_year): c.places for c in capacities}
        taken = defaultdict(int)
        for school_id, stage, placed_on in Pupil.objects.filter(
            centre=self.centre, status__in=[Pupil.Status.PLACED, Pupil.Status.STARTED]
        ).values_list("school_id", "recommended_stage", "placed_on"):
            if placed_on:
                taken[(school_id, stage, school_year_of(placed_on))] += 1
        for key, n in taken.items():
            if key in free:
                free[key] -= n
        by_stage: dict[str, list[School]] = defaultdict(list)
        for school in schools:
            for stage in _school_stages(school.form):
                by_stage[stage].append(school)
        pupils: list[Pupil] = []
        guardians: list[tuple[int, list[Guardian]]] = []
        counsellings: list[tuple[int, Counselling]] = []
        siblings: list[tuple[int, int]] = []
        statuses = [s for s, _w in STATUS_MIX]
        weights = [w for _s, w in STATUS_MIX]
        first_day = today - datetime.timedelta(days=440)
        for _n in range(count):
            origin = rng.choices(ORIGIN_CODES, ORIGIN_WEIGHTS)[0]
            _w, first_names, last_names, language, letters = ORIGINS[origin]
            sibling_of = None
            if pupils and rng.random() < 0.1:
                sibling_of = rng.randrange(max(0, len(pupils) - 20), len(pupils))
            status = rng.choices(statuses, weights)[0]
            age = rng.choices(
                [6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17], [8, 9, 9, 9, 9, 9, 9, 9, 8, 7, 7, 6]
            )[0]
            if status in Pupil.WAITING or status == Pupil.Status.PLACED:
                registered = today - datetime.timedelta(days=int(rng.triangular(0, 150, 20)))
            else:
                registered = first_day + datetime.timedelta(days=rng.randint(0, 400))
            town = (
                rng.choices(self.towns, cum_weights=self.cum_weights)[0]
                if self.weighted
                else rng.choice(self.towns)
            )
            if sibling_of is not None:
                elder = pupils[sibling_of]
                registered, town, last_name = (
                    elder.registration_date,
                    elder.municipality,
                    elder.last_name,
                )
            else:
                last_name = rng.choice(last_names)
            birth = registered - datetime.timedelta(days=int(age * 365.25) + rng.randint(0, 360))
            years = max(0, age - 6 - rng.choice([0, 0, 0, 1, 2, 3]))
            age_now = age_on(birth, registered)
            grade = default_grade(birth, years_of_schooling=years, on=registered)
            stage = (
                Stage.IFK
                if age_now >= 16
                else Stage.PRIMARY
                if grade <= 4
                else Stage.SECONDARY_1
                if grade <= 10
                else Stage.SECONDARY_2
            )
            pupil = Pupil(
                centre=self.centre,
                last_name=last_name,
                first_name=rng.choice(first_names),
                birth_date=birth,
                sex=rng.choice([Pupil.Sex.FEMALE, Pupil.Sex.MALE]),
                nationality=origin,
                country_of_origin=origin,
                arrival_date=registered - datetime.timedelta(days=rng.randint(0, 40)),
                registration_date=registered,
                street=f"{rng.choice(STREETS)} {rng.randint(1, 90)}",
                postcode=f"{48000 + rng.randint(100, 999)}",
                municipality=town,
                latitude=_jitter(rng, town.latitude, 0.02),
                longitude=_jitter(rng, town.longitude, 0.02),
                family_languages=language,
                schooling_languages=language,
                years_of_schooling=years,
                last_grade=years or None,
                latin_literacy=letters in {"tr", "de", "en", "uk"} or rng.random() < 0.4,
                interpreter_language=language if rng.random() < 0.7 else "",
                status=status,
                created=timezone.make_aware(
                    datetime.datetime.combine(
                        min(registered + datetime.timedelta(days=rng.randint(0, 5)), today),
                        datetime.time(9),
                    )
                ),
            )
            counselled_on = None
            if status not in {Pupil.Status.REPORTED, Pupil.Status.INVITED} and not (
                status in Pupil.ENDED and rng.random() < 0.5
            ):
                counselled_on = min(registered + datetime.timedelta(days=rng.randint(3, 14)), today)
                forms = sorted({s.form for s in by_stage.get(stage, [])}) or [F.PRIMARY]
                pupil.recommended_stage = stage
                pupil.recommended_forms = rng.sample(forms, min(len(forms), rng.randint(1, 3)))
                pupil.proposed_grade = min(max(grade, 1), 13)
                pupil.initial_support = rng.choice(SUPPORT[stage])
            if status in {Pupil.Status.PLACED, Pupil.Status.STARTED}:
                self._place(pupil, counselled_on or registered, by_stage.get(stage, []), free)
            if pupil.status in Pupil.ENDED:
                pupil.status_note = (
                    "Familie ist verzogen" if status == Pupil.Status.MOVED_AWAY else "Privatschule"
                )
            index = len(pupils)
            pupils.append(pupil)
            if sibling_of is not None:
                siblings.append((sibling_of, index))
                guardians.append(
                    (
                        index,
                        [
                            Guardian(
                                name=g.name, relation=g.relation, phone=g.phone, language=g.language
                            )
                            for g in guardians[sibling_of][1]
                        ],
                    )
                )
            else:
                parents = [
                    Guardian(
                        name=f"{rng.choice(first_names)} {last_name}",
                        relation=rng.choice(["Mutter", "Vater"]),
                        phone=f"0{rng.randint(150, 179)} {rng.randint(1000000, 9999999)}",
                        language=letters if rng.random() < 0.85 else "de",
                    )
                ]
                if rng.random() < 0.5:
                    parents.append(
                        Guardian(
                            name=f"{rng.choice(first_names)} {last_name}",
                            relation="Vater" if parents[0].relation == "Mutter" else "Mutter",
                            language=letters,
                        )
                    )
                guardians.append((index, parents))
            if counselled_on is not None:
                counsellings.append(
                    (
                        index,
                        Counselling(
                            starts=timezone.make_aware(
                                datetime.datetime.combine(
                                    counselled_on, datetime.time(rng.randint(8, 14))
                                )
                            ),
                            interpreter_language=pupil.interpreter_language,
                            held=True,
                            biography=f"{years} Jahre Schulbesuch im Herkunftsland.",
                            german=rng.choice(["keine Kenntnisse", "erste Wörter", "A1", "A2"]),
                            maths=rng.choice(["altersgemäß", "Grundrechenarten", "Lücken"]),
                        ),
                    )
                )
        return {
            "pupils": pupils,
            "guardians": guardians,
            "counsellings": counsellings,
            "siblings": siblings,
        }

    def _place(
        self,
        pupil: Pupil,
        counselled_on: datetime.date,
        candidates: list[School],
        free: dict[tuple[int, str, int], int],
    ) -> None:
        """Give the pupil a free place near home, or leave them counselled (waiting)."""
        rng, today = self.rng, self.today
        if pupil.status == Pupil.Status.STARTED:
            wait = max(int(rng.lognormvariate(math.log(24), 0.55)), 5)
            start = min(pupil.registration_date + datetime.timedelta(days=wait), today)
            placed_on = min(
                max(start - datetime.timedelta(days=rng.randint(1, 7)), counselled_on), today
            )
            start = max(start, placed_on)
        else:
            placed_on = max(counselled_on, today - datetime.timedelta(days=rng.randint(0, 14)))
            start = today + datetime.timedelta(days=rng.randint(1, 20))
        year = school_year_of(placed_on)
        stage = pupil.recommended_stage
        fitting = [s for s in candidates if s.form in pupil.recommended_forms]
        near = [s for s in fitting if s.municipality_id == pupil.municipality_id]
        others = [s for s in fitting if s.municipality_id != pupil.municipality_id]
        rng.shuffle(near)
        rng.shuffle(others)
        for school in near + others:
            key = (school.pk, stage, year)
            if free.get(key, 0) > 0:
                free[key] -= 1
                pupil.school = school
                pupil.placed_on = placed_on
                pupil.school_start = start
                return
        pupil.status = Pupil.Status.COUNSELLED


def _write(objs: list[Any], label: str, verbose: bool) -> None:
    if not objs:
        return
    model = type(objs[0])
    for start in range(0, len(objs), BATCH):
        model.objects.bulk_create(objs[start : start + BATCH])
        if verbose:
            done = min(start + BATCH, len(objs))
            name = model._meta.verbose_name_plural
            print(f"schooling: {label}: {name} {done:,}/{len(objs):,}", file=sys.stderr)


def populate(
    centre: Centre,
    seed: int,
    *,
    schools: int | None,
    pupils: int,
    verbose: bool = False,
    weighted: bool = False,
) -> dict[str, int]:
    """Write schools (``None``: the demo Kreis' layout), places and ``pupils`` new pupils.

    ``weighted``: pupils live in the centre's Gemeinden in proportion to their residents.
    """
    today = timezone.localdate()
    plan = _Plan(centre, seed, today)
    plan.weighted = weighted
    if not plan.towns:
        return {}
    existing = list(School.objects.filter(centre=centre).order_by("pk"))
    new_schools: list[School] = []
    if not existing:
        new_schools = plan.demo_schools() if schools is None else plan.volume_schools(schools)
        _write(new_schools, centre.slug, verbose)
    all_schools = existing + new_schools
    years = [school_year_of(today) - 1, school_year_of(today)]
    capacities = list(Capacity.objects.filter(school__centre=centre, school_year__in=years))
    if not capacities:
        load = max(1.0, pupils / max(1, len(all_schools)) / DEMO_LOAD)
        capacities = plan.capacities(all_schools, years, load)
        _write(capacities, centre.slug, verbose)
    drawn = plan.pupils(pupils, all_schools, capacities)
    _write(drawn["pupils"], centre.slug, verbose)
    rows = drawn["pupils"]
    guardians = []
    for index, parents in drawn["guardians"]:
        for guardian in parents:
            guardian.pupil_id = rows[index].pk
            guardians.append(guardian)
    _write(guardians, centre.slug, verbose)
    counsellings = []
    for index, counselling in drawn["counsellings"]:
        counselling.pupil_id = rows[index].pk
        counsellings.append(counselling)
    _write(counsellings, centre.slug, verbose)
    through = Pupil.siblings.through
    links = []
    for a, b in drawn["siblings"]:
        links.append(through(from_pupil_id=rows[a].pk, to_pupil_id=rows[b].pk))
        links.append(through(from_pupil_id=rows[b].pk, to_pupil_id=rows[a].pk))
    through.objects.bulk_create(links, batch_size=BATCH)
    return {
        "schools": len(new_schools),
        "newcomer pupils": len(rows),
        "guardians": len(guardians),
    }


@seeding.register("schooling")
def generate(scale: str, seed: int, factor: float) -> dict[str, int]:
    """Create schools, places and newcomer pupils for ``scale`` (see the module docstring)."""
    totals = {"schools": 0, "newcomer pupils": 0, "guardians": 0}
    with scopes_disabled():
        centres = list(Centre.objects.select_related("district", "municipality").order_by("pk"))
        if scale in ("demo", "kreis"):
            plan = [
                (centre, None, DEMO_PUPILS if scale == "demo" else round(KREIS_PUPILS * factor))
                for centre in centres
                if centre.slug == DEMO_CENTRE
            ]
        else:
            usable = [c for c in centres if c.municipalities().exists()]
            # Bigger cities and Kreise have more schools and pupils, by their residents.
            weights = seeding.centre_weights(usable)
            schools_of = seeding.split(round(STATE_SCHOOLS * factor), weights)
            pupils_of = seeding.split(round(STATE_PUPILS * factor), weights)
            plan = [
                (centre, max(3, schools_of[centre.pk]), pupils_of[centre.pk]) for centre in usable
            ]
        for centre, schools, pupils in plan:
            if scale == "demo" and School.objects.filter(centre=centre).exists():
                continue
            existing = Pupil.objects.filter(centre=centre).count()
            with transaction.atomic():
                created = populate(
                    centre,
                    seed,
                    schools=schools,
                    pupils=max(0, pupils - existing),
                    verbose=scale != "demo",
                    weighted=scale == "state",
                )
            for what, n in created.items():
                totals[what] += n
    return totals
