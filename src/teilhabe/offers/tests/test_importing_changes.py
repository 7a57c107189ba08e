"""A re-import that changes offers: their own fields and German texts are written in batches.

With the versions ``save()`` writes, the translations outdated as by hand, a colleague's save in
between kept, a refused row costing only itself and queries that do not grow with the rows.
"""

from __future__ import annotations

import re

import pytest
from auditlog.models import LogEntry
from django.db import IntegrityError
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from teilhabe.offers import importing, services
from teilhabe.offers.directory import DIRECTORY_GENERATION
from teilhabe.offers.importing import offer_uid
from teilhabe.offers.models import Offer

from .test_importing_batches import _counted, _counts, _import, _table

pytestmark = pytest.mark.django_db

CHANGED = {"title": "Sprachcafé am Abend", "free_of_charge": "nein", "fees": "1 € pro Treffen"}


@pytest.fixture
def provider(centre):
    from teilhabe.network.tests.factories import make_actor

    return make_actor(centre, "Caritasverband Coesfeld")


def _offer(centre, external_id):
    with scopes_disabled():
        return Offer.objects.prefetch_related("texts").get(uid=offer_uid(centre, external_id))


def _changed_again(user, centre, count, first):
    rows = _table(count, first=first)
    _import(user, centre, rows)
    return _counted(user, centre, [{**row, **CHANGED} for row in rows])


def test_changed_offers_are_written_with_queries_that_do_not_grow_with_the_rows(
    dana, centre, provider
):
    few, few_statements = _changed_again(dana, centre, 3, first=1)
    many, many_statements = _changed_again(dana, centre, 60, first=100)

    assert _counts(few) == (0, 3, 0, 0)
    assert _counts(many) == (0, 60, 0, 0)
    assert len(many_statements) == len(few_statements)
    # The versions of the offers and their UPDATE, the same for the texts (and the new
    # generation of the public directory in the cache).
    # (An UPDATE sent for many rows at once is captured as "60 times: UPDATE …".)
    found = [re.match(r'(?:\d+ times: )?(INSERT INTO|UPDATE) "(\w+)"', s) for s in many_statements]
    writes = [match.groups() for match in found if match]
    assert [table for _, table in writes if table != "teilhabe_cache"] == [
        "auditlog_logentry",
        "offers_offer",
        "auditlog_logentry",
        "offers_offertext",
    ]
    offer = _offer(centre, "N-159")
    assert (offer.title(), offer.free_of_charge, offer.fees, offer.revision) == (
        "Sprachcafé am Abend",
        False,
        "1 € pro Treffen",
        2,
    )


def test_a_changed_text_outdates_translations_and_is_versioned_as_save_writes(
    dana, centre, provider
):
    rows = _table(2)
    _import(dana, centre, rows)
    by_import, by_hand = _offer(centre, "N-1"), _offer(centre, "N-2")
    with scope(centre=[centre.pk]):
        for offer in (by_import, by_hand):
            services.save_translation(
                dana, offer, language="en", title="Language café", description="Practise German."
            )
    started = by_import.updated
    generation = DIRECTORY_GENERATION.current()

    report = _import(dana, centre, [{**rows[0], **CHANGED}, rows[1]])
    with scope(centre=[centre.pk]):
        services.save_offer(
            dana,
            centre,
            offer=Offer.objects.get(pk=by_hand.pk),
            title=CHANGED["title"],
            description=rows[1]["description"],
            free_of_charge=False,
            fees=CHANGED["fees"],
        )

    assert _counts(report) == (0, 1, 1, 0)
    after = _offer(centre, "N-1")
    assert after.translation_status()["en"] == "outdated"
    assert after.updated > started
    assert DIRECTORY_GENERATION.current() != generation  # the public directory shows it at once
    for old in (by_import.text("de"), by_import, by_hand.text("de"), by_hand):
        assert LogEntry.objects.get_for_object(old).count() == 2  # created, changed
    for imported, saved in ((by_import.text("de"), by_hand.text("de")), (by_import, by_hand)):
        mine = LogEntry.objects.get_for_object(imported).latest("pk")
        theirs = LogEntry.objects.get_for_object(saved).latest("pk")
        assert mine.changes == theirs.changes
        assert mine.object_repr == theirs.object_repr
        assert (mine.action, mine.actor, theirs.actor) == (LogEntry.Action.UPDATE, dana, dana)
    assert mine.changes["revision"] == ["1", "2"]
    assert mine.object_repr == "Sprachcafé"  # the offer as it was, as save() writes it


def test_a_colleagues_save_during_the_import_keeps_what_the_row_does_not_change(
    dana, centre, provider, monkeypatch
):
    rows = _table(3)
    _import(dana, centre, rows)
    update = importing._OfferImporter.update

    def colleague_saves_first(self, batch, reject):
        with scope(centre=[centre.pk]):
            offer = Offer.objects.get(uid=offer_uid(centre, "N-2"))
            services.save_offer(
                dana,
                centre,
                offer=offer,
                title="Sprachcafé",
                description=rows[1]["description"],
                capacity=12,
            )
        return update(self, batch, reject)

    monkeypatch.setattr(importing._OfferImporter, "update", colleague_saves_first)
    report = _import(dana, centre, [{**row, "title": "Sprachcafé am Abend"} for row in rows])

    assert _counts(report) == (0, 3, 0, 0)
    offer = _offer(centre, "N-2")
    assert (offer.title(), offer.capacity) == ("Sprachcafé am Abend", 12)


def test_a_refused_row_costs_only_itself(dana, centre, provider):
    rows = _table(4)
    _import(dana, centre, rows)
    changed = [{**row, **CHANGED} for row in rows]
    changed[2]["fees"] = "x" * 201  # longer than the field: full_clean refuses it

    report = _import(dana, centre, changed)

    assert _counts(report) == (0, 3, 0, 1)
    assert report.rejected[0].row == 4
    assert "fees" in report.rejected[0].reason
    assert _offer(centre, "N-3").title() == "Sprachcafé"
    assert _offer(centre, "N-4").title() == "Sprachcafé am Abend"


def test_a_batch_the_database_refuses_is_written_row_by_row(dana, centre, provider, monkeypatch):
    rows = _table(4)
    _import(dana, centre, rows)
    changed = [{**row, **CHANGED} for row in rows]
    changed[1]["fees"] = "x" * 201
    refusals = []

    def refuse_once(*args, **kwargs):
        refusals.append(args)
        raise IntegrityError("refused")

    monkeypatch.setattr(importing, "bulk_update_versioned", refuse_once)
    report = _import(dana, centre, changed)

    assert len(refusals) == 1
    assert _counts(report) == (0, 3, 0, 1)  # the bad row is reported once, not twice
    assert [r.row for r in report.rejected] == [3]
    offer = _offer(centre, "N-4")
    assert (offer.title(), offer.fees) == ("Sprachcafé am Abend", "1 € pro Treffen")
    assert offer.updated <= timezone.now()
