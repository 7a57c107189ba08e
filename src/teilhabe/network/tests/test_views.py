"""Pages of the actor registry as a user meets them through the test client."""

from __future__ import annotations

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from auditlog.models import LogEntry
from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django_scopes import scopes_disabled

from teilhabe.core.models import AccessLog, Municipality
from teilhabe.network.models import Actor, ContactPerson, FieldOfAction
from teilhabe.network.tests.factories import make_actor, make_change, make_contact
from teilhabe.network.views import ChangeListView

pytestmark = pytest.mark.django_db

ACTOR_LIST = reverse("network:actor-list")
ACTOR_CREATE = reverse("network:actor-create")
ENGLISH = {"accept-language": "en"}


def _url(name, obj):
    return reverse(f"network:{name}", args=[obj.pk])


def _names(response):
    return [a.name for a in response.context["object_list"]]


def _town(centre, name):
    return centre.municipalities().get(name=name)


def _fresh(actor):
    with scopes_disabled():
        return Actor.objects.get(pk=actor.pk)


def _contact_names(actor):
    with scopes_disabled():
        return sorted(actor.contacts.values_list("name", flat=True))


def _messages(response):
    return [(m.level, str(m)) for m in messages.get_messages(response.wsgi_request)]


# List: filters


def test_actor_list_filters_by_kind(client, alice, centre):
    make_actor(centre, "Jobcenter Kreis Coesfeld", kind=Actor.Kind.JOBCENTRE)
    make_actor(centre, "Caritasverband Coesfeld", kind=Actor.Kind.WELFARE)
    make_actor(centre, "Diakonie Coesfeld", kind=Actor.Kind.WELFARE)
    client.force_login(alice)

    response = client.get(ACTOR_LIST, {"kind": Actor.Kind.WELFARE})

    assert response.status_code == 200
    assert _names(response) == ["Caritasverband Coesfeld", "Diakonie Coesfeld"]
    assert "Jobcenter Kreis Coesfeld" not in response.content.decode()
    assert _names(client.get(ACTOR_LIST, {"kind": Actor.Kind.JOBCENTRE})) == [
        "Jobcenter Kreis Coesfeld"
    ]


def test_actor_list_filters_by_gemeinde(client, alice, centre):
    dulmen, olfen = _town(centre, "Dülmen"), _town(centre, "Olfen")
    make_actor(centre, "Sprachcafe Duelmen", municipality=dulmen)
    make_actor(centre, "Sprachcafe Olfen", municipality=olfen)
    make_actor(centre, "Kreisverwaltung", municipality=None)
    client.force_login(alice)

    assert _names(client.get(ACTOR_LIST, {"municipality": olfen.pk})) == ["Sprachcafe Olfen"]
    assert _names(client.get(ACTOR_LIST, {"municipality": dulmen.pk})) == ["Sprachcafe Duelmen"]


def test_actor_list_filters_by_field_of_action(client, alice, centre):
    make_actor(centre, "Familienzentrum", fields_of_action=[FieldOfAction.EDUCATION])
    make_actor(
        centre,
        "Fluechtlingshilfe",
        fields_of_action=[FieldOfAction.CROSS_CUTTING, FieldOfAction.MIGRATION],
    )
    make_actor(centre, "Sportverein", fields_of_action=[])
    client.force_login(alice)

    def listed(field):
        return _names(client.get(ACTOR_LIST, {"field": field}))

    assert listed(FieldOfAction.EDUCATION) == ["Familienzentrum"]
    assert listed(FieldOfAction.MIGRATION) == ["Fluechtlingshilfe"]
    assert listed(FieldOfAction.CROSS_CUTTING) == ["Fluechtlingshilfe"]
    assert listed("") == ["Familienzentrum", "Fluechtlingshilfe", "Sportverein"]


def test_actor_list_searches_names_in_any_case(client, alice, centre):
    make_actor(centre, "Caritasverband Coesfeld")
    make_actor(centre, "Caritas Migrationsdienst")
    make_actor(centre, "Jugendamt")
    client.force_login(alice)

    assert _names(client.get(ACTOR_LIST, {"q": "CARITAS"})) == [
        "Caritas Migrationsdienst",
        "Caritasverband Coesfeld",
    ]
    assert _names(client.get(ACTOR_LIST, {"q": "jugend"})) == ["Jugendamt"]
    assert _names(client.get(ACTOR_LIST, {"q": "Niemand"})) == []


