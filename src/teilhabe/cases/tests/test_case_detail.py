"""The case file page: each section read once for the whole page, and still showing every row.

The page is a third of the requests of a working day; its queries are counted here (the count
must not grow with the rows: ``tests/test_query_counts.py``) and held to a fixed number.
"""

from __future__ import annotations

import re

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scopes_disabled

from teilhabe.cases.models import Case, CaseConference
from teilhabe.cases.tests.factories import (
    make_action,
    make_agency,
    make_case,
    make_contact,
    make_document,
    make_full_case,
    make_goal,
    make_person,
)
from teilhabe.core.models import AccessLog

pytestmark = pytest.mark.django_db

#: Queries of one view of the case file with rows in every section: session, user, memberships
#: and their Bezirke; the case with its person, centre, manager and Bezirk; the access log
#: entry; one query per section (the person's languages, residence statuses, agencies,
#: consents and household with their own cases; needs, goals, steps, contacts with their count,
#: appointments, referrals, conferences with their agencies, handovers, phase changes,
#: documents); the duplicate check (its candidates in one query on PostgreSQL, two elsewhere,
#: and the persons it found).
CASE_FILE_QUERIES = 24


def _case_file(centre, case_manager, *, contacts: int = 22) -> Case:
    """Return a case with rows in every section, a goal without steps and 1 + ``contacts``."""
    case = make_full_case(centre, case_manager=case_manager)
    with scopes_disabled():
        housing = make_goal(case, "Wohnung finden", life_area="housing")
        make_action(case, "Wohnungsamt anrufen", goal=housing)
        make_goal(case, "Arbeit aufnehmen", life_area="work")
        child = make_person(
            centre, "Haddad", "Lina", household=case.person.household, relation="child"
        )
        make_case(centre, person=child)
        conference = CaseConference.objects.get(case=case)
        conference.agencies.add(make_agency(centre, "Ausländerbehörde Coesfeld"))
        for number in range(contacts):
            make_contact(case, notes=f"Gespräch {number}")
    return case


def test_case_file_shows_steps_under_their_goals_and_the_others_after(client, alice, centre):
    case = _case_file(centre, alice)
    client.force_login(alice)
    page = client.get(reverse("cases:case-detail", args=[case.pk])).content.decode()
    order = [
        "Deutschkurs B1 abschließen",
        "Anmeldung beim Sprachkurs",
        "Wohnung finden",
        "Wohnungsamt anrufen",
        "Arbeit aufnehmen",
        "Noch keine Schritte.",  # the goal without steps says so
        "Weitere Schritte",
        "Termin beim Jobcenter",
    ]
    positions = [page.index(text) for text in order]
    assert positions == sorted(positions)
    assert page.count("Noch keine Schritte.") == 1


def test_each_goal_has_a_status_field_with_its_own_status_chosen(client, alice, centre):
    case = _case_file(centre, alice)
    with scopes_disabled():
        goal = case.goals.get(description="Arbeit aufnehmen")
        goal.status = "partly"
        goal.save()
        goals = case.goals.count()
    client.force_login(alice)
    page = client.get(reverse("cases:case-detail", args=[case.pk])).content.decode()
    selects = re.findall(r'<select [^>]*id="goal-status-(\d+)" name="status">(.*?)</select>', page)
    assert len(selects) == goals == 3
    chosen = {
        int(pk): re.findall(r'<option value="(\w+)" selected>', options) for pk, options in selects
    }
    assert chosen[goal.pk] == ["partly"]
    assert all(values == ["open"] for pk, values in chosen.items() if pk != goal.pk)
    labels = re.findall(r">([^<]+)</option>", selects[0][1])
    assert labels == ["offen", "erreicht", "teilweise erreicht", "nicht weiterverfolgt"]


def test_case_file_shows_conference_agencies_household_and_the_contact_count(client, alice, centre):
    case = _case_file(centre, alice)
    client.force_login(alice)
    page = client.get(reverse("cases:case-detail", args=[case.pk])).content.decode()
    # The agencies of a conference by name, each once.
    assert "Ausländerbehörde Coesfeld, Jugendamt Coesfeld (" in page
    # Only the household member with a case of their own is marked.
    assert re.search(r"<li>Lina Haddad – [^<]*\(hat einen eigenen Fall\)</li>", page)
    assert re.search(r"<li>Omar Haddad – [^<(]*</li>", page)
    # The latest 20 contacts, with the count of all of them; the channel and themes per row.
    assert "Die letzten 20 von 23 Kontakten." in page
    assert page.count("Gespräch ") == 20
    assert "persönlich" in page
    # (in the order the database keeps the themes: PostgreSQL sorts the keys of JSON)
    assert re.search(
        r"<td[^>]*>(Sprache \(15\), Arbeit und Ausbildung \(30\)|"
        r"Arbeit und Ausbildung \(30\), Sprache \(15\))</td>",
        page,
    )


