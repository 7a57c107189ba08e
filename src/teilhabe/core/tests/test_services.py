"""Business rules of the core services: staff memberships and Bezirke."""

from __future__ import annotations

import pytest
from auditlog.context import set_actor
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation
from django_scopes import scope, scopes_disabled

from teilhabe.core import services
from teilhabe.core.models import CaseArea, Membership, Municipality, Organisation, User
from teilhabe.core.roles import Role
from teilhabe.core.tenancy import centre_ids
from teilhabe.core.tests.factories import make_member

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """Refusals are translated; read them in English whatever an earlier request activated."""
    with translation.override("en"):
        yield


def _area(centre, name):
    with scopes_disabled():
        return CaseArea.objects.get(centre=centre, name=name)


def _membership(user, role):
    with scopes_disabled():
        return Membership.objects.get(user=user, role=role)


def _fresh(user):
    """Return ``user`` read again: a User caches its memberships per instance."""
    return User.objects.get(pk=user.pk)


def _acting(actor):
    """Enter the scope the middleware gives ``actor``'s requests: their own centres."""
    return scope(centre=centre_ids(actor.active_memberships()))


def _add(actor, centre, **overrides):
    fields = {
        "email": "erika.mustermann@example.org",
        "first_name": "Erika",
        "last_name": "Mustermann",
        "role": Role.CLERK,
    }
    with _acting(actor):
        return services.add_member(actor, centre, **{**fields, **overrides})


def _end(actor, membership):
    with _acting(actor):
        return services.end_membership(actor, membership)


def _save_area(actor, centre, **fields):
    with _acting(actor):
        return services.save_case_area(actor, centre, **fields)


def _towns(centre):
    return list(centre.municipalities().order_by("ags"))


def _messages(excinfo):
    return " ".join(excinfo.value.messages)


# add_member


def test_add_member_creates_an_account_and_a_membership(dana, centre):
    nord = _area(centre, "Bezirk Nord")

    membership = _add(dana, centre, role=Role.CASE_MANAGER, case_areas=[nord])

    user = User.objects.get(email="erika.mustermann@example.org")
    assert (user.first_name, user.last_name) == ("Erika", "Mustermann")
    assert membership.user == user
    assert membership.centre == centre
    assert membership.role == Role.CASE_MANAGER
    assert membership.is_active
    with scopes_disabled():
        assert list(membership.case_areas.all()) == [nord]
    assert user.has_role(Role.CASE_MANAGER, centre=centre)


def test_add_member_stores_the_email_in_lower_case(dana, centre):
    _add(dana, centre, email="Erika.Mustermann@Example.ORG")

    assert User.objects.filter(email="erika.mustermann@example.org").exists()


def test_add_member_reuses_the_account_of_the_same_email_in_any_case(dana, centre, alice):
    users_before = User.objects.count()

    membership = _add(dana, centre, email="ALICE@Example.org", role=Role.CLERK)

    assert User.objects.count() == users_before
    assert membership.user == alice
    assert _fresh(alice).roles(centre) == {Role.CASE_MANAGER, Role.CLERK}


def test_add_member_gives_a_partner_the_organisation(dana, centre):
    with scopes_disabled():
        organisation = Organisation.objects.create(centre=centre, name="Caritas Coesfeld")

    membership = _add(dana, centre, role=Role.PARTNER, organisation=organisation)

    assert membership.organisation == organisation


def test_add_member_refuses_a_bezirk_of_another_centre(dana, centre, other_centre):
    foreign = _area(other_centre, "Münster-Mitte")

    with pytest.raises(ValidationError) as excinfo:
        _add(dana, centre, role=Role.CASE_MANAGER, case_areas=[foreign])

    assert "another centre" in _messages(excinfo)
    assert not User.objects.filter(email="erika.mustermann@example.org").exists()


def test_add_member_refuses_a_partner_without_organisation(dana, centre):
    with pytest.raises(ValidationError) as excinfo:
        _add(dana, centre, role=Role.PARTNER)

    assert "partner organisation" in _messages(excinfo)


