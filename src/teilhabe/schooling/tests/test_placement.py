"""Placement: the optimiser's proposal on real rows, its review, and placing by hand."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone, translation
from django_scopes import scopes_disabled

from teilhabe.core.models import AccessLog
from teilhabe.core.tests.factories import make_member
from teilhabe.schooling import placement, services
from teilhabe.schooling.models import Proposal, ProposalItem, Pupil, SchoolForm, Stage
from teilhabe.schooling.tests.factories import (
    make_capacity,
    make_counselled_pupil,
    make_school,
)

pytestmark = pytest.mark.django_db

#: Two places about 14 km apart in the Kreis.
NORTH = (51.95, 7.16)
SOUTH = (51.85, 7.30)


@pytest.fixture(autouse=True)
def _english(client):
    """Compare against the English message ids, whatever the German catalogue holds."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def sina(centre):
    return make_member("sina@example.org", "newcomer_counsellor", centre)


def _ago(days: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=days)


def _pupil(centre, name: str, where: tuple[float, float], waited: int, **fields) -> Pupil:
    return make_counselled_pupil(
        centre,
        last_name=name,
        latitude=where[0],
        longitude=where[1],
        registration_date=_ago(waited),
        **fields,
    )


@pytest.fixture
def small(centre):
    """Two primary schools with one place each and three counselled pupils.

    Hand-checked: three pupils, two places, so the one who waited least stays without a place;
    the other two go to the school near their home.
    """
    with scopes_disabled():
        north = make_school(centre, "Nordschule", latitude=NORTH[0], longitude=NORTH[1])
        south = make_school(centre, "Südschule", latitude=SOUTH[0], longitude=SOUTH[1])
        make_capacity(north, places=1)
        make_capacity(south, places=1)
        long_north = _pupil(centre, "Nord-Lang", NORTH, 80)
        long_south = _pupil(centre, "Süd-Lang", SOUTH, 50)
        short_north = _pupil(centre, "Nord-Kurz", NORTH, 10)
    return {
        "north": north,
        "south": south,
        "long_north": long_north,
        "long_south": long_south,
        "short_north": short_north,
    }


def _items(proposal: Proposal) -> dict[str, ProposalItem]:
    return {i.pupil.last_name: i for i in proposal.items.select_related("pupil", "school")}


def _reload(pupil: Pupil) -> Pupil:
    return Pupil.objects.get(pk=pupil.pk)


# --- Proposing ------------------------------------------------------------------------------


def test_proposal_places_the_longest_waiting_pupils_at_the_school_near_home(sina, centre, small):
    with scopes_disabled():
        proposal = placement.propose_placements(sina, centre)
        items = _items(proposal)
        assert proposal.status == "optimal"
        assert proposal.school_year == 2026
        assert items["Nord-Lang"].school == small["north"]
        assert items["Süd-Lang"].school == small["south"]
        assert items["Nord-Kurz"].school is None
        assert items["Nord-Kurz"].reason == "All fitting schools are full."
        assert items["Nord-Lang"].distance_km == pytest.approx(0, abs=0.01)
        assert {i.decision for i in items.values()} == {ProposalItem.Decision.OPEN}
        assert _reload(small["long_north"]).status == Pupil.Status.PROPOSED
        assert _reload(small["long_south"]).status == Pupil.Status.PROPOSED
        assert _reload(small["short_north"]).status == Pupil.Status.COUNSELLED


def test_siblings_are_one_group_through_a_chain_among_the_waiting_pupils(centre, small):
    with scopes_disabled():
        a, b, c = small["long_north"], small["long_south"], small["short_north"]
        a.siblings.add(b)
        b.siblings.add(c)
        groups = placement.sibling_groups([a, b, c])
        assert groups[a.pk] == groups[b.pk] == groups[c.pk] == f"siblings-{min(a.pk, b.pk, c.pk)}"
        assert placement.sibling_groups([a]) == {a.pk: None}