def test_actor_list_hides_archived_actors_unless_asked(client, alice, centre):
    make_actor(centre, "Aktiver Verein")
    make_actor(centre, "Aufgeloester Verein", is_active=False)
    client.force_login(alice)

    default = client.get(ACTOR_LIST)
    with_archived = client.get(ACTOR_LIST, {"archived": "on"})

    assert _names(default) == ["Aktiver Verein"]
    assert "Aufgeloester Verein" not in default.content.decode()
    assert _names(with_archived) == ["Aktiver Verein", "Aufgeloester Verein"]


def test_actor_list_of_one_centre_never_shows_another(client, dana, centre, other_centre):
    make_actor(centre, "Caritas Coesfeld", kind=Actor.Kind.WELFARE)
    make_actor(other_centre, "Caritas Muenster", kind=Actor.Kind.WELFARE)
    make_actor(other_centre, "Archiv Muenster", kind=Actor.Kind.WELFARE, is_active=False)
    client.force_login(dana)

    for params in (
        {},
        {"archived": "on"},
        {"q": "Muenster", "archived": "on"},
        {"kind": "welfare"},
    ):
        response = client.get(ACTOR_LIST, params)
        content = response.content.decode()
        assert "Caritas Muenster" not in content
        assert "Archiv Muenster" not in content
    assert _names(client.get(ACTOR_LIST, {"archived": "on"})) == ["Caritas Coesfeld"]


def test_actor_list_offers_only_the_centres_gemeinden(client, alice, centre):
    client.force_login(alice)

    response = client.get(ACTOR_LIST)

    offered = set(response.context["filter_form"].fields["municipality"].queryset)
    assert offered == set(centre.municipalities())
    assert "Münster" not in response.content.decode()


# List: sorting and pages


@pytest.fixture
def three_actors(centre):
    make_actor(centre, "Beta", kind=Actor.Kind.WELFARE, municipality=_town(centre, "Ascheberg"))
    make_actor(centre, "Alpha", kind=Actor.Kind.JOBCENTRE, municipality=_town(centre, "Havixbeck"))
    make_actor(
        centre, "Gamma", kind=Actor.Kind.ADULT_EDUCATION, municipality=_town(centre, "Billerbeck")
    )


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("name", ["Alpha", "Beta", "Gamma"]),
        ("-name", ["Gamma", "Beta", "Alpha"]),
        ("kind", ["Gamma", "Alpha", "Beta"]),  # adult_education, jobcentre, welfare
        ("-kind", ["Beta", "Alpha", "Gamma"]),
        ("town", ["Beta", "Gamma", "Alpha"]),  # Ascheberg, Billerbeck, Havixbeck
        ("-town", ["Alpha", "Gamma", "Beta"]),
        ("nonsense", ["Alpha", "Beta", "Gamma"]),
    ],
)
def test_actor_list_sorts_in_both_directions(client, alice, three_actors, sort, expected):
    client.force_login(alice)

    response = client.get(ACTOR_LIST, {"sort": sort})

    assert _names(response) == expected
    content = response.content.decode()
    content = content[content.index("<tbody") :]
    assert [content.index(f">{name}<") for name in expected] == sorted(
        content.index(f">{name}<") for name in expected
    )


def test_actor_list_sort_header_turns_the_direction(client, alice, three_actors):
    client.force_login(alice)

    ascending = client.get(ACTOR_LIST, {"sort": "name"}).content.decode()
    descending = client.get(ACTOR_LIST, {"sort": "-name"}).content.decode()

    assert 'aria-sort="ascending"' in ascending
    assert 'href="?sort=-name"' in ascending
    assert 'aria-sort="descending"' in descending
    assert 'href="?sort=name"' in descending


def test_actor_list_shows_25_per_page(client, alice, centre):
    for n in range(30):
        make_actor(centre, f"Akteur {n:02d}")
    client.force_login(alice)

    first = client.get(ACTOR_LIST)
    second = client.get(ACTOR_LIST, {"page": 2})

    assert _names(first) == [f"Akteur {n:02d}" for n in range(25)]
    assert _names(second) == [f"Akteur {n:02d}" for n in range(25, 30)]
    assert first.context["paginator"].count == 30
    assert client.get(ACTOR_LIST, {"page": 3}).status_code == 404


