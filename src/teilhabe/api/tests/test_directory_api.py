"""The public JSON API: the directory's offers, the HSDS export, the OpenAPI document."""

import json

import pytest
import yaml
from django.core.management import call_command
from django.urls import reverse

from teilhabe.offers.tests.factories import make_offer
from teilhabe.offers.tests.test_hsds import errors

pytestmark = pytest.mark.django_db


def test_offers_endpoint_lists_published_offers_of_the_centre(client, centre, other_centre):
    make_offer(centre, "Sprachcafé Coesfeld", free_of_charge=True, min_age=16)
    make_offer(centre, "Entwurf", status="draft")
    make_offer(other_centre, "Sprachcafé Münster")
    response = client.get(reverse("api:directory-offers", args=[centre.slug]))
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    offer = body["results"][0]
    assert offer["title"] == "Sprachcafé Coesfeld"
    assert offer["places"][0]["gemeinde"] == centre.municipalities().first().name
    assert offer["times"] == [{"weekday": 2, "opens_at": "15:00", "closes_at": "17:00"}]


def test_offers_endpoint_filters_like_the_directory(client, centre):
    make_offer(centre, "Jugendtreff", min_age=12, max_age=18)
    make_offer(centre, "Seniorencafé", min_age=60)
    url = reverse("api:directory-offers", args=[centre.slug])
    titles = [o["title"] for o in client.get(url, {"alter": 15}).json()["results"]]
    assert titles == ["Jugendtreff"]
    assert client.get(url, {"gemeinde": "00000000"}).json()["count"] == 0


def test_offers_endpoint_needs_no_login_and_knows_no_unknown_centre(client):
    assert client.get(reverse("api:directory-offers", args=["nirgendwo"])).status_code == 404


def test_hsds_endpoint_serves_what_the_command_writes(client, centre):
    make_offer(centre, "Sprachcafé")
    served = client.get(reverse("api:directory-hsds", args=[centre.slug])).json()
    from io import StringIO

    out = StringIO()
    call_command("export_hsds", centre.slug, stdout=out)
    assert served == json.loads(out.getvalue())
    assert served and all(errors(service) == [] for service in served)


def test_openapi_document_describes_the_directory(client):
    response = client.get(reverse("api:schema"))
    assert response.status_code == 200
    document = yaml.safe_load(response.content)
    assert document["openapi"].startswith("3.")
    paths = document["paths"]
    offers = paths["/api/v1/verzeichnis/{slug}/angebote/"]["get"]
    assert {p["name"] for p in offers["parameters"]} >= {"q", "gemeinde", "alter", "sprache"}
    assert "/api/v1/verzeichnis/{slug}/hsds/services/" in paths