def test_nothing_is_saved_when_no_school_has_free_places(sina, centre):
    with scopes_disabled():
        make_school(centre, "Volle Schule")
        pupil = make_counselled_pupil(centre)
        with pytest.raises(ValidationError, match="No school has free places"):
            placement.propose_placements(sina, centre)
        assert Proposal.objects.count() == 0
        assert ProposalItem.objects.count() == 0
        assert _reload(pupil).status == Pupil.Status.COUNSELLED


def test_nothing_is_saved_when_no_school_fits_the_recommendation(sina, centre):
    with scopes_disabled():
        make_capacity(make_school(centre, "Grundschule"), places=3)
        pupil = make_counselled_pupil(
            centre,
            recommended_stage=Stage.SECONDARY_1,
            recommended_forms=[SchoolForm.REALSCHULE],
            proposed_grade=7,
        )
        with pytest.raises(ValidationError, match="recommended stages and school forms"):
            placement.propose_placements(sina, centre)
        assert Proposal.objects.count() == 0
        assert _reload(pupil).status == Pupil.Status.COUNSELLED


def test_proposing_without_a_counselled_pupil_says_so(sina, centre):
    with scopes_disabled():
        make_capacity(make_school(centre), places=3)
        with pytest.raises(ValidationError, match="No pupil is waiting with a counselling result"):
            placement.propose_placements(sina, centre)


def test_a_new_run_supersedes_the_open_rows_of_the_older_proposal(sina, centre, small):
    with scopes_disabled():
        first = placement.propose_placements(sina, centre)
        placement.decide_item(
            sina, _items(first)["Süd-Lang"], decision=ProposalItem.Decision.ACCEPTED
        )
        second = placement.propose_placements(sina, centre)
        old = _items(first)
        assert old["Süd-Lang"].decision == ProposalItem.Decision.ACCEPTED
        assert old["Nord-Lang"].decision == ProposalItem.Decision.REJECTED
        assert old["Nord-Lang"].override_reason == "superseded by a newer proposal"
        new = _items(second)
        assert set(new) == {"Nord-Lang", "Nord-Kurz"}  # the placed pupil waits no more
        assert new["Nord-Lang"].school == small["north"]
        assert new["Nord-Kurz"].school is None


# --- Review ---------------------------------------------------------------------------------


def test_accept_all_places_the_pupils_and_never_exceeds_capacity(sina, centre, small):
    with scopes_disabled():
        proposal = placement.propose_placements(sina, centre)
        accepted, failures = placement.accept_all(sina, proposal)
        assert (accepted, failures) == (2, [])
        for school in (small["north"], small["south"]):
            assert services.free_places(school, Stage.PRIMARY, 2026) == 0
        assert _reload(small["long_north"]).school == small["north"]
        assert _reload(small["long_north"]).status == Pupil.Status.PLACED
        assert _items(proposal)["Nord-Kurz"].decision == ProposalItem.Decision.OPEN


def test_a_place_taken_meanwhile_leaves_the_row_open_with_a_message(sina, centre, small):
    with scopes_disabled():
        proposal = placement.propose_placements(sina, centre)
        newcomer = _pupil(centre, "Dazwischen", NORTH, 5)
        services.place_pupil(sina, newcomer, school=small["north"])
        accepted, failures = placement.accept_all(sina, proposal)
        assert accepted == 1
        assert len(failures) == 1
        assert "Amir Nord-Lang" in failures[0]
        assert "stays open" in failures[0]
        items = _items(proposal)
        assert items["Nord-Lang"].decision == ProposalItem.Decision.OPEN
        assert items["Süd-Lang"].decision == ProposalItem.Decision.ACCEPTED
        assert _reload(small["long_north"]).status == Pupil.Status.PROPOSED
        assert services.free_places(small["north"], Stage.PRIMARY, 2026) == 0