def test_actor_list_pages_keep_the_filter_and_sort(client, alice, centre):
    for n in range(27):
        make_actor(centre, f"Verein {n:02d}", kind=Actor.Kind.MSO)
    make_actor(centre, "Jobcenter", kind=Actor.Kind.JOBCENTRE)
    client.force_login(alice)

    first = client.get(ACTOR_LIST, {"kind": "mso", "sort": "-name"})
    second = client.get(ACTOR_LIST, {"kind": "mso", "sort": "-name", "page": 2})

    assert 'href="?kind=mso&amp;sort=-name&amp;page=2"' in first.content.decode()
    assert _names(second) == ["Verein 01", "Verein 00"]


# Detail and access log


def test_detail_of_an_actor_with_contacts_writes_one_access_log_entry(client, dana, centre):
    actor = make_actor(centre, "Auslaenderbehoerde Kreis Coesfeld")
    make_contact(actor, "Erika Mustermann", email="erika@kreis-coesfeld.example")
    client.force_login(dana)
    entries_before = AccessLog.objects.count()

    response = client.get(_url("actor-detail", actor))

    assert response.status_code == 200
    content = response.content.decode()
    assert "Erika Mustermann" in content
    assert "erika@kreis-coesfeld.example" in content
    assert AccessLog.objects.count() == entries_before + 1
    entry = AccessLog.objects.latest("pk")
    assert (entry.user, entry.user_email) == (dana, "dana@example.org")
    assert entry.centre == centre
    assert entry.action == AccessLog.Action.READ
    assert entry.content_type == ContentType.objects.get_for_model(Actor)
    assert entry.object_id == str(actor.pk)
    assert entry.request_id == response["X-Request-ID"]


def test_detail_of_an_actor_without_contacts_writes_no_access_log_entry(client, alice, centre):
    actor = make_actor(centre, "Sportverein Olfen")
    client.force_login(alice)

    response = client.get(_url("actor-detail", actor))

    assert response.status_code == 200
    assert "Sportverein Olfen" in response.content.decode()
    assert not AccessLog.objects.exists()


def test_case_manager_reads_an_actor_but_gets_no_edit_controls(client, alice, centre):
    actor = make_actor(centre, "Jugendamt")
    client.force_login(alice)

    response = client.get(_url("actor-detail", actor))

    assert response.status_code == 200
    content = response.content.decode()
    assert _url("actor-update", actor) not in content
    assert _url("contact-create", actor) not in content
    assert client.get(_url("actor-update", actor)).status_code == 403
    assert client.post(_url("actor-archive", actor), {"active": "0"}).status_code == 403
    assert _fresh(actor).is_active


@pytest.fixture
def foreign_actor(other_centre):
    actor = make_actor(other_centre, "Migrationsdienst Muenster")
    make_contact(actor, "Max Muster")
    return actor


@pytest.mark.parametrize(
    ("name", "method", "data"),
    [
        ("actor-detail", "get", {}),
        ("actor-update", "get", {}),
        ("actor-update", "post", {"name": "Uebernommen", "kind": "welfare"}),
        ("actor-archive", "post", {"active": "0"}),
        ("contact-create", "post", {"name": "Eindringling"}),
    ],
)
def test_actor_of_another_centre_answers_404(client, dana, foreign_actor, name, method, data):
    client.force_login(dana)

    response = getattr(client, method)(_url(name, foreign_actor), data)

    assert response.status_code == 404
    assert "Migrationsdienst Muenster" not in response.content.decode()
    actor = _fresh(foreign_actor)
    assert (actor.name, actor.is_active) == ("Migrationsdienst Muenster", True)
    assert _contact_names(actor) == ["Max Muster"]
    assert not AccessLog.objects.exists()


def test_contact_person_of_another_centre_answers_404(client, dana, foreign_actor):
    with scopes_disabled():
        contact = foreign_actor.contacts.get()
    client.force_login(dana)

    response = client.post(_url("contact-delete", contact))

    assert response.status_code == 404
    assert _contact_names(foreign_actor) == ["Max Muster"]


# Create and edit form


def _actor_form(**overrides):
    return {
        "name": "Deutsch-Syrischer Kulturverein",
        "kind": Actor.Kind.MSO,
        "street": "Kirchstraße 3",
        "postcode": "48249",
        "email": "info@dsk.example",
        "fields_of_action": [FieldOfAction.CROSS_CUTTING, FieldOfAction.MIGRATION],
        "languages": "Arabisch, Kurdisch",
        **overrides,
    }


