"""Factory functions for tests: real rows, no fixed ids."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.text import slugify
from django_scopes import scopes_disabled

from teilhabe.core.geography import centre_name, load_geography
from teilhabe.core.models import CaseArea, Centre, District, Membership, Organisation, User

PASSWORD = "a-long-test-password"


def make_centre(district_ags: str, *, areas: Iterable[str] = ()) -> Centre:
    """Return the centre of the district ``district_ags``, with Bezirke named ``areas``."""
    with scopes_disabled():
        if not District.objects.filter(ags=district_ags).exists():
            load_geography()
        district = District.objects.get(ags=district_ags)
        centre, _ = Centre.objects.get_or_create(
            district=district,
            municipality=None,
            defaults={"name": centre_name(district), "slug": slugify(district.name)},
        )
        for name in areas:
            area, _ = CaseArea.objects.get_or_create(centre=centre, name=name)
            area.municipalities.set(centre.municipalities()[:2])
        return centre


def make_user(email: str, **fields: object) -> User:
    """Return a user with the test password."""
    return User.objects.create_user(email, PASSWORD, **fields)


def make_member(
    email: str,
    role: str,
    centre: Centre | None,
    *,
    areas: Iterable[CaseArea] = (),
    user: User | None = None,
) -> User:
    """Return a user holding ``role`` in ``centre`` (limited to ``areas``)."""
    with scopes_disabled():
        user = user or make_user(email, first_name=email.split("@")[0].title(), last_name="Test")
        organisation = None
        if role == "partner":
            organisation, _ = Organisation.objects.get_or_create(
                centre=centre, name="Beratungsstelle Test e. V."
            )
        membership = Membership.objects.create(
            user=user, role=role, centre=centre, organisation=organisation
        )
        membership.case_areas.set(list(areas))
    return user