def test_override_needs_a_reason_and_a_fitting_school_with_a_free_place(sina, centre, small):
    with scopes_disabled():
        spare = make_school(centre, "Westschule", latitude=51.9, longitude=7.0)
        make_capacity(spare, places=1)
        full = make_school(centre, "Ostschule")
        make_capacity(full, places=0)
        secondary = make_school(centre, "Realschule Mitte", form=SchoolForm.REALSCHULE)
        make_capacity(secondary, places=5, stage=Stage.SECONDARY_1)
        proposal = placement.propose_placements(sina, centre)
        item = _items(proposal)["Nord-Lang"]
        overridden = ProposalItem.Decision.OVERRIDDEN
        with pytest.raises(ValidationError) as missing:
            placement.decide_item(sina, item, decision=overridden, school=spare, reason=" ")
        assert "reason" in missing.value.error_dict
        with pytest.raises(ValidationError, match="does not fit"):
            placement.decide_item(sina, item, decision=overridden, school=secondary, reason="x")
        with pytest.raises(ValidationError, match="no free place"):
            placement.decide_item(sina, item, decision=overridden, school=full, reason="x")
        assert _items(proposal)["Nord-Lang"].decision == ProposalItem.Decision.OPEN
        placement.decide_item(
            sina, item, decision=overridden, school=spare, reason="Bus line from home"
        )
        item.refresh_from_db()
        assert (item.decision, item.chosen_school, item.override_reason) == (
            overridden,
            spare,
            "Bus line from home",
        )
        assert _reload(small["long_north"]).school == spare


def test_rejecting_a_proposal_sets_the_pupil_back_to_counselled(sina, centre, small):
    with scopes_disabled():
        proposal = placement.propose_placements(sina, centre)
        item = _items(proposal)["Süd-Lang"]
        placement.decide_item(sina, item, decision=ProposalItem.Decision.REJECTED)
        assert _reload(small["long_south"]).status == Pupil.Status.COUNSELLED
        with pytest.raises(ValidationError, match="already been decided"):
            placement.decide_item(sina, item, decision=ProposalItem.Decision.ACCEPTED)


# --- Views ----------------------------------------------------------------------------------


def test_counsellor_runs_reviews_and_accepts_a_proposal_in_the_browser(client, sina, small):
    client.force_login(sina)
    response = client.post(reverse("schooling:proposal-create"))
    with scopes_disabled():
        proposal = Proposal.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("schooling:proposal-detail", args=[proposal.pk])
    page = client.get(response.url)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Nordschule" in text and "Nord-Kurz" in text
    assert "All fitting schools are full." in text
    assert "2 of 3 pupils" in text
    with scopes_disabled():
        assert AccessLog.objects.filter(
            content_type=ContentType.objects.get_for_model(Proposal), object_id=str(proposal.pk)
        ).exists()
        item = _items(proposal)["Nord-Lang"]
    response = client.post(
        reverse("schooling:proposal-decide", args=[item.pk]), {"decision": "accepted"}
    )
    assert response.status_code == 302
    with scopes_disabled():
        assert _reload(small["long_north"]).status == Pupil.Status.PLACED
    page = client.get(reverse("schooling:proposal-detail", args=[proposal.pk]))
    assert "placement letters" in page.content.decode()
    assert reverse("schooling:school-notice", args=[small["north"].pk]) in page.content.decode()
    assert client.get(reverse("schooling:proposal-list")).status_code == 200


def test_accept_all_in_the_browser_shows_the_row_whose_place_was_taken(client, sina, centre, small):
    with scopes_disabled():
        proposal = placement.propose_placements(sina, centre)
        services.place_pupil(sina, _pupil(centre, "Dazwischen", NORTH, 5), school=small["north"])
    client.force_login(sina)
    response = client.post(
        reverse("schooling:proposal-accept-all", args=[proposal.pk]), follow=True
    )
    text = response.content.decode()
    assert "1 proposed places have been accepted." in text
    assert "Amir Nord-Lang: This school has no free place for this stage." in text


def test_empty_run_in_the_browser_says_why(client, sina, centre):
    client.force_login(sina)
    response = client.post(reverse("schooling:proposal-create"), follow=True)
    assert "No pupil is waiting with a counselling result." in response.content.decode()
    with scopes_disabled():
        assert Proposal.objects.count() == 0


