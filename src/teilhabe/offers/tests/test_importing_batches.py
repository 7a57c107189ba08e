"""The offer import at statewide size: checked first, new offers written in batches.

Queries per import do not grow with the rows (only by a constant per batch), a second run
writes nothing, a batch the database refuses is written again row by row, and every new offer
and text still gets its version, with the acting user, as ``save()`` would write it.
"""

from __future__ import annotations

import uuid

import pytest
from auditlog.models import LogEntry
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from django_scopes import scope, scopes_disabled

from teilhabe.core.audit import acting_as, bulk_create_versioned
from teilhabe.network.tests.factories import make_actor
from teilhabe.offers import importing
from teilhabe.offers.importing import import_offers, offer_uid
from teilhabe.offers.models import (
    Offer,
    OfferLocation,
    OfferStatusChange,
    OfferText,
    OpeningHours,
)

from .test_importing import OFFER_HEADER, _offer

pytestmark = pytest.mark.django_db


@pytest.fixture
def provider(centre):
    return make_actor(centre, "Caritasverband Coesfeld")


def _table(count, first=1, **values):
    return [
        dict(zip(OFFER_HEADER, _offer(f"N-{n}", **values), strict=True))
        for n in range(first, first + count)
    ]


def _import(user, centre, rows, *, dry_run=False):
    with scope(centre=[centre.pk]), translation.override("en"):
        return import_offers(user, centre, rows, dry_run=dry_run)


def _counted(user, centre, rows, **kwargs):
    with CaptureQueriesContext(connection) as captured:
        report = _import(user, centre, rows, **kwargs)
    return report, [q["sql"] for q in captured.captured_queries]


def _writes(statements):
    return [s for s in statements if s.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]


def _counts(report):
    return report.created, report.updated, report.unchanged, len(report.rejected)


def _rows_in_db():
    with scopes_disabled():
        return [m.objects.count() for m in (Offer, OfferText, OfferLocation, OpeningHours)]


def test_queries_do_not_grow_with_the_rows(dana, centre, provider):
    _import(dana, centre, _table(1, first=900), dry_run=True)  # memberships are read once
    _report, few = _counted(dana, centre, _table(3))
    report, many = _counted(dana, centre, _table(30, first=100))

    # (30 rows stay below SQLite's limit of query parameters, which splits an INSERT.)
    assert _counts(report) == (30, 0, 0, 0)
    assert len(many) == len(few)
    assert _rows_in_db() == [33, 33, 33, 33]


def test_each_batch_costs_a_constant_number_of_queries(dana, centre, provider, monkeypatch):
    monkeypatch.setattr(importing, "BATCH_SIZE", 10)
    _import(dana, centre, _table(1, first=900), dry_run=True)
    _report, one = _counted(dana, centre, _table(10))
    report, six = _counted(dana, centre, _table(60, first=100))

    assert _counts(report) == (60, 0, 0, 0)
    per_batch = (len(six) - len(one)) / 5
    # A savepoint and its release, an INSERT for offers, texts, places, times, the status
    # history and for the versions of offers and texts.
    assert per_batch <= 9


def test_each_new_offer_starts_its_status_history_by_the_importing_user(dana, centre, provider):
    rows = [*_table(3), *_table(2, first=100, status="veröffentlicht")]

    _import(dana, centre, rows)

    with scopes_disabled():
        history = {
            change.offer.uid: (change.from_status, change.to_status, change.by)
            for change in OfferStatusChange.objects.select_related("offer", "by")
        }
    assert history == {
        **{offer_uid(centre, f"N-{n}"): ("", Offer.Status.DRAFT, dana) for n in (1, 2, 3)},
        **{offer_uid(centre, f"N-{n}"): ("", Offer.Status.PUBLISHED, dana) for n in (100, 101)},
    }


def test_a_second_run_writes_nothing(dana, centre, provider):
    rows = [*_table(30), *_table(5, first=100, status="veröffentlicht")]
    first = _import(dana, centre, rows)
    entries = LogEntry.objects.count()

    second, statements = _counted(dana, centre, rows)

    assert _counts(first) == (35, 0, 0, 0)
    assert _counts(second) == (0, 0, 35, 0)
    assert _writes(statements) == []
    assert LogEntry.objects.count() == entries
    assert _rows_in_db() == [35, 35, 35, 35]


def test_a_changed_row_among_many_unchanged_is_updated_alone(dana, centre, provider):
    rows = _table(20)
    _import(dana, centre, rows)
    rows[7] = {**rows[7], "title": "Sprachcafé am Abend", "opens_at": "16:00"}

    report = _import(dana, centre, rows)

    assert _counts(report) == (0, 1, 19, 0)
    with scopes_disabled():
        offer = Offer.objects.get(uid=offer_uid(centre, "N-8"))
        assert offer.title() == "Sprachcafé am Abend"
        assert offer.opening_hours.get().opens_at.hour == 16


