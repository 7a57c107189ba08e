"""The core's part of ``teilhabe seed``: centres, Bezirke and staff with their roles."""

from __future__ import annotations

import random

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django_scopes import scopes_disabled
from faker import Faker

from . import seeding
from .demo import DEMO_CENTRE, DEMO_PASSWORD, load_demo
from .generations import REFERENCE_DATA
from .geography import create_centres, load_geography
from .models import CaseArea, Centre, Membership, User
from .models.accounts import MEMBERSHIPS_GENERATION
from .roles import Role

#: Share of each role among a centre's staff (a KI with KIM: mostly case managers).
STAFF_MIX = [
    (Role.CASE_MANAGER, 10),
    (Role.COORDINATOR, 4),
    (Role.NEWCOMER_COUNSELLOR, 3),
    (Role.CLERK, 4),
    (Role.IMMIGRATION_OFFICE, 2),
    (Role.LEADERSHIP, 1),
    (Role.ADMINISTRATION, 1),
    (Role.DATA_PROTECTION, 1),
    (Role.INTERPRETER_VOLUNTEER, 2),
]
STATE_STAFF = 1_500


@seeding.register("core")
@transaction.atomic
def generate(scale: str, seed: int, factor: float) -> dict[str, int]:
    """Create centres, Bezirke and staff for ``scale``; existing rows are kept."""
    if scale == "demo":
        created = load_demo()
        return {"users": created["users"]}
    load_geography()
    create_centres()
    rng = random.Random(seed)  # noqa: S311  (reproducible data, not secrets)
    fake = Faker("de_DE")
    fake.seed_instance(seed)
    password = make_password(DEMO_PASSWORD)
    with scopes_disabled():
        centres = list(Centre.objects.select_related("district").order_by("pk"))
        if scale == "kreis":
            centres = [c for c in centres if c.slug == DEMO_CENTRE]
        # A centre's staff grows with the residents of its area (Köln has more than Olpe).
        shares = (
            seeding.split(round(STATE_STAFF * factor), seeding.centre_weights(centres))
            if scale == "state"
            else {centre.pk: round(STATE_STAFF * factor / 54) for centre in centres}
        )
        new_users = new_areas = 0
        for centre in centres:
            per_centre = max(len(STAFF_MIX), shares[centre.pk])
            areas = list(CaseArea.objects.filter(centre=centre))
            if not areas:
                count = rng.randint(2, 8)
                CaseArea.objects.bulk_create(
                    [CaseArea(centre=centre, name=f"Bezirk {n}") for n in range(1, count + 1)]
                )
                REFERENCE_DATA.new()  # bulk_create sends no signal the kept choices hear
                areas = list(CaseArea.objects.filter(centre=centre))
                new_areas += len(areas)
            emails = [
                f"staff{n:04d}.{centre.slug}@seed.teilhabe.example" for n in range(per_centre)
            ]
            existing = set(User.objects.filter(email__in=emails).values_list("email", flat=True))
            users = [
                User(
                    email=email,
                    first_name=fake.first_name(),
                    last_name=fake.last_name(),
                    password=password,
                )
                for email in emails
                if email not in existing
            ]
            User.objects.bulk_create(users, batch_size=1000)
            new_users += len(users)
            # One of each role first, so that even a small centre has its leadership and DPO.
            roles = [role for role, _ in STAFF_MIX] + [
                role for role, weight in STAFF_MIX for _ in range(weight - 1)
            ]
            by_email = dict(
                User.objects.filter(email__in=[u.email for u in users]).values_list("email", "pk")
            )
            memberships = [
                Membership(user_id=by_email[user.email], centre=centre, role=roles[i % len(roles)])
                for i, user in enumerate(users)
            ]
            Membership.objects.bulk_create(memberships, batch_size=1000)
            created = Membership.objects.filter(
                user_id__in=by_email.values(), role=Role.CASE_MANAGER, centre=centre
            ).order_by("pk")
            Membership.case_areas.through.objects.bulk_create(
                [
                    Membership.case_areas.through(
                        membership_id=m.pk, casearea_id=rng.choice(areas).pk
                    )
                    for m in created
                ],
                batch_size=1000,
            )
    if new_users:
        MEMBERSHIPS_GENERATION.new()  # bulk_create sends no signal the kept memberships hear
    return {"users": new_users, "Bezirke": new_areas}