def test_long_notes_are_cut_after_30_words_and_a_contact_without_themes_shows_a_dash(
    client, alice, centre
):
    case = make_case(centre, case_manager=alice)
    words = " ".join(f"Wort{n}" for n in range(1, 41))
    make_contact(case, notes=f"<b>Termin</b> {words}", themes={})
    client.force_login(alice)
    page = client.get(reverse("cases:case-detail", args=[case.pk])).content.decode()
    row = re.search(r"<td[^>]*>–</td>\s*<td[^>]*>([^<]*)</td></tr>", page)
    assert row, "the row of the contact without themes"
    assert row.group(1).startswith("&lt;b&gt;Termin&lt;/b&gt; Wort1 ")  # escaped, not markup
    assert row.group(1).endswith(" Wort29 …")  # 30 words, then the ellipsis
    assert "Wort30" not in page


def test_case_file_with_few_contacts_has_no_count(client, alice, centre):
    case = _case_file(centre, alice, contacts=0)
    client.force_login(alice)
    page = client.get(reverse("cases:case-detail", args=[case.pk])).content.decode()
    assert "Erstgespräch mit Dolmetscherin" in page
    assert "Die letzten" not in page


def test_case_file_runs_a_fixed_number_of_queries_and_logs_each_view(client, alice, centre):
    case = _case_file(centre, alice)
    with scopes_disabled():
        for number in range(5):
            goal = make_goal(case, f"Ziel {number}")
            make_action(case, f"Schritt {number}", goal=goal)
            make_action(case, f"Weiterer Schritt {number}")
            make_document(case, name=f"Bescheid {number}.pdf", by=alice)
    client.force_login(alice)
    url = reverse("cases:case-detail", args=[case.pk])
    client.get(url)  # sessions, content types and the like are cached from here on
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    queries = [q["sql"] for q in captured.captured_queries]
    assert len(queries) <= CASE_FILE_QUERIES, "\n".join(queries)
    # The case is read once (with what the page shows of it), and each view is logged once.
    assert sum(1 for sql in queries if sql.startswith('SELECT "cases_case"."id"')) == 1
    entries = AccessLog.objects.filter(
        content_type=ContentType.objects.get_for_model(Case), object_id=str(case.pk)
    )
    assert entries.count() == 2


#: SQL that Django still compiles on a view of the case file once its sections and the case
#: itself are prepared (``cases/sections.py``; the session is read with plain SQL): the user,
#: the access log entry, the appointments from now on, the duplicate check's candidates (two
#: queries of one UNION on PostgreSQL) and the prefetch of the referred offers' texts.
#: Unprepared, the sections made it 22.
CASE_FILE_COMPILED = 6


def test_the_case_files_sections_are_not_compiled_again(client, alice, centre):
    from unittest import mock

    from django.db.models.sql.compiler import SQLCompiler

    first, second = _case_file(centre, alice), _case_file(centre, alice, contacts=3)
    client.force_login(alice)
    client.get(reverse("cases:case-detail", args=[first.pk]))
    with (
        mock.patch.object(
            SQLCompiler, "pre_sql_setup", autospec=True, side_effect=SQLCompiler.pre_sql_setup
        ) as compiled,
        CaptureQueriesContext(connection) as captured,
    ):
        response = client.get(reverse("cases:case-detail", args=[second.pk]))
    assert response.status_code == 200
    # Another case's rows, not the first one's: its steps, household and contacts.
    assert "Wohnungsamt anrufen" in response.text and "Lina Haddad" in response.text
    assert "Gespräch 2" in response.text and "Gespräch 3" not in response.text
    assert len(captured) > 2 * CASE_FILE_COMPILED  # the sections still run, each as a query
    assert compiled.call_count <= CASE_FILE_COMPILED


def test_the_case_fetched_for_one_user_is_never_shown_to_another(
    client, alice, centre, other_centre
):
    """The case pages' fetch is compiled per user's memberships: each sees only their own."""
    from teilhabe.core.tests.factories import make_member

    nord = make_case(centre, area="Bezirk Nord", case_manager=alice)
    sued = make_case(centre, area="Bezirk Süd")
    whole = make_member("erik@example.org", "case_manager", centre)  # no Bezirk: all of it
    elsewhere = make_member("fritz@example.org", "case_manager", other_centre)

    def status(user, case):
        client.force_login(user)
        return client.get(reverse("cases:case-detail", args=[case.pk])).status_code

    assert status(whole, sued) == 200  # compiled for a member of the whole centre first
    assert status(alice, sued) == 404  # Bezirk Nord only
    assert status(alice, nord) == 200
    assert status(elsewhere, nord) == 404
    assert status(elsewhere, sued) == 404
    with scopes_disabled():
        membership = alice.memberships.get()
        membership.case_areas.add(centre.case_areas.get(name="Bezirk Süd"))
    assert status(alice, sued) == 200  # her Bezirke changed: she sees it at once
    with scopes_disabled():
        membership.case_areas.remove(centre.case_areas.get(name="Bezirk Süd"))
    assert status(alice, sued) == 404
    assert status(whole, nord) == 200
