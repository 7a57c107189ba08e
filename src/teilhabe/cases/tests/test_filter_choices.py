"""The case list's filters by Bezirk, Gemeinde and agency: their choices and what they find."""

import re

import pytest
from django_scopes import scopes_disabled

from teilhabe.cases.models import AgencyResponsibility
from teilhabe.cases.tests.factories import make_agency, make_case, make_person
from teilhabe.core.models import CaseArea
from teilhabe.core.tests.factories import make_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def carla(centre):
    """Carla: case manager of the whole centre (no Bezirk limit)."""
    return make_member("carla@example.org", "case_manager", centre)


def _options(html: str, name: str) -> list[str]:
    select = re.search(rf'<select name="{name}".*?</select>', html, re.S)
    assert select, f"no select {name}"
    return re.findall(r"<option[^>]*>([^<]*)</option>", select.group(0))


def _references(html: str) -> set[str]:
    return set(re.findall(r"KIM-T-[A-Z0-9-]+", html))


def test_each_filter_finds_its_cases(client, carla, centre):
    with scopes_disabled():
        nord, sued = (centre.case_areas.get(name=n) for n in ("Bezirk Nord", "Bezirk Süd"))
        town, other_town = list(centre.municipalities().order_by("name")[:2])
        jobcentre = make_agency(centre, "Jobcenter Kreis Coesfeld")
        in_nord = make_case(centre, area=nord, reference="KIM-T-NORD")
        make_case(centre, area=sued, reference="KIM-T-SUED")
        elsewhere = make_person(centre, "Nowak", municipality=other_town)
        make_case(centre, area=sued, person=elsewhere, reference="KIM-T-ANDERSWO")
        AgencyResponsibility.objects.create(person=in_nord.person, agency=jobcentre)
    client.force_login(carla)

    def found(**params: object) -> set[str]:
        return _references(client.get("/faelle/", params).content.decode())

    assert found(case_area=nord.pk) == {"KIM-T-NORD"}
    assert found(case_area=sued.pk) == {"KIM-T-SUED", "KIM-T-ANDERSWO"}
    assert found(municipality=other_town.pk) == {"KIM-T-ANDERSWO"}
    assert "KIM-T-ANDERSWO" not in found(municipality=town.pk)
    assert found(agency=jobcentre.pk) == {"KIM-T-NORD"}
    # The list shows what it is filtered by.
    html = client.get("/faelle/", {"agency": jobcentre.pk, "case_area": sued.pk}).content.decode()
    assert f'<option value="{jobcentre.pk}" selected>Jobcenter Kreis Coesfeld</option>' in html
    assert f'<option value="{sued.pk}" selected>Bezirk Süd</option>' in html


def test_a_bezirk_or_agency_of_another_centre_is_no_choice(client, carla, centre, other_centre):
    with scopes_disabled():
        make_case(centre, reference="KIM-T-EIGEN")
        theirs = CaseArea.objects.get(centre=other_centre, name="Münster-Mitte")
        their_agency = make_agency(other_centre, "Jobcenter Münster")
    client.force_login(carla)

    html = client.get("/faelle/").content.decode()
    assert "Münster-Mitte" not in _options(html, "case_area")
    assert "Jobcenter Münster" not in _options(html, "agency")
    for params in ({"case_area": theirs.pk}, {"agency": their_agency.pk}):
        response = client.get("/faelle/", params)
        assert response.status_code == 200
        assert "KIM-T-EIGEN" in response.content.decode()  # an invalid filter filters nothing


def test_a_member_limited_to_a_bezirk_is_offered_only_that_one(client, alice, carla, centre):
    client.force_login(carla)
    assert _options(client.get("/faelle/").content.decode(), "case_area") == [
        "alle",
        "Bezirk Nord",
        "Bezirk Süd",
    ]
    client.force_login(alice)  # the same worker: carla's kept choices are not alice's
    assert _options(client.get("/faelle/").content.decode(), "case_area") == ["alle", "Bezirk Nord"]


def test_a_new_agency_is_offered_on_the_next_request(client, carla, centre):
    client.force_login(carla)
    html = client.get("/faelle/").content.decode()
    assert "Jobcenter Kreis Coesfeld" not in _options(html, "agency")

    make_agency(centre, "Jobcenter Kreis Coesfeld")

    html = client.get("/faelle/").content.decode()
    assert "Jobcenter Kreis Coesfeld" in _options(html, "agency")


def test_a_renamed_bezirk_is_offered_on_the_next_request(client, carla, centre):
    client.force_login(carla)
    assert "Bezirk Nord" in _options(client.get("/faelle/").content.decode(), "case_area")

    with scopes_disabled():
        nord = centre.case_areas.get(name="Bezirk Nord")
        nord.name = "Bezirk Nordwest"
        nord.save()

    options = _options(client.get("/faelle/").content.decode(), "case_area")
    assert "Bezirk Nordwest" in options
    assert "Bezirk Nord" not in options
