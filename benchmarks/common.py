"""What the web benchmark (``web.py``) and the load test (``load.py``) share.

Django set up on production settings, the database migrated and seeded, the data size, the
personas (the case managers of the biggest centres, each with a TOTP authenticator) and the
centre with the most published offers.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from typing import Any

POSTGRES_ONLY = (
    "{what} PostgreSQL; DATABASE_URL points at {vendor}.\n"
    "Run them with e.g.\n"
    "  createdb -h 127.0.0.1 -U postgres teilhabe_bench\n"
    "  DATABASE_URL=postgres://postgres@127.0.0.1:5432/teilhabe_bench "
    ".venv/bin/python benchmarks/{script}"
)


def percentile95(values: list[float]) -> float:
    """Return the 95th percentile by nearest rank (the largest value for fewer than 20)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, -(-95 * len(ordered) // 100) - 1))]


def setup_django() -> None:
    """Set Django up on the production settings: no debug mode, no demo, MFA on."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "teilhabe.settings")
    # Production-like: whatever the shell says, no debug mode, no demo, MFA on.
    os.environ["TEILHABE_DEBUG"] = "0"
    os.environ.pop("TEILHABE_DEMO", None)
    os.environ.pop("TEILHABE_REQUIRE_MFA", None)
    import django

    django.setup()


def add_seed_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--factor", type=float, default=1.0, help="volume factor of the seed")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-seed", action="store_true", help="measure the data as it is")


def database_description() -> str:
    from django.db import connection

    server = ""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            server = cursor.connection.info.parameter_status("server_version")
    return f"{connection.vendor} {server} {connection.settings_dict['NAME']}"


def prepare_database(args: argparse.Namespace) -> None:
    """Migrate, then top the data up with ``seed --scale state`` unless ``--no-seed``."""
    from django.core.management import call_command

    started = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    print(f"migrate: {time.perf_counter() - started:.1f} s")
    if not args.no_seed:
        started = time.perf_counter()
        call_command("seed", scale="state", seed=args.seed, factor=args.factor)
        print(
            f"seed --scale state --factor {args.factor} --seed {args.seed}: "
            f"{time.perf_counter() - started:.1f} s (tops up; existing rows are kept)"
        )
    sys.stdout.flush()


def data_size() -> list[tuple[str, int]]:
    from django_scopes import scopes_disabled

    from teilhabe.cases.models import Case, Contact, Person
    from teilhabe.core.models import Centre, User
    from teilhabe.network.models import Actor
    from teilhabe.offers.models import Offer
    from teilhabe.schooling.models import Pupil, School

    with scopes_disabled():
        return [
            ("cases", Case.objects.count()),
            ("contacts", Contact.objects.count()),
            ("persons", Person.objects.count()),
            ("offers", Offer.objects.count()),
            ("published offers", Offer.objects.filter(status=Offer.Status.PUBLISHED).count()),
            ("actors", Actor.objects.count()),
            ("newcomer pupils", Pupil.objects.count()),
            ("schools", School.objects.count()),
            ("users", User.objects.count()),
            ("centres", Centre.objects.count()),
        ]


def print_data_size() -> dict[str, int]:
    sizes = data_size()
    print("data size: " + ", ".join(f"{n:,} {what}" for what, n in sizes))
    return dict(sizes)


def top_case_managers(count: int) -> list[tuple[Any, int]]:
    """Return the case manager with the most cases in each of the ``count`` biggest centres.

    Biggest = most cases. A case manager, not the leadership, which may not see case files.
    Each comes with the id of the centre; a centre without a case manager with cases is skipped.
    """
    from django.db.models import Count
    from django_scopes import scopes_disabled

    from teilhabe.cases.models import Case
    from teilhabe.core.models import Membership
    from teilhabe.core.roles import Role

    personas = []
    with scopes_disabled():
        centres = (
            Case.objects.values("centre")
            .annotate(n=Count("pk"))
            .order_by("-n", "centre")
            .values_list("centre", flat=True)
        )
        for centre_id in centres:
            managers = Membership.objects.filter(
                centre_id=centre_id, role=Role.CASE_MANAGER, is_active=True, user__is_active=True
            ).values_list("user_id", flat=True)
            top = (
                Case.objects.filter(centre_id=centre_id, case_manager_id__in=list(managers))
                .values("case_manager")
                .annotate(n=Count("pk"))
                .order_by("-n", "case_manager")
                .first()
            )
            if top is None:
                continue
            user = Membership.objects.get(
                centre_id=centre_id, user_id=top["case_manager"], role=Role.CASE_MANAGER
            ).user
            personas.append((user, centre_id))
            if len(personas) == count:
                break
    return personas


def ensure_second_factor(user: Any) -> Any:
    """Give a persona a TOTP authenticator, as every case manager has one; return it."""
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    authenticator = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    if authenticator is None:
        authenticator = TOTP.activate(user, generate_totp_secret()).instance
    return authenticator


def busiest_directory() -> tuple[Any, int]:
    """Return the centre with the most published offers, and how many it has."""
    from django.db.models import Count, Q
    from django_scopes import scopes_disabled

    from teilhabe.core.models import Centre
    from teilhabe.offers.models import Offer

    with scopes_disabled():
        centre = (
            Centre.objects.annotate(
                n=Count("offers", filter=Q(offers__status=Offer.Status.PUBLISHED))
            )
            .order_by("-n", "pk")
            .first()
        )
    if centre is None or not centre.n:  # type: ignore[attr-defined]
        return None, 0
    return centre, centre.n  # type: ignore[attr-defined]


def title_of(body: bytes) -> str:
    """Return the text of a page's ``<title>``: tells a page from a log-in or error page."""
    match = re.search(rb"<title>(.*?)</title>", body, re.S)
    return match.group(1).decode().strip() if match else ""
