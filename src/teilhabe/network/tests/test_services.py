"""Business rules of the actor registry: who keeps it, what an actor may be, the audit trail."""

from __future__ import annotations

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation
from django_scopes import scope, scopes_disabled

from teilhabe.core.models import Municipality
from teilhabe.core.roles import Role
from teilhabe.core.tenancy import centre_ids
from teilhabe.core.tests.factories import make_member
from teilhabe.network import services
from teilhabe.network.models import Actor, ContactPerson, FieldOfAction
from teilhabe.network.tests.factories import make_actor, make_contact

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """Refusals are translated; read them in English whatever an earlier request activated."""
    with translation.override("en"):
        yield


def _acting(user):
    """Enter the scope the middleware gives ``user``'s requests: their own centres."""
    return scope(centre=centre_ids(user.active_memberships()))


def _save(user, centre, **data):
    with _acting(user):
        return services.save_actor(user, centre, **data)


def _set_active(user, actor, active):
    with _acting(user):
        return services.set_actor_active(user, actor, active=active)


def _add_contact(user, actor, **data):
    with _acting(user):
        return services.add_contact(user, actor, **data)


def _remove_contact(user, contact):
    with _acting(user):
        services.remove_contact(user, contact)


def _town(centre, name):
    return centre.municipalities().get(name=name)


def _fresh(actor):
    with scopes_disabled():
        return Actor.objects.get(pk=actor.pk)


def _entries(obj, action):
    return LogEntry.objects.get_for_object(obj).filter(action=action)


def _refused_field(excinfo):
    return set(excinfo.value.error_dict)


# Creating and changing actors


def test_save_actor_creates_an_actor_of_the_centre(dana, centre):
    coesfeld = _town(centre, "Coesfeld")

    actor = _save(
        dana,
        centre,
        name="Caritasverband für den Kreis Coesfeld",
        kind=Actor.Kind.WELFARE,
        description="Migrationsberatung für Erwachsene",
        street="Marienring 5",
        postcode="48653",
        municipality=coesfeld,
        email="migration@caritas-coesfeld.example",
        phone="02541 8000",
        website="https://caritas-coesfeld.example",
        fields_of_action=[FieldOfAction.CROSS_CUTTING, FieldOfAction.MIGRATION],
        languages="Arabisch, Ukrainisch",
    )

    actor = _fresh(actor)
    assert actor.centre == centre
    assert actor.name == "Caritasverband für den Kreis Coesfeld"
    assert actor.kind == Actor.Kind.WELFARE
    assert (actor.street, actor.postcode, actor.municipality) == ("Marienring 5", "48653", coesfeld)
    assert actor.email == "migration@caritas-coesfeld.example"
    assert actor.website == "https://caritas-coesfeld.example"
    assert actor.fields_of_action == ["cross_cutting", "migration"]
    assert actor.language_list() == ["Arabisch", "Ukrainisch"]
    assert actor.is_active
    assert not actor.is_authority


def test_save_actor_changes_only_the_given_fields(dana, centre):
    actor = make_actor(centre, "Jobcenter Kreis Coesfeld", kind=Actor.Kind.JOBCENTRE, phone="1")

    _save(
        dana,
        centre,
        actor=actor,
        name="Jobcenter des Kreises Coesfeld",
        fields_of_action=[FieldOfAction.MIGRATION],
    )

    actor = _fresh(actor)
    assert actor.name == "Jobcenter des Kreises Coesfeld"
    assert actor.fields_of_action == ["migration"]
    assert actor.kind == Actor.Kind.JOBCENTRE
    assert actor.phone == "1"
    assert actor.is_authority
    with scopes_disabled():
        assert Actor.objects.count() == 1


def test_save_actor_refuses_an_unknown_field_of_action(dana, centre):
    with pytest.raises(ValidationError) as excinfo:
        _save(
            dana, centre, name="SV Olfen", kind=Actor.Kind.SPORTS_CLUB, fields_of_action=["sport"]
        )

    assert _refused_field(excinfo) == {"fields_of_action"}
    with scopes_disabled():
        assert not Actor.objects.exists()