def test_good_and_bad_rows_mixed_keep_the_good_ones(dana, centre, provider):
    rows = _table(12)
    rows[2] = {**rows[2], "gemeinde": "Atlantis"}
    rows[5] = {**rows[5], "street": "x" * 201}
    rows[9] = {**rows[9], "provider": "Unbekannt"}

    dry = _import(dana, centre, rows, dry_run=True)
    assert _rows_in_db() == [0, 0, 0, 0]
    report = _import(dana, centre, rows)

    assert _counts(dry) == _counts(report) == (9, 0, 0, 3)
    assert dry.rejected == report.rejected
    assert [r.row for r in report.rejected] == [4, 7, 11]
    assert "There is no Gemeinde “Atlantis”" in report.rejected[0].reason
    assert report.rejected[1].reason.startswith("street: ")
    assert "“Unbekannt” is not an actor" in report.rejected[2].reason
    assert _rows_in_db() == [9, 9, 9, 9]


def test_a_batch_the_database_refuses_is_written_row_by_row(dana, centre, provider):
    # A place that already has the id the import derives for row 4: only the database sees it.
    with scopes_disabled():
        other = Offer.objects.create(centre=centre, provider=provider, field_of_action="migration")
        town = centre.municipalities().first()
        OfferLocation.objects.create(
            offer=other, municipality=town, uid=uuid.uuid5(offer_uid(centre, "N-3"), "location")
        )
    rows = _table(6)

    report = _import(dana, centre, rows)

    assert _counts(report) == (5, 0, 0, 1)
    assert report.rejected[0].row == 4
    assert "database refused the row" in report.rejected[0].reason
    with scopes_disabled():
        assert not Offer.objects.filter(uid=offer_uid(centre, "N-3")).exists()
        made = Offer.objects.filter(uid__in=[offer_uid(centre, f"N-{n}") for n in range(1, 7)])
        assert made.count() == 5
        assert LogEntry.objects.get_for_objects(made).count() == 5


def test_every_new_offer_and_text_has_its_version_by_the_acting_user(dana, centre, provider):
    _import(dana, centre, _table(4, status="veröffentlicht"))

    with scopes_disabled():
        offers = list(Offer.objects.order_by("pk"))
        texts = list(OfferText.objects.order_by("pk"))
    for obj in [*offers, *texts]:
        (entry,) = LogEntry.objects.get_for_object(obj)
        assert (entry.action, entry.actor, entry.actor_email) == (
            LogEntry.Action.CREATE,
            dana,
            dana.email,
        )
    entry = LogEntry.objects.get_for_object(offers[0]).get()
    assert entry.object_repr == "Sprachcafé"
    assert entry.changes["status"] == ["None", "published"]
    assert entry.changes["uid"] == ["None", str(offer_uid(centre, "N-1"))]
    assert offers[0].status == Offer.Status.PUBLISHED
    assert offers[0].last_verified == timezone.localdate()


def test_bulk_versions_are_the_versions_save_writes(dana, centre, provider):
    with scopes_disabled():
        offer = Offer.objects.create(centre=centre, provider=provider, field_of_action="migration")
        with acting_as(dana):
            saved = OfferText(offer=offer, language="de", title="A", description="B")
            saved.save()
            (bulk,) = bulk_create_versioned(
                OfferText, [OfferText(offer=offer, language="en", title="A", description="B")]
            )
    first = LogEntry.objects.get_for_object(saved).get()
    second = LogEntry.objects.get_for_object(bulk).get()

    def same(entry, obj):
        changes = dict(entry.changes)
        assert changes.pop("id") == ["None", str(obj.pk)]
        changes.pop("language")
        return changes

    assert same(first, saved) == same(second, bulk)
    assert second.changes["language"] == ["None", "en"]
    for name in ("action", "actor_id", "actor_email", "content_type_id", "remote_addr"):
        assert getattr(first, name) == getattr(second, name), name
    assert (second.object_id, second.object_pk, second.object_repr) == (
        bulk.pk,
        str(bulk.pk),
        "A (en)",
    )


def test_bulk_versions_skip_models_auditlog_does_not_register(centre, provider):
    with scopes_disabled():
        offer = Offer.objects.create(centre=centre, provider=provider, field_of_action="migration")
        entries = LogEntry.objects.count()
        town = centre.municipalities().first()
        bulk_create_versioned(OfferLocation, [OfferLocation(offer=offer, municipality=town)])

    assert LogEntry.objects.count() == entries
