"""Demo data: the KI of the Kreis Coesfeld and of the city of Münster, with a user per role.

Synthetic people only. Running it again changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django_scopes import scopes_disabled
from faker import Faker

from .geography import create_centres, load_geography
from .models import CaseArea, Centre, Membership, Municipality, Organisation, User
from .roles import Role

#: Known password of every demo account. Demo only: never on a real deployment.
DEMO_PASSWORD = "teilhabe-demo"  # noqa: S105  (published demo password)

DEMO_CENTRE = "coesfeld"
SECOND_CENTRE = "munster"

AREAS = {
    DEMO_CENTRE: {
        "Bezirk Nord": ["Billerbeck", "Coesfeld", "Havixbeck", "Nottuln", "Rosendahl"],
        "Bezirk Süd": ["Ascheberg", "Dülmen", "Lüdinghausen", "Nordkirchen", "Olfen", "Senden"],
    },
    SECOND_CENTRE: {"Münster-Mitte": ["Münster"], "Münster-Nord": ["Münster"]},
}
ORGANISATIONS = {
    DEMO_CENTRE: "Beratungsstelle Brücke e. V.",
    SECOND_CENTRE: "Migrationsdienst am Aasee e. V.",
}


@dataclass(frozen=True)
class DemoLogin:
    email: str
    role: str
    centre: str | None
    area: str | None = None


LOGINS = [
    DemoLogin("leitung@coesfeld.demo", Role.LEADERSHIP, DEMO_CENTRE),
    DemoLogin("koordination@coesfeld.demo", Role.COORDINATOR, DEMO_CENTRE),
    DemoLogin("casemanagement@coesfeld.demo", Role.CASE_MANAGER, DEMO_CENTRE, "Bezirk Nord"),
    DemoLogin("casemanagement-sued@coesfeld.demo", Role.CASE_MANAGER, DEMO_CENTRE, "Bezirk Süd"),
    DemoLogin("seiteneinstieg@coesfeld.demo", Role.NEWCOMER_COUNSELLOR, DEMO_CENTRE),
    DemoLogin("sachbearbeitung@coesfeld.demo", Role.CLERK, DEMO_CENTRE),
    DemoLogin("auslaenderbehoerde@coesfeld.demo", Role.IMMIGRATION_OFFICE, DEMO_CENTRE),
    DemoLogin("partner@coesfeld.demo", Role.PARTNER, DEMO_CENTRE),
    DemoLogin("sprachmittlung@coesfeld.demo", Role.INTERPRETER_VOLUNTEER, DEMO_CENTRE),
    DemoLogin("datenschutz@coesfeld.demo", Role.DATA_PROTECTION, DEMO_CENTRE),
    DemoLogin("admin@coesfeld.demo", Role.ADMINISTRATION, DEMO_CENTRE),
    DemoLogin("laki@laki.demo", Role.LAKI, None),
    DemoLogin("leitung@muenster.demo", Role.LEADERSHIP, SECOND_CENTRE),
    DemoLogin("casemanagement@muenster.demo", Role.CASE_MANAGER, SECOND_CENTRE),
    DemoLogin("admin@muenster.demo", Role.ADMINISTRATION, SECOND_CENTRE),
]


@transaction.atomic
def load_demo() -> dict[str, int]:
    """Create the demo centres' Bezirke, partner organisations and users; return what was new."""
    load_geography()
    created = {"centres": create_centres(), "users": 0}
    fake = Faker("de_DE")
    fake.seed_instance(2026)
    with scopes_disabled():
        centres = {slug: Centre.objects.get(slug=slug) for slug in AREAS}
        areas: dict[tuple[str, str], CaseArea] = {}
        for slug, spec in AREAS.items():
            for name, towns in spec.items():
                area, new = CaseArea.objects.get_or_create(centre=centres[slug], name=name)
                if new:
                    area.municipalities.set(
                        Municipality.objects.filter(
                            name__in=towns, pk__in=centres[slug].municipalities()
                        )
                    )
                areas[(slug, name)] = area
        organisations = {
            slug: Organisation.objects.get_or_create(centre=centres[slug], name=name)[0]
            for slug, name in ORGANISATIONS.items()
        }
        for login in LOGINS:
            first, last = fake.first_name(), fake.last_name()
            user = User.objects.filter(email=login.email).first()
            if user is None:
                user = User.objects.create_user(
                    login.email, DEMO_PASSWORD, first_name=first, last_name=last
                )
                created["users"] += 1
            centre = centres[login.centre] if login.centre else None
            membership, new = Membership.objects.get_or_create(
                user=user,
                role=login.role,
                centre=centre,
                defaults={
                    "organisation": organisations[login.centre]
                    if login.role == Role.PARTNER
                    else None
                },
            )
            if new and login.area:
                membership.case_areas.set([areas[(login.centre, login.area)]])
    return created


def load_full_demo() -> dict[str, int]:
    """Load the core's demo and every app's demo part (what ``teilhabe demo`` loads)."""
    from .seeding import run_demo_generators

    return {**load_demo(), **run_demo_generators()}