def test_save_actor_refuses_a_gemeinde_outside_the_centres_district(dana, centre):
    muenster = Municipality.objects.get(ags="05515000")

    with pytest.raises(ValidationError) as excinfo:
        _save(dana, centre, name="Sprachcafé", kind=Actor.Kind.MSO, municipality=muenster)

    assert _refused_field(excinfo) == {"municipality"}
    assert "outside the centre's area" in " ".join(excinfo.value.messages)
    with scopes_disabled():
        assert not Actor.objects.exists()


def test_save_actor_refuses_a_gemeinde_outside_the_district_on_a_change(dana, centre):
    actor = make_actor(centre, "Sprachcafé Dülmen")
    before = actor.municipality

    with pytest.raises(ValidationError) as excinfo:
        _save(dana, centre, actor=actor, municipality=Municipality.objects.get(ags="05515000"))

    assert _refused_field(excinfo) == {"municipality"}
    assert _fresh(actor).municipality == before


def test_save_actor_checks_a_change_against_the_actors_own_centre(centre, other_centre):
    both = make_member("beide@example.org", Role.ADMINISTRATION, centre)
    make_member("beide@example.org", Role.ADMINISTRATION, other_centre, user=both)
    actor = make_actor(centre, "Caritas Coesfeld")
    before = actor.municipality

    with pytest.raises(ValidationError):
        _save(
            both,
            other_centre,
            actor=actor,
            municipality=Municipality.objects.get(ags="05515000"),
        )

    actor = _fresh(actor)
    assert actor.centre == centre
    assert actor.municipality == before


def test_save_actor_refuses_a_parent_of_another_centre(dana, centre, other_centre):
    foreign = make_actor(other_centre, "Caritasverband Münster")

    with pytest.raises(ValidationError) as excinfo:
        _save(dana, centre, name="Caritas Dülmen", kind=Actor.Kind.WELFARE, parent=foreign)

    assert _refused_field(excinfo) == {"parent"}
    with scopes_disabled():
        assert not Actor.objects.filter(centre=centre).exists()


def test_save_actor_links_a_branch_to_its_parent(dana, centre):
    parent = make_actor(centre, "Diakonisches Werk im Kreis Coesfeld")

    child = _save(dana, centre, name="Diakonie Dülmen", kind=Actor.Kind.WELFARE, parent=parent)

    assert _fresh(child).parent == parent
    with scopes_disabled():
        assert list(parent.children.all()) == [child]


def test_an_actor_cannot_become_its_own_parent(dana, centre):
    actor = make_actor(centre, "AWO Kreisverband Coesfeld")

    with pytest.raises(ValidationError) as excinfo:
        _save(dana, centre, actor=actor, parent=actor)

    assert _refused_field(excinfo) == {"parent"}
    assert _fresh(actor).parent is None


@pytest.mark.parametrize("depth", [1, 2], ids=["child", "grandchild"])
def test_an_actor_cannot_become_part_of_its_own_branch(dana, centre, depth):
    top = make_actor(centre, "DRK-Kreisverband Coesfeld")
    below = top
    for n in range(depth):
        below = make_actor(centre, f"DRK Ortsverein {n}", parent=below)

    with pytest.raises(ValidationError) as excinfo:
        _save(dana, centre, actor=top, parent=below)

    assert _refused_field(excinfo) == {"parent"}
    assert "its own branch" in " ".join(excinfo.value.messages)
    assert _fresh(top).parent is None


def test_save_actor_refuses_a_second_actor_of_the_same_name(dana, charlie, centre, other_centre):
    make_actor(centre, "Volkshochschule Coesfeld")
    make_actor(other_centre, "Volkshochschule Münster")

    with pytest.raises(ValidationError):
        _save(dana, centre, name="Volkshochschule Coesfeld", kind=Actor.Kind.ADULT_EDUCATION)
    # The same name is free in another centre.
    _save(charlie, other_centre, name="Volkshochschule Coesfeld", kind=Actor.Kind.WELFARE)

    with scopes_disabled():
        assert Actor.objects.filter(name="Volkshochschule Coesfeld").count() == 2


