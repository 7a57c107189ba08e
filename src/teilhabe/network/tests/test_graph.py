"""Who cooperates with whom: links through shared working groups and agreements."""

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from teilhabe.network.graph import cooperation_graph
from teilhabe.network.models import Actor
from teilhabe.network.tests.factories import make_actor, make_agreement, make_group, make_member_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def web(centre):
    """Three linked actors and one alone: A–B share a group and an agreement, B–C a group."""
    a = make_actor(centre, "Caritas", fields_of_action=["migration"])
    b = make_actor(centre, "Jobcenter", fields_of_action=["migration", "cross_cutting"])
    c = make_actor(centre, "VHS", fields_of_action=["education"])
    make_actor(centre, "Sportverein")
    steering = make_group(centre, "Lenkungsgruppe")
    language = make_group(centre, "AK Sprache")
    for actor in (a, b):
        make_member_of(steering, actor)
    for actor in (b, c):
        make_member_of(language, actor)
    agreement = make_agreement(centre, title="Kooperation Beratung")
    with scopes_disabled():
        agreement.partners.set([a, b])
    return a, b, c


def _pairs(graph):
    return {(e.a.name, e.b.name): (e.groups, e.agreements) for e in graph.edges}


def test_actors_are_linked_by_groups_and_agreements(web, centre):
    with scopes_disabled():
        graph = cooperation_graph(Actor.objects.for_centre(centre))
    assert _pairs(graph) == {
        ("Caritas", "Jobcenter"): (["Lenkungsgruppe"], ["Kooperation Beratung"]),
        ("Jobcenter", "VHS"): (["AK Sprache"], []),
    }
    assert [n.name for n in graph.nodes] == ["Caritas", "Jobcenter", "VHS"]  # no loners
    assert graph.edges[0].weight == 2


def test_filter_by_field_of_action_keeps_links_between_chosen_actors(web, centre):
    with scopes_disabled():
        graph = cooperation_graph(Actor.objects.for_centre(centre), field_of_action="migration")
    assert set(_pairs(graph)) == {("Caritas", "Jobcenter")}


def test_layout_puts_every_linked_actor_on_the_drawing(web, centre):
    with scopes_disabled():
        drawing = cooperation_graph(Actor.objects.for_centre(centre)).layout(size=400)
    assert len(drawing["nodes"]) == 3 and len(drawing["edges"]) == 2
    assert drawing["nodes"][0]["actor"].name == "Jobcenter"  # most connected first
    for node in drawing["nodes"]:
        assert 0 <= node["x"] <= 400 and 0 <= node["y"] <= 400


def test_graph_page_shows_only_the_own_centre(client, web, dana, other_centre):
    stranger = make_actor(other_centre, "Fremder Verein")
    group = make_group(other_centre, "Fremdes Gremium")
    make_member_of(group, stranger)
    make_member_of(group)
    client.force_login(dana)
    response = client.get(reverse("network:graph"))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Lenkungsgruppe" in content and "Kooperation Beratung" in content
    assert "Fremder Verein" not in content and "Fremdes Gremium" not in content
    assert "<svg" in content