def test_override_without_reason_in_the_browser_changes_nothing(client, sina, centre, small):
    with scopes_disabled():
        proposal = placement.propose_placements(sina, centre)
        item = _items(proposal)["Nord-Lang"]
    client.force_login(sina)
    response = client.post(
        reverse("schooling:proposal-decide", args=[item.pk]),
        {"decision": "overridden", "school": small["south"].pk, "reason": ""},
        follow=True,
    )
    assert "Please give the reason for choosing another school." in response.content.decode()
    with scopes_disabled():
        item.refresh_from_db()
    assert item.decision == ProposalItem.Decision.OPEN


def test_counsellor_of_another_centre_gets_404(client, centre, other_centre, small):
    with scopes_disabled():
        owner = make_member("sina@example.org", "newcomer_counsellor", centre)
        proposal = placement.propose_placements(owner, centre)
        item = _items(proposal)["Nord-Lang"]
    client.force_login(make_member("otto@example.org", "newcomer_counsellor", other_centre))
    assert client.get(reverse("schooling:proposal-detail", args=[proposal.pk])).status_code == 404
    for url in (
        reverse("schooling:proposal-decide", args=[item.pk]),
        reverse("schooling:proposal-accept-all", args=[proposal.pk]),
        reverse("schooling:pupil-place", args=[small["long_north"].pk]),
    ):
        assert client.post(url, {"decision": "accepted"}).status_code == 404
    with scopes_disabled():
        assert _items(proposal)["Nord-Lang"].decision == ProposalItem.Decision.OPEN


def test_case_manager_gets_403(client, alice, sina, centre, small):
    with scopes_disabled():
        proposal = placement.propose_placements(sina, centre)
        item = _items(proposal)["Nord-Lang"]
    client.force_login(alice)
    assert client.get(reverse("schooling:proposal-list")).status_code == 403
    assert client.get(reverse("schooling:proposal-detail", args=[proposal.pk])).status_code == 403
    assert client.post(reverse("schooling:proposal-create")).status_code == 403
    response = client.post(reverse("schooling:proposal-decide", args=[item.pk]))
    assert response.status_code == 403
    with pytest.raises(Exception, match="propose_placements"):
        with scopes_disabled():
            placement.propose_placements(alice, centre)


# --- The pupil's page -----------------------------------------------------------------------


def _fragment(user, pupil: Pupil) -> str:
    request = RequestFactory().get("/")
    request.user = user
    with scopes_disabled():
        return render_to_string(
            "schooling/_pupil_placement.html", {"pupil": _reload(pupil)}, request=request
        )


def test_pupil_fragment_shows_the_open_proposal_and_the_schools_with_free_places(
    sina, centre, small
):
    with scopes_disabled():
        placement.propose_placements(sina, centre)
    html = _fragment(sina, small["long_north"])
    assert "Proposed: Nordschule" in html
    assert reverse("schooling:pupil-place", args=[small["long_north"].pk]) in html
    assert "Südschule (1 free place)" in html
    html = _fragment(sina, small["short_north"])
    assert "All fitting schools are full." in html


def test_placing_by_hand_closes_the_open_proposal_row(client, sina, centre, small):
    with scopes_disabled():
        proposal = placement.propose_placements(sina, centre)
    client.force_login(sina)
    response = client.post(
        reverse("schooling:pupil-place", args=[small["long_north"].pk]),
        {"school": small["south"].pk},
    )
    assert response.status_code == 302
    with scopes_disabled():
        pupil = _reload(small["long_north"])
        item = _items(proposal)["Nord-Lang"]
    assert (pupil.status, pupil.school) == (Pupil.Status.PLACED, small["south"])
    assert (item.decision, item.chosen_school) == (ProposalItem.Decision.OVERRIDDEN, small["south"])
    assert "Placed at Südschule" in _fragment(sina, pupil)