def test_save_actor_rejects_fields_an_actor_does_not_have(dana, centre):
    with pytest.raises(TypeError):
        _save(dana, centre, name="X", kind=Actor.Kind.MSO, is_active=False)


# Who keeps the registry


@pytest.mark.parametrize(
    "role", [Role.LEADERSHIP, Role.COORDINATOR, Role.CLERK, Role.ADMINISTRATION]
)
def test_editors_of_the_centre_keep_actors(centre, role):
    editor = make_member("editor@example.org", role, centre)

    actor = _save(editor, centre, name="Integrationsrat Coesfeld", kind=Actor.Kind.WELFARE)

    assert _fresh(actor).centre == centre


@pytest.mark.parametrize(
    "role",
    [
        Role.CASE_MANAGER,
        Role.NEWCOMER_COUNSELLOR,
        Role.IMMIGRATION_OFFICE,
        Role.DATA_PROTECTION,
        Role.PARTNER,
    ],
)
def test_other_roles_of_the_centre_may_not_keep_actors(centre, role):
    member = make_member("member@example.org", role, centre)
    actor = make_actor(centre, "Jugendamt Kreis Coesfeld")

    with pytest.raises(PermissionDenied):
        _save(member, centre, name="Neu", kind=Actor.Kind.WELFARE)
    with pytest.raises(PermissionDenied):
        _save(member, centre, actor=actor, name="Geändert")
    with pytest.raises(PermissionDenied):
        _set_active(member, actor, False)
    with pytest.raises(PermissionDenied):
        _add_contact(member, actor, name="Erika Mustermann")

    assert _fresh(actor).name == "Jugendamt Kreis Coesfeld"
    assert _fresh(actor).is_active
    with scopes_disabled():
        assert Actor.objects.count() == 1
        assert not ContactPerson.objects.exists()


def test_save_actor_refuses_a_case_manager(alice, centre):
    with pytest.raises(PermissionDenied):
        _save(alice, centre, name="Sprachcafé Billerbeck", kind=Actor.Kind.VOLUNTEER_INITIATIVE)

    with scopes_disabled():
        assert not Actor.objects.exists()


def test_the_administration_of_another_centre_may_not_touch_the_centres_actors(charlie, centre):
    actor = make_actor(centre, "Gesundheitsamt Kreis Coesfeld")
    contact = make_contact(actor)

    with pytest.raises(PermissionDenied):
        _save(charlie, centre, name="Neu in Coesfeld", kind=Actor.Kind.WELFARE)
    with pytest.raises(PermissionDenied):
        _save(charlie, centre, actor=actor, name="Übernommen")
    with pytest.raises(PermissionDenied):
        _set_active(charlie, actor, False)
    with pytest.raises(PermissionDenied):
        _add_contact(charlie, actor, name="Max Muster")
    with pytest.raises(PermissionDenied):
        _remove_contact(charlie, contact)

    actor = _fresh(actor)
    assert (actor.name, actor.is_active) == ("Gesundheitsamt Kreis Coesfeld", True)
    with scopes_disabled():
        assert list(actor.contacts.values_list("name", flat=True)) == ["Erika Muster"]
        assert Actor.objects.count() == 1


def test_a_refused_change_leaves_no_log_entry(alice, dana, centre):
    entries_before = LogEntry.objects.count()

    with pytest.raises(PermissionDenied):
        _save(alice, centre, name="Sprachcafé", kind=Actor.Kind.MSO)
    with pytest.raises(ValidationError):
        _save(dana, centre, name="Sprachcafé", kind=Actor.Kind.MSO, fields_of_action=["x"])

    assert LogEntry.objects.count() == entries_before


