"""Two people save the same case at the same moment: one wins, the other is told, none is lost."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django_scopes import scopes_disabled

from teilhabe.cases import services
from teilhabe.cases.models import Case
from teilhabe.cases.tests.factories import make_case


@pytest.mark.django_db(transaction=True)
def test_simultaneous_saves_of_one_version_let_exactly_one_through(alice, bob, centre):
    with scopes_disabled():
        case = make_case(centre, area=None, case_manager=alice)
    version = case.version
    start = threading.Barrier(2)
    outcome: dict[str, str] = {}

    def save(user, text: str) -> None:
        try:
            with scopes_disabled():
                start.wait(timeout=10)
                services.update_case(
                    user, Case.objects.get(pk=case.pk), version=version, summary=text
                )
            outcome[text] = "saved"
        except services.EditConflict:
            outcome[text] = "conflict"
        finally:
            connection.close()

    threads = [
        threading.Thread(target=save, args=(alice, "Alice")),
        threading.Thread(target=save, args=(bob, "Bob")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcome.values()) == ["conflict", "saved"], outcome
    with scopes_disabled():
        stored = Case.objects.get(pk=case.pk)
    winner = next(text for text, result in outcome.items() if result == "saved")
    assert stored.summary == winner and stored.version == version + 1