def test_add_member_refuses_an_organisation_of_another_centre(dana, centre, other_centre):
    with scopes_disabled():
        foreign = Organisation.objects.create(centre=other_centre, name="Migrationsdienst")

    with pytest.raises(ValidationError) as excinfo:
        _add(dana, centre, role=Role.PARTNER, organisation=foreign)

    assert "does not work with this centre" in _messages(excinfo)


def test_add_member_refuses_the_laki_role(dana, centre):
    with pytest.raises(ValidationError) as excinfo:
        _add(dana, centre, role=Role.LAKI)

    assert "statewide" in _messages(excinfo)
    with scopes_disabled():
        assert not Membership.objects.filter(role=Role.LAKI).exists()


def test_add_member_refuses_a_role_the_person_already_has(dana, centre, alice):
    with pytest.raises(ValidationError) as excinfo:
        _add(dana, centre, email="alice@example.org", role=Role.CASE_MANAGER)

    assert "already has this role" in _messages(excinfo)
    with scopes_disabled():
        assert Membership.objects.filter(user=alice).count() == 1


def test_a_role_can_be_given_again_after_it_was_ended(dana, centre, alice):
    _end(dana, _membership(alice, Role.CASE_MANAGER))

    membership = _add(dana, centre, email="alice@example.org", role=Role.CASE_MANAGER)

    assert membership.is_active
    assert _fresh(alice).has_role(Role.CASE_MANAGER, centre=centre)


@pytest.mark.parametrize("who", ["alice", "charlie", "dpo", "laki_user"])
def test_add_member_needs_the_administration_of_that_centre(request, who, centre):
    actor = request.getfixturevalue(who)

    with pytest.raises(PermissionDenied):
        _add(actor, centre)

    assert not User.objects.filter(email="erika.mustermann@example.org").exists()


def test_leadership_may_not_add_members(centre):
    leader = make_member("leitung@example.org", Role.LEADERSHIP, centre)

    with pytest.raises(PermissionDenied):
        _add(leader, centre)


# end_membership


def test_end_membership_takes_the_role_away_and_keeps_the_row(dana, alice, centre):
    membership = _membership(alice, Role.CASE_MANAGER)
    assert alice.has_role(Role.CASE_MANAGER)

    _end(dana, membership)

    with scopes_disabled():
        membership.refresh_from_db()
    assert membership.is_active is False
    assert not _fresh(alice).has_role(Role.CASE_MANAGER, centre=centre)


def test_end_membership_needs_the_administration_of_that_centre(charlie, alice, bob):
    membership = _membership(alice, Role.CASE_MANAGER)

    for actor in (charlie, bob):
        with pytest.raises(PermissionDenied):
            _end(actor, membership)

    with scopes_disabled():
        membership.refresh_from_db()
    assert membership.is_active


def test_administration_of_a_centre_cannot_end_a_statewide_laki_role(dana, laki_user):
    membership = _membership(laki_user, Role.LAKI)

    with pytest.raises(PermissionDenied):
        _end(dana, membership)


def test_admin_cannot_end_their_own_administration_role(dana, centre):
    membership = _membership(dana, Role.ADMINISTRATION)

    with pytest.raises(ValidationError) as excinfo:
        _end(dana, membership)

    assert "your own administration role" in _messages(excinfo)
    with scopes_disabled():
        membership.refresh_from_db()
    assert membership.is_active
    assert _fresh(dana).has_role(Role.ADMINISTRATION, centre=centre)


def test_admin_may_end_another_role_of_their_own(dana, centre):
    clerk = _add(dana, centre, email="dana@example.org", role=Role.CLERK)

    _end(dana, clerk)

    assert _fresh(dana).roles(centre) == {Role.ADMINISTRATION}


# save_case_area


def test_save_case_area_creates_a_bezirk_with_gemeinden_of_the_district(dana, centre):
    towns = _towns(centre)[:3]

    area = _save_area(
        dana, centre, name="Bezirk West", municipalities=towns, description="Am Baumberg"
    )

    with scopes_disabled():
        area = CaseArea.objects.get(pk=area.pk)
        assert area.centre == centre
        assert (area.name, area.description) == ("Bezirk West", "Am Baumberg")
        assert set(area.municipalities.all()) == set(towns)