# Archiving


def test_set_actor_active_archives_and_restores(dana, centre):
    actor = make_actor(centre, "Türkisch-Islamischer Kulturverein Dülmen")
    contact = make_contact(actor)

    _set_active(dana, actor, False)
    assert not _fresh(actor).is_active
    with scopes_disabled():
        assert ContactPerson.objects.filter(pk=contact.pk).exists()  # the history stays

    _set_active(dana, actor, True)
    assert _fresh(actor).is_active


def test_archiving_is_logged_with_the_actor(dana, centre):
    actor = make_actor(centre, "Bildungswerk Senden gGmbH")

    _set_active(dana, actor, False)

    changes = [e for e in _entries(actor, LogEntry.Action.UPDATE) if "is_active" in e.changes_dict]
    assert [(e.actor, e.changes_dict["is_active"]) for e in changes] == [(dana, ["True", "False"])]


# Audit of actors


def test_creating_and_changing_an_actor_is_logged_with_the_actor(dana, centre):
    clerk = make_member("sachbearbeitung@example.org", Role.CLERK, centre)

    actor = _save(dana, centre, name="Sprachcafé Nottuln", kind=Actor.Kind.VOLUNTEER_INITIATIVE)
    _save(clerk, centre, actor=_fresh(actor), name="Sprachcafé Nottuln e. V.")

    assert _entries(actor, LogEntry.Action.CREATE).get().actor == dana
    renamed = [e for e in _entries(actor, LogEntry.Action.UPDATE) if "name" in e.changes_dict]
    assert [(e.actor, e.changes_dict["name"]) for e in renamed] == [
        (clerk, ["Sprachcafé Nottuln", "Sprachcafé Nottuln e. V."])
    ]


# Contact persons


def test_add_contact_adds_a_person_to_the_actor(dana, centre):
    actor = make_actor(centre, "Ausländerbehörde Kreis Coesfeld")

    contact = _add_contact(
        dana,
        actor,
        name="Erika Mustermann",
        function="Sachgebietsleitung",
        email="e.mustermann@kreis-coesfeld.example",
        phone="02541 18-0",
        is_public=True,
    )

    with scopes_disabled():
        contact = ContactPerson.objects.get(pk=contact.pk)
        assert list(actor.contacts.all()) == [contact]
    assert contact.actor == actor
    assert (contact.name, contact.function) == ("Erika Mustermann", "Sachgebietsleitung")
    assert contact.email == "e.mustermann@kreis-coesfeld.example"
    assert contact.is_public


def test_add_contact_refuses_a_person_without_a_name(dana, centre):
    actor = make_actor(centre)

    with pytest.raises(ValidationError) as excinfo:
        _add_contact(dana, actor, name="", email="info@example.org")

    assert "name" in excinfo.value.error_dict
    with scopes_disabled():
        assert not ContactPerson.objects.exists()


def test_adding_a_contact_is_logged_with_the_actor(dana, centre):
    actor = make_actor(centre)

    contact = _add_contact(dana, actor, name="Max Muster", email="max@example.org")

    entry = _entries(contact, LogEntry.Action.CREATE).get()
    assert entry.actor == dana
    assert entry.changes_dict["name"] == ["None", "Max Muster"]


def test_remove_contact_deletes_the_person_and_logs_who_it_was(dana, centre):
    actor = make_actor(centre)
    contact = make_contact(actor, "Erika Mustermann", email="erika@example.org")
    other = make_contact(actor, "Max Muster")
    pk = contact.pk

    _remove_contact(dana, contact)

    with scopes_disabled():
        assert list(actor.contacts.all()) == [other]
    entry = LogEntry.objects.get(
        content_type__model="contactperson", object_pk=str(pk), action=LogEntry.Action.DELETE
    )
    assert entry.actor == dana
    assert entry.object_repr == "Erika Mustermann"
    assert entry.changes_dict["email"][0] == "erika@example.org"
