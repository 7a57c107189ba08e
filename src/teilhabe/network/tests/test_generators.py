"""The network's part of the demo and of ``teilhabe seed``."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django_scopes import scopes_disabled

from teilhabe.core import seeding
from teilhabe.core.demo import DEMO_CENTRE, ORGANISATIONS, SECOND_CENTRE, load_demo
from teilhabe.core.models import Centre, Organisation
from teilhabe.network import generators
from teilhabe.network.models import (
    Actor,
    ContactPerson,
    CooperationAgreement,
    FieldOfAction,
    Meeting,
    WorkingGroup,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    load_demo()


def _counts() -> dict[str, int]:
    with scopes_disabled():
        return {
            "actors": Actor.objects.count(),
            "contacts": ContactPerson.objects.count(),
            "groups": WorkingGroup.objects.count(),
            "meetings": Meeting.objects.count(),
            "agreements": CooperationAgreement.objects.count(),
        }


def _actors(slug):
    return Actor.objects.filter(centre__slug=slug)


def test_network_generator_is_registered():
    assert ("network", generators.generate) in seeding.generators()


def test_demo_creates_actors_with_contact_persons_for_both_demo_centres(demo):
    generators.generate("demo", 2026, 1.0)

    with scopes_disabled():
        for slug in (DEMO_CENTRE, SECOND_CENTRE):
            actors = _actors(slug)
            assert actors.count() >= 10
            assert ContactPerson.objects.filter(actor__centre__slug=slug).count() >= 10
            # every planned actor has its contact person; the partner's own actor is kept by it
            assert not actors.filter(contacts=None, organisation=None).exists()
        assert _actors(DEMO_CENTRE).filter(name="Jobcenter Kreis Coesfeld").exists()
        assert _actors(SECOND_CENTRE).filter(kind=Actor.Kind.IMMIGRATION_OFFICE).exists()
        assert not Actor.objects.exclude(centre__slug__in=[DEMO_CENTRE, SECOND_CENTRE]).exists()


def test_demo_links_the_partner_organisation_to_its_actor(demo):
    generators.generate("demo", 2026, 1.0)

    with scopes_disabled():
        bruecke = Organisation.objects.get(name="Beratungsstelle Brücke e. V.")
        actor = Actor.objects.get(organisation=bruecke)
        assert actor.name == "Beratungsstelle Brücke e. V."
        assert actor.centre.slug == DEMO_CENTRE
        assert bruecke.actor == actor
        aasee = Organisation.objects.get(name=ORGANISATIONS[SECOND_CENTRE])
        assert aasee.actor.centre.slug == SECOND_CENTRE


def test_demo_actors_keep_the_rules_of_the_registry(demo):
    generators.generate("demo", 2026, 1.0)

    with scopes_disabled():
        for centre in Centre.objects.filter(slug__in=[DEMO_CENTRE, SECOND_CENTRE]):
            towns = set(centre.municipalities())
            for actor in Actor.objects.filter(centre=centre).select_related("municipality"):
                try:
                    actor.full_clean()
                except ValidationError as error:  # pragma: no cover - message for the reader
                    pytest.fail(f"{actor}: {error.message_dict}")
                assert actor.municipality is None or actor.municipality in towns, actor
                assert not actor.postcode or (actor.postcode.isdigit() and len(actor.postcode) == 5)
                assert set(actor.fields_of_action) <= set(FieldOfAction.values), actor
        for contact in ContactPerson.objects.all():
            contact.full_clean()


def test_a_second_run_creates_nothing(demo):
    first = generators.generate("demo", 2026, 1.0)
    after_first = _counts()

    second = generators.generate("demo", 2026, 1.0)

    assert first["actors"] > 0
    assert first["working groups"] == 6
    assert second == {"actors": 0, "working groups": 0}
    assert _counts() == after_first


def test_kreis_scale_fills_only_the_demo_centre(demo):
    generators.generate("kreis", 2026, 1.0)

    with scopes_disabled():
        assert _actors(DEMO_CENTRE).exists()
        assert not Actor.objects.exclude(centre__slug=DEMO_CENTRE).exists()


def test_generate_reports_every_actor_it_created(demo):
    result = generators.generate("demo", 2026, 1.0)

    assert result["actors"] == _counts()["actors"]
