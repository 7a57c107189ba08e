"""The duplicate check finds the same person however the name was spelt, in centres of any size."""

from __future__ import annotations

import datetime

import pytest
from django_scopes import scopes_disabled

from teilhabe.cases import services
from teilhabe.cases.models import Person
from teilhabe.cases.tests.factories import make_person
from teilhabe.core.matching import name_key
from teilhabe.core.tests.migrations import migrate_to, migrate_to_latest

pytestmark = pytest.mark.django_db

FIRST_NAMES = ["Adel", "Amal", "Amir", "Aziz", "Bilal", "Dalia", "Farah", "Fatima", "Ghada"]


def _duplicates_of(centre, last_name, first_name, birth_date=None, exclude=None):
    with scopes_disabled():
        matches = services.find_duplicates(
            centre,
            last_name=last_name,
            first_name=first_name,
            birth_date=birth_date,
            exclude=exclude,
        )
    return [(m.person.last_name, m.person.first_name) for m in matches]


def _many_of_one_family(centre, last_name, count):
    """``count`` persons of one family name and other first names, as a big city holds them."""
    town = centre.municipalities().first()
    persons = []
    for n in range(count):
        first = f"{FIRST_NAMES[n % len(FIRST_NAMES)]} {chr(ord('A') + n % 26)}{n}"
        person = Person(
            centre=centre,
            last_name=last_name,
            first_name=first,
            birth_date=datetime.date(1960, 1, 1) + datetime.timedelta(days=n),
            municipality=town,
        )
        person.fill_name_fields()
        persons.append(person)
    with scopes_disabled():
        Person.objects.bulk_create(persons)


def test_the_same_person_is_found_among_a_thousand_of_the_same_family_name(centre):
    _many_of_one_family(centre, "Hamdan", 1000)
    # Recorded last and born last: the old check read the first 500 names beginning "ha" and
    # missed it.
    make_person(centre, "Hamdan", "Hassan", birth_date=datetime.date(2000, 1, 1))

    assert _duplicates_of(centre, "Hamdan", "Hasan") == [("Hamdan", "Hassan")]


@pytest.mark.parametrize(
    ("known", "asked"),
    [
        (("Hamdan", "Mohammed"), ("Hamdan", "Muhammad")),
        (("Khalid", "Omar"), ("Chalid", "Omar")),  # the first letter differs
        (("Haddad", "Samira"), ("Hadad", "Samira")),
        (("Çelik", "Ahmet"), ("Celik", "Ahmet")),
        (("Hamdan", "Hassan"), ("Hassan", "Hamdan")),  # first and last name swapped
    ],
)
def test_a_spelling_variant_without_a_date_of_birth_is_found(centre, known, asked):
    make_person(centre, *known, birth_date=None)

    assert _duplicates_of(centre, *asked) == [known]


def test_a_name_in_another_script_finds_the_same_name(centre):
    make_person(centre, "Петренко", "Олена", birth_date=None)
    make_person(centre, "Шевченко", "Тарас", birth_date=None)

    assert _duplicates_of(centre, "Петренко", "Олена") == [("Петренко", "Олена")]


def test_different_names_without_a_shared_date_are_not_duplicates(centre):
    make_person(centre, "Hamdan", "Hassan", birth_date=None)
    make_person(centre, "Hamdan", "Rasha", birth_date=None)
    make_person(centre, "Haddad", "Hassan", birth_date=None)

    assert _duplicates_of(centre, "Hamdan", "Hassan", datetime.date(1990, 1, 1)) == [
        ("Hamdan", "Hassan")
    ]
    assert _duplicates_of(centre, "Hamdi", "Omar") == []


def test_a_person_is_not_their_own_duplicate_and_merged_records_are_not_offered(centre):
    known = make_person(centre, "Hamdan", "Hassan", birth_date=None)
    merged = make_person(centre, "Hamdan", "Hasan", birth_date=None)
    with scopes_disabled():
        merged.merged_into = known
        merged.save()

    assert _duplicates_of(centre, "Hamdan", "Hassan", exclude=known) == []


def test_a_renamed_person_is_found_under_the_new_name(centre):
    person = make_person(centre, "Ahmadi", "Sara", birth_date=None)
    with scopes_disabled():
        person.last_name = "Rahimi"
        person.save()

    assert _duplicates_of(centre, "Rahimi", "Sarah") == [("Rahimi", "Sara")]
    assert _duplicates_of(centre, "Ahmadi", "Sara") == []


def test_the_longest_names_are_saved_and_found(centre):
    # Each "x" codes as two digits: the key of a name of 240 letters would be 480 characters.
    last, first = "X" * 120, "Xaver" + "x" * 115
    make_person(centre, last, first, birth_date=None)

    assert _duplicates_of(centre, last, first) == [(last, first)]


@pytest.mark.django_db(transaction=True)  # SQLite's schema editor refuses to run in an atomic block
def test_the_migration_gives_every_recorded_person_a_name_key(centre):
    apps = migrate_to("cases", "0001_initial")
    Person_ = apps.get_model("cases", "Person")
    old = Person_.objects.create(
        centre_id=centre.pk, last_name="Haddad", first_name="Samira", search_name="haddad samira"
    )

    migrate_to("cases", "0002_person_name_key")

    with scopes_disabled():
        assert Person.objects.get(pk=old.pk).name_key == name_key("hadad samira")
    assert _duplicates_of(centre, "Hadad", "Samira") == [("Haddad", "Samira")]
    migrate_to_latest("cases")
