"""Demo data (``teilhabe demo``) and volume data (``teilhabe seed``)."""

from __future__ import annotations

from io import StringIO

import pytest
from auditlog.models import LogEntry
from django.core.management import call_command
from django.db import transaction
from django_scopes import scopes_disabled

from teilhabe.core.demo import AREAS, DEMO_CENTRE, DEMO_PASSWORD, LOGINS, load_demo
from teilhabe.core.generators import STAFF_MIX
from teilhabe.core.models import (
    AdministrativeDistrict,
    CaseArea,
    Centre,
    District,
    Membership,
    Municipality,
    Organisation,
    User,
)
from teilhabe.core.roles import Role

pytestmark = pytest.mark.django_db

COESFELD = "05558"
SEED_DOMAIN = "@seed.teilhabe.example"


def _counts() -> dict[str, int]:
    with scopes_disabled():
        return {
            "centres": Centre.objects.count(),
            "users": User.objects.count(),
            "memberships": Membership.objects.count(),
            "case areas": CaseArea.objects.count(),
            "organisations": Organisation.objects.count(),
            "log entries": LogEntry.objects.count(),
        }


def test_load_demo_creates_the_centres_and_geography_of_nrw():
    created = load_demo()

    assert created["centres"] == 54
    assert Centre.objects.count() == 54
    assert AdministrativeDistrict.objects.count() == 5
    assert District.objects.count() == 53
    assert Centre.objects.filter(municipality__name="Aachen").exists()


def test_load_demo_knows_the_11_gemeinden_of_kreis_coesfeld_with_coordinates():
    load_demo()

    towns = Municipality.objects.filter(district__ags=COESFELD)
    assert towns.count() == 11
    for town in towns:
        assert 51.6 < town.latitude < 52.1, town
        assert 7.0 < town.longitude < 7.7, town


def test_load_demo_has_a_login_for_every_role():
    load_demo()

    with scopes_disabled():
        demo = Membership.objects.filter(user__email__in=[login.email for login in LOGINS])
        assert set(demo.values_list("role", flat=True)) == set(Role)
    for login in LOGINS:
        user = User.objects.get(email=login.email)
        assert user.check_password(DEMO_PASSWORD), login.email
        assert user.has_role(login.role)
        if login.centre:
            assert [c.slug for c in user.centres()] == [login.centre]


def test_demo_bezirke_hold_their_gemeinden_and_case_managers():
    load_demo()

    with scopes_disabled():
        for slug, spec in AREAS.items():
            for name, towns in spec.items():
                area = CaseArea.objects.get(centre__slug=slug, name=name)
                assert sorted(t.name for t in area.municipalities.all()) == sorted(set(towns))
        nord = Membership.objects.get(user__email="casemanagement@coesfeld.demo")
        assert [a.name for a in nord.case_areas.all()] == ["Bezirk Nord"]
        partner = Membership.objects.get(user__email="partner@coesfeld.demo")
        assert partner.organisation.centre.slug == DEMO_CENTRE


def test_load_demo_a_second_time_creates_nothing():
    load_demo()
    before = _counts()

    again = load_demo()

    assert again == {"centres": 0, "users": 0}
    assert _counts() == before


def test_demo_command_prints_every_demo_login():
    out = StringIO()

    call_command("demo", stdout=out)

    text = out.getvalue()
    assert DEMO_PASSWORD in text
    for login in LOGINS:
        assert login.email in text
    assert "54 new centres" in text


def test_demo_command_run_twice_reports_nothing_new():
    call_command("demo", stdout=StringIO())
    before = _counts()
    out = StringIO()

    call_command("demo", "--quiet-logins", stdout=out)

    assert "0 new centres, 0 new users" in out.getvalue()
    assert DEMO_PASSWORD not in out.getvalue()
    assert _counts() == before


# Volume data


class _Rollback(Exception):
    pass


def _seed(*args: str) -> str:
    out = StringIO()
    call_command("seed", "--scale", "kreis", "--factor", "0.1", *args, stdout=out)
    return out.getvalue()


def _seeded_staff() -> list[tuple[str, str, str, str, str, tuple[str, ...]]]:
    with scopes_disabled():
        return [
            (
                m.user.email,
                m.user.first_name,
                m.user.last_name,
                m.centre.slug,
                m.role,
                tuple(a.name for a in m.case_areas.order_by("name")),
            )
            for m in Membership.objects.filter(user__email__endswith=SEED_DOMAIN)
            .select_related("user", "centre")
            .order_by("user__email")
        ]


def _seed_and_forget(seed: int) -> list:
    """Seed into a savepoint, read what was made, and roll it back."""
    with pytest.raises(_Rollback), transaction.atomic():
        _seed("--seed", str(seed))
        staff = _seeded_staff()
        raise _Rollback
    return staff


def test_seed_kreis_adds_staff_to_the_coesfeld_centre_only():
    _seed()

    staff = _seeded_staff()
    assert len(staff) >= len(STAFF_MIX)
    assert {centre for _, _, _, centre, _, _ in staff} == {DEMO_CENTRE}
    assert all(first and last for _, first, last, _, _, _ in staff)
    with scopes_disabled():
        assert not Membership.objects.exclude(centre__slug=DEMO_CENTRE).exists()
        assert not CaseArea.objects.exclude(centre__slug=DEMO_CENTRE).exists()
        assert CaseArea.objects.filter(centre__slug=DEMO_CENTRE).count() >= 2


def test_seed_is_the_same_for_the_same_seed():
    first = _seed_and_forget(7)
    second = _seed_and_forget(7)
    other = _seed_and_forget(8)

    assert first
    assert first == second
    assert [(first_name, last) for _, first_name, last, *_ in other] != [
        (first_name, last) for _, first_name, last, *_ in first
    ]


def test_seed_a_second_time_adds_nothing():
    _seed()
    before = _counts()

    output = _seed()

    assert _counts() == before
    assert "0 users, 0 Bezirke" in output


def test_a_small_seed_still_gives_every_role_of_the_mix():
    _seed()

    assert {role for *_, role, _ in _seeded_staff()} == {role for role, _ in STAFF_MIX}
