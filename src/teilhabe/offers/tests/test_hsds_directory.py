"""The HSDS export of the whole directory: every centre's offers, in a few queries."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from teilhabe.core.tests.factories import make_member
from teilhabe.network.tests.factories import make_actor
from teilhabe.offers.hsds import export_all_services, export_services

from .test_hsds import errors, make_offer

pytestmark = pytest.mark.django_db


@pytest.fixture
def offers(centre, other_centre):
    ella = make_member("ella@example.org", "administration", centre)
    otto = make_member("otto@example.org", "administration", other_centre)
    made = [
        make_offer(ella, centre, english=("Language café", "Practise German.")),
        make_offer(otto, other_centre, title="Elterncafé", provider=make_actor(other_centre)),
        make_offer(ella, centre, title="Hausaufgabenhilfe", status="draft"),
        make_offer(ella, centre, title="Jugendtreff", languages="Deutsch, Arabisch, deutsch"),
    ]
    return made


@pytest.mark.parametrize("language", ["de", "en"])
def test_whole_directory_is_every_centre_in_turn(offers, centre, other_centre, language):
    first, second = sorted([centre, other_centre], key=lambda c: c.pk)

    services = export_all_services(language=language)

    assert services == export_services(first, language=language) + export_services(
        second, language=language
    )
    assert len(services) == 3
    assert all(errors(service) == [] for service in services)


def test_whole_directory_needs_few_queries(offers, centre, django_assert_max_num_queries):
    with django_assert_max_num_queries(5):
        assert len(export_all_services()) == 3
    ella = make_member("ella2@example.org", "administration", centre)
    for n in range(10):
        make_offer(ella, centre, title=f"Kurs {n}", provider=offers[0].provider)
    with django_assert_max_num_queries(5):
        assert len(export_all_services()) == 13


def test_organisation_of_one_provider_is_the_same_but_not_shared(offers, centre):
    ella = make_member("ella2@example.org", "administration", centre)
    make_offer(ella, centre, title="Kurs", provider=offers[0].provider)
    first, *_rest, last = export_services(centre)

    assert first["organization"] == last["organization"]
    assert first["organization"] is not last["organization"]


def test_command_exports_the_whole_directory(offers):
    out = StringIO()

    call_command("export_hsds", "--all", stdout=out)

    text = out.getvalue()
    assert json.loads(text) == export_all_services()
    assert text == json.dumps(export_all_services(), ensure_ascii=False, indent=2) + "\n"


@pytest.mark.parametrize("arguments", [[], ["coesfeld", "--all"]])
def test_command_wants_one_centre_or_all(centre, arguments):
    with pytest.raises(CommandError, match="Name one centre, or give --all"):
        call_command("export_hsds", *arguments, stdout=StringIO())