def test_create_form_saves_the_actor_and_leads_to_its_page(client, dana, centre):
    dulmen = _town(centre, "Dülmen")
    client.force_login(dana)

    response = client.post(ACTOR_CREATE, _actor_form(municipality=dulmen.pk))

    with scopes_disabled():
        actor = Actor.objects.get(name="Deutsch-Syrischer Kulturverein")
    assert response.status_code == 302
    assert response.url == _url("actor-detail", actor)
    assert actor.centre == centre
    assert (actor.municipality, actor.postcode) == (dulmen, "48249")
    assert actor.fields_of_action == ["cross_cutting", "migration"]
    assert _entries_of(actor, LogEntry.Action.CREATE) == [dana]


def _entries_of(obj, action):
    return [e.actor for e in LogEntry.objects.get_for_object(obj).filter(action=action)]


def test_create_form_keeps_entries_and_explains_a_bad_postcode_and_foreign_gemeinde(
    client, dana, centre
):
    muenster = Municipality.objects.get(ags="05515000")
    client.force_login(dana)

    response = client.post(
        ACTOR_CREATE,
        _actor_form(postcode="123", municipality=muenster.pk),
        headers=ENGLISH,
    )

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"postcode", "municipality"}
    content = response.content.decode()
    assert re.search(r'id="id_postcode_error"[^>]*>A German postcode has five digits', content)
    assert 'id="id_municipality_error"' in content
    assert 'value="Deutsch-Syrischer Kulturverein"' in content
    assert 'value="123"' in content
    assert 'value="Kirchstraße 3"' in content
    assert re.search(r'<option value="mso"\s+selected>', content)
    assert re.search(r'value="migration" id="[^"]+" checked', content)
    assert not re.search(r'value="education" id="[^"]+" checked', content)
    with scopes_disabled():
        assert not Actor.objects.exists()


def test_create_form_shows_a_refusal_of_the_service_without_saving(client, dana, centre):
    make_actor(centre, "Deutsch-Syrischer Kulturverein")
    client.force_login(dana)

    response = client.post(ACTOR_CREATE, _actor_form(), headers=ENGLISH)

    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    with scopes_disabled():
        assert Actor.objects.count() == 1


def test_create_form_is_refused_to_a_case_manager(client, alice):
    client.force_login(alice)

    assert client.get(ACTOR_CREATE).status_code == 403
    assert client.post(ACTOR_CREATE, _actor_form()).status_code == 403
    with scopes_disabled():
        assert not Actor.objects.exists()


def test_update_form_changes_the_actor(client, dana, centre):
    parent = make_actor(centre, "Flüchtlingshilfe Senden")
    actor = make_actor(
        centre,
        "Sprachcafe Senden",
        kind=Actor.Kind.VOLUNTEER_INITIATIVE,
        parent=parent,
        fields_of_action=[FieldOfAction.EDUCATION],
    )
    client.force_login(dana)

    page = client.get(_url("actor-update", actor))
    form = page.content.decode()
    response = client.post(
        _url("actor-update", actor),
        _actor_form(
            name="Sprachcafe Senden e. V.", kind=Actor.Kind.VOLUNTEER_INITIATIVE, parent=parent.pk
        ),
    )

    assert 'value="Sprachcafe Senden"' in form
    assert re.search(rf'<option value="{parent.pk}"\s+selected>', form)
    assert re.search(r'value="education" id="[^"]+" checked', form)
    assert not re.search(r'value="migration" id="[^"]+" checked', form)
    with scopes_disabled():
        assert list(page.context["form"].fields["parent"].queryset) == [parent]  # not itself
    assert response.status_code == 302
    actor = _fresh(actor)
    assert actor.name == "Sprachcafe Senden e. V."
    assert actor.parent == parent
    assert actor.languages == "Arabisch, Kurdisch"
    assert actor.municipality is None


def test_update_form_refuses_a_child_as_parent(client, dana, centre):
    parent = make_actor(centre, "Caritasverband")
    child = make_actor(centre, "Caritas Duelmen", parent=parent)
    client.force_login(dana)

    response = client.post(
        _url("actor-update", parent),
        _actor_form(name="Caritasverband", kind=Actor.Kind.WELFARE, parent=child.pk),
        headers=ENGLISH,
    )

    assert response.status_code == 200
    assert "its own branch" in " ".join(response.context["form"].errors["parent"])
    assert _fresh(parent).parent is None