def test_save_case_area_changes_an_existing_bezirk(dana, centre):
    nord = _area(centre, "Bezirk Nord")
    towns = _towns(centre)[-2:]

    _save_area(dana, centre, case_area=nord, name="Bezirk Nordwest", municipalities=towns)

    with scopes_disabled():
        nord.refresh_from_db()
        assert nord.name == "Bezirk Nordwest"
        assert set(nord.municipalities.all()) == set(towns)
        assert CaseArea.objects.filter(centre=centre).count() == 2


def test_save_case_area_refuses_a_gemeinde_of_another_district(dana, centre):
    muenster = Municipality.objects.get(ags="05515000")

    with pytest.raises(ValidationError) as excinfo:
        _save_area(dana, centre, name="Bezirk West", municipalities=[_towns(centre)[0], muenster])

    assert "district" in _messages(excinfo)
    with scopes_disabled():
        assert not CaseArea.objects.filter(name="Bezirk West").exists()


def test_save_case_area_refuses_a_second_bezirk_of_the_same_name(dana, centre):
    with pytest.raises(ValidationError):
        _save_area(dana, centre, name="Bezirk Nord", municipalities=[])

    with scopes_disabled():
        assert CaseArea.objects.filter(centre=centre, name="Bezirk Nord").count() == 1


@pytest.mark.parametrize("who", ["alice", "charlie"])
def test_save_case_area_needs_the_administration_of_that_centre(request, who, centre):
    actor = request.getfixturevalue(who)

    with pytest.raises(PermissionDenied):
        _save_area(actor, centre, name="Bezirk West", municipalities=[])
    with pytest.raises(PermissionDenied):
        _save_area(
            actor, centre, case_area=_area(centre, "Bezirk Nord"), name="X", municipalities=[]
        )


# Audit trail


def _entries(obj, action):
    return LogEntry.objects.get_for_object(obj).filter(action=action)


def test_adding_a_member_is_logged_with_the_actor(dana, centre):
    with set_actor(dana):
        membership = _add(dana, centre)

    assert [e.actor for e in _entries(membership, LogEntry.Action.CREATE)] == [dana]
    assert [e.actor for e in _entries(membership.user, LogEntry.Action.CREATE)] == [dana]


def test_ending_a_membership_is_logged_with_the_actor(dana, alice):
    membership = _membership(alice, Role.CASE_MANAGER)

    with set_actor(dana):
        _end(dana, membership)

    [entry] = [
        e for e in _entries(membership, LogEntry.Action.UPDATE) if "is_active" in e.changes_dict
    ]
    assert entry.actor == dana
    assert entry.changes_dict["is_active"] == ["True", "False"]


def test_saving_a_bezirk_is_logged_with_the_actor(dana, centre):
    towns = _towns(centre)[:2]

    with set_actor(dana):
        area = _save_area(dana, centre, name="Bezirk West", municipalities=towns)
        _save_area(
            dana, centre, case_area=area, name="Bezirk Westmünsterland", municipalities=towns
        )

    created = _entries(area, LogEntry.Action.CREATE).get()
    assert created.actor == dana
    renamed = [
        e for e in _entries(area, LogEntry.Action.UPDATE) if "name" in (e.changes_dict or {})
    ]
    assert [(e.actor, e.changes_dict["name"]) for e in renamed] == [
        (dana, ["Bezirk West", "Bezirk Westmünsterland"])
    ]


def test_a_service_call_outside_a_request_still_logs_its_actor(dana, centre):
    membership = _add(dana, centre)

    assert _entries(membership, LogEntry.Action.CREATE).get().actor == dana


def test_a_refused_change_leaves_no_log_entry(dana, centre, other_centre):
    entries_before = LogEntry.objects.count()

    with set_actor(dana), pytest.raises(ValidationError):
        _add(dana, centre, case_areas=[_area(other_centre, "Münster-Mitte")])

    assert LogEntry.objects.count() == entries_before
