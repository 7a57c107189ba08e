"""The import's ``rubric`` column: a rubric of the row's field of action, by name."""

from __future__ import annotations

import pytest
from django.utils import translation
from django_scopes import scope, scopes_disabled

from teilhabe.network.tests.factories import make_actor
from teilhabe.offers.importing import import_offers, offer_uid
from teilhabe.offers.models import Offer, Rubric

pytestmark = pytest.mark.django_db


@pytest.fixture
def provider(centre):
    return make_actor(centre, "Caritasverband Coesfeld")


def _row(external_id, **values):
    row = {
        "external_id": external_id,
        "title": "Elterncafé",
        "description": "Austausch über Schule.",
        "provider": "Caritasverband Coesfeld",
        "field_of_action": "education",
        "gemeinde": "Coesfeld",
    }
    row.update(values)
    return row


def _import(user, centre, rows, *, dry_run=False):
    with scope(centre=[centre.pk]), translation.override("en"):
        return import_offers(user, centre, rows, dry_run=dry_run)


def _rubric_of(centre, external_id):
    with scopes_disabled():
        return Offer.objects.get(uid=offer_uid(centre, external_id)).rubric


def test_the_rubric_column_maps_by_name_in_the_rows_field(dana, centre, provider):
    own = Rubric.objects.create(centre=centre, field_of_action="education", name="Lesepaten")
    rows = [
        _row("R-1", rubric="elternbeteiligung"),
        _row("R-2", rubric="  LESEPATEN "),
        _row("R-3", rubric="Sport", field_of_action="Integration als Querschnittsaufgabe"),
        _row("R-4", rubric=""),
    ]
    report = _import(dana, centre, rows)
    assert (report.created, len(report.rejected)) == (4, 0)
    assert _rubric_of(centre, "R-1").key == "parents"
    assert _rubric_of(centre, "R-2") == own
    assert _rubric_of(centre, "R-3").key == "sport"
    assert _rubric_of(centre, "R-4") is None
    again = _import(dana, centre, rows)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 4)


def test_an_unknown_rubric_rejects_the_row_in_the_dry_run(dana, centre, other_centre, provider):
    Rubric.objects.create(centre=other_centre, field_of_action="education", name="Lesepaten")
    Rubric.objects.create(centre=centre, field_of_action="education", name="Alt", is_archived=True)
    rows = [
        _row("U-1", rubric="Kochen"),
        _row("U-2", rubric="Sport"),  # a rubric of another field
        _row("U-3", rubric="Lesepaten"),  # another centre's
        _row("U-4", rubric="Alt"),  # archived
        _row("U-5", rubric="Elternbeteiligung"),
    ]
    report = _import(dana, centre, rows, dry_run=True)
    reasons = {r.row: r.reason for r in report.rejected}
    assert sorted(reasons) == [2, 3, 4, 5]
    assert (
        "Unknown rubric “Kochen” in the field of action “Integration through education”"
        in (reasons[2])
    )
    assert "“Sport”" in reasons[3]
    assert report.created == 1
    with scopes_disabled():
        assert not Offer.objects.exists()


def test_a_changed_rubric_is_updated_and_an_empty_cell_clears_it(dana, centre, provider):
    _import(dana, centre, [_row("C-1", rubric="Elternbeteiligung")])
    report = _import(dana, centre, [_row("C-1", rubric="Erwachsenenbildung")])
    assert report.updated == 1
    assert _rubric_of(centre, "C-1").key == "adult_education"
    _import(dana, centre, [_row("C-1", rubric="")])
    assert _rubric_of(centre, "C-1") is None
    # Without the column, the rubric stays as it is.
    _import(dana, centre, [_row("C-1", rubric="Elternbeteiligung")])
    row = _row("C-1")
    _import(dana, centre, [row])
    assert _rubric_of(centre, "C-1").key == "parents"