def test_update_form_keeps_an_archived_parent(client, dana, centre):
    parent = make_actor(centre, "Caritasverband", is_active=False)
    child = make_actor(centre, "Caritas Duelmen", kind=Actor.Kind.WELFARE, parent=parent)
    client.force_login(dana)

    response = client.post(
        _url("actor-update", child),
        _actor_form(name="Caritas Duelmen", kind=Actor.Kind.WELFARE, parent=parent.pk),
    )

    assert response.status_code == 302
    assert _fresh(child).parent == parent
    page = client.get(_url("actor-update", child)).content.decode()
    assert re.search(rf'<option value="{parent.pk}"\s+selected>', page)


# Archiving


def test_archive_button_archives_and_restores(client, dana, centre):
    actor = make_actor(centre, "Integrationsrat")
    client.force_login(dana)

    archived = client.post(_url("actor-archive", actor), {"active": "0"}, headers=ENGLISH)
    assert archived.status_code == 302
    assert archived.url == _url("actor-detail", actor)
    assert not _fresh(actor).is_active
    assert _messages(archived) == [(messages.SUCCESS, "“Integrationsrat” has been archived.")]
    page = client.get(archived.url, headers=ENGLISH).content.decode()  # shows the message once
    assert "This actor has been archived." in page

    restored = client.post(_url("actor-archive", actor), {"active": "1"}, headers=ENGLISH)
    assert _fresh(actor).is_active
    assert _messages(restored) == [(messages.SUCCESS, "“Integrationsrat” is active again.")]


# Contact persons


def test_contact_form_adds_a_person(client, dana, centre):
    actor = make_actor(centre, "Jobcenter")
    client.force_login(dana)

    response = client.post(
        _url("contact-create", actor),
        {"name": "Erika Mustermann", "function": "Beratung", "email": "erika@example.org"},
    )

    assert response.status_code == 302
    assert response.url == _url("actor-detail", actor)
    with scopes_disabled():
        contact = actor.contacts.get()
    assert (contact.name, contact.function, contact.is_public) == (
        "Erika Mustermann",
        "Beratung",
        False,
    )
    assert _entries_of(contact, LogEntry.Action.CREATE) == [dana]


def test_contact_form_without_a_name_shows_an_error_and_saves_nothing(client, dana, centre):
    actor = make_actor(centre, "Jobcenter")
    client.force_login(dana)

    response = client.post(
        _url("contact-create", actor), {"name": "", "email": "erika@example.org"}, headers=ENGLISH
    )

    assert response.status_code == 302
    assert response.url == _url("actor-detail", actor)
    [(level, text)] = _messages(response)
    assert level == messages.ERROR
    assert "The contact person was not added" in text
    assert "Name: This field is required." in text
    with scopes_disabled():
        assert not ContactPerson.objects.exists()


def test_contact_remove_button_deletes_the_person_and_logs_it(client, dana, centre):
    actor = make_actor(centre, "Jobcenter")
    contact = make_contact(actor, "Erika Mustermann")
    make_contact(actor, "Max Muster")
    pk = contact.pk
    client.force_login(dana)

    response = client.post(_url("contact-delete", contact))

    assert response.status_code == 302
    assert response.url == _url("actor-detail", actor)
    assert _contact_names(actor) == ["Max Muster"]
    entry = LogEntry.objects.get(
        content_type=ContentType.objects.get_for_model(ContactPerson),
        object_pk=str(pk),
        action=LogEntry.Action.DELETE,
    )
    assert entry.actor == dana


# Proposed changes


def test_change_list_pages_through_changes_proposed_at_once_each_once(
    client, monkeypatch, dana, centre
):
    """Changes proposed at the same moment: newest (last made) first, the same on every page."""
    monkeypatch.setattr(ChangeListView, "paginate_by", 4)
    actor = make_actor(centre, "Jobcenter")
    moment = datetime.datetime(2026, 11, 20, 10, 0, tzinfo=ZoneInfo("Europe/Berlin"))
    with time_machine.travel(moment, tick=False):
        changes = [make_change(actor, phone=f"02541 {n:06d}") for n in range(10)]
    client.force_login(dana)

    pages = [
        client.get(reverse("network:change-list"), {"page": n}).context["object_list"]
        for n in (1, 2, 3)
    ]

    assert [c.pk for page in pages for c in page] == [c.pk for c in reversed(changes)]
