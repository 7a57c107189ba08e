"""The case file in the browser's shoes: who opens what, searching, editing together."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django_scopes import scopes_disabled

from teilhabe.cases.models import Case, Referral
from teilhabe.cases.tests.factories import (
    make_action,
    make_agency,
    make_assessment,
    make_case,
    make_person,
    make_referral,
)
from teilhabe.core.models import AccessLog
from teilhabe.core.tests.factories import make_member

pytestmark = pytest.mark.django_db


def test_case_manager_of_another_bezirk_gets_404_unless_assigned(client, alice, bob, centre):
    with scopes_disabled():
        nord = make_case(centre, area="Bezirk Nord")
        assigned = make_case(centre, area="Bezirk Nord", case_manager=bob)
    client.force_login(bob)
    assert client.get(reverse("cases:case-detail", args=[nord.pk])).status_code == 404
    assert client.get(reverse("cases:case-detail", args=[assigned.pk])).status_code == 200
    client.force_login(alice)
    assert client.get(reverse("cases:case-detail", args=[nord.pk])).status_code == 200


def test_coordination_and_leadership_get_403_on_a_case_file_and_laki_too(client, centre, laki_user):
    with scopes_disabled():
        case = make_case(centre)
    url = reverse("cases:case-detail", args=[case.pk])
    for role in ("coordinator", "leadership"):
        client.force_login(make_member(f"{role}@example.org", role, centre))
        assert client.get(url).status_code == 403
        assert client.get(reverse("cases:case-list")).status_code == 403
    client.force_login(laki_user)
    assert client.get(url).status_code == 403


def test_reading_a_case_file_is_in_the_access_log(client, alice, centre):
    with scopes_disabled():
        case = make_case(centre, case_manager=alice)
        make_assessment(case)
    client.force_login(alice)
    response = client.get(reverse("cases:case-detail", args=[case.pk]))
    assert response.status_code == 200
    assert b"needs-data" in response.content  # the chart's figures
    entry = AccessLog.objects.get(content_type=ContentType.objects.get_for_model(Case))
    assert (entry.user, entry.object_id, entry.action) == (alice, str(case.pk), "read")


def test_name_search_goes_by_post_and_never_into_the_url(client, alice, centre):
    with scopes_disabled():
        make_case(centre, person=make_person(centre, "Haddad", "Samira"), case_manager=alice)
        make_case(centre, person=make_person(centre, "Petrenko", "Olena"), case_manager=alice)
    client.force_login(alice)
    url = reverse("cases:case-list")
    response = client.post(url, {"q": "petrenko"})
    assert response.status_code == 302
    assert "petrenko" not in response.url.lower()
    page = client.get(response.url)
    assert b"Petrenko" in page.content and b"Haddad" not in page.content
    client.post(url, {"clear": "1"})
    page = client.get(url)
    assert b"Petrenko" in page.content and b"Haddad" in page.content


def test_search_finds_a_case_by_its_reference_or_the_name(client, alice, centre):
    with scopes_disabled():
        first = make_case(
            centre,
            person=make_person(centre, "Haddad"),
            case_manager=alice,
            reference="KIM-2026-00017",
        )
        make_case(
            centre,
            person=make_person(centre, "Petrenko"),
            case_manager=alice,
            reference="KIM-2026-00018",
        )
    client.force_login(alice)
    url = reverse("cases:case-list")
    for term in ("00017", "kim-2026-00017", "hADDad"):
        client.post(url, {"q": term})
        page = client.get(url)
        assert first.reference.encode() in page.content, term
        assert b"Petrenko" not in page.content, term


def test_list_filters_by_need_and_waiting_list(client, alice, centre):
    with scopes_disabled():
        language = make_case(
            centre, person=make_person(centre, "Yankee", "Bedarf"), case_manager=alice
        )
        language.needs = ["language"]
        language.save()
        make_case(centre, person=make_person(centre, "Zulu", "Liste"))
    client.force_login(alice)
    page = client.get(reverse("cases:case-list"), {"need": "language"})
    assert b"Yankee" in page.content and b"Zulu" not in page.content
    page = client.get(reverse("cases:case-list"), {"phase": "waiting"})
    assert b"Zulu" in page.content and b"Yankee" not in page.content


def test_intake_shows_a_possible_duplicate_then_opens_on_confirmation(client, alice, centre):
    with scopes_disabled():
        make_person(centre, "Haddad", "Samira", birth_date=datetime.date(1990, 3, 14))
    client.force_login(alice)
    data = {"last_name": "Hadad", "first_name": "Samira", "birth_date": "1990-03-14"}
    data |= {"priority": "2", "take_over": "on"}
    response = client.post(reverse("cases:case-create"), data)
    assert response.status_code == 200
    assert "Possibly already known" in response.content.decode() or "bereits bekannt" in (
        response.content.decode()
    )
    assert Case.objects.with_scopes_disabled().count() == 0
    response = client.post(reverse("cases:case-create"), data | {"confirmed_new_person": "on"})
    assert response.status_code == 302
    with scopes_disabled():
        case = Case.objects.get()
        assert case.case_manager == alice and case.person.last_name == "Hadad"


def test_second_save_of_the_same_case_gets_a_conflict_and_loses_nothing(client, alice, bob, centre):
    with scopes_disabled():
        case = make_case(centre, area=None, case_manager=alice, summary="alt")
        person = case.person
    url = reverse("cases:case-update", args=[case.pk])
    form = {
        "person-last_name": person.last_name,
        "person-first_name": person.first_name,
        "person-version": person.version,
        "case-version": case.version,
        "case-priority": "2",
        "case-controller": "",
    }
    client.force_login(alice)
    response = client.post(url, form | {"case-summary": "von Alice"})
    assert response.status_code == 302
    client.force_login(bob)  # bob opened the form before alice saved
    response = client.post(url, form | {"case-summary": "von Bob"})
    assert response.status_code == 409
    assert "von Alice" in response.content.decode()  # what is stored now is shown
    with scopes_disabled():
        case.refresh_from_db()
    assert case.summary == "von Alice"
    # Saving again from the conflict page stores bob's merged values.
    resubmit = response.context["person_form"].data.dict()
    resubmit |= response.context["case_form"].data.dict()
    resubmit["case-summary"] = "von Alice und Bob"
    assert client.post(url, resubmit).status_code == 302
    with scopes_disabled():
        case.refresh_from_db()
    assert case.summary == "von Alice und Bob"


def test_closing_page_lists_what_will_be_ended(client, alice, centre):
    with scopes_disabled():
        case = make_case(centre, case_manager=alice)
        make_referral(case, make_agency(centre))
        make_action(case, "Wohnung suchen")
    client.force_login(alice)
    page = client.get(reverse("cases:case-close", args=[case.pk])).content.decode()
    assert "Jobcenter Kreis Test" in page and "Wohnung suchen" in page
    response = client.post(reverse("cases:case-close", args=[case.pk]), {"reason": ""})
    assert response.status_code == 200  # reason missing: shown again, nothing closed
    response = client.post(reverse("cases:case-close", args=[case.pk]), {"reason": "moved_away"})
    assert response.status_code == 302
    with scopes_disabled():
        assert Referral.objects.get().status == "cancelled"


def test_partner_sees_only_referrals_to_its_organisation(client, alice, partner_user, centre):
    from teilhabe.core.models import Organisation

    with scopes_disabled():
        organisation = Organisation.objects.get(centre=centre)
        own = make_agency(centre, "Brücke", kind="provider", organisation=organisation)
        case = make_case(centre, person=make_person(centre, "Eins", "Person"), case_manager=alice)
        other_case = make_case(centre, person=make_person(centre, "Zwei", "Person"))
        mine = make_referral(case, own)
        theirs = make_referral(other_case, make_agency(centre, "Andere"))
    client.force_login(partner_user)
    page = client.get(reverse("cases:partner-referrals")).content.decode()
    assert "Eins" in page and "Zwei" not in page
    assert client.get(reverse("cases:partner-referral", args=[theirs.pk])).status_code == 404
    response = client.post(
        reverse("cases:partner-referral", args=[mine.pk]), {"status": "accepted", "answer": "ok"}
    )
    assert response.status_code == 302
    with scopes_disabled():
        mine.refresh_from_db()
    assert mine.status == "accepted"
    assert client.get(reverse("cases:case-detail", args=[case.pk])).status_code == 403


def test_start_page_shows_overdue_steps_of_my_cases(client, alice, centre):
    with scopes_disabled():
        case = make_case(centre, case_manager=alice)
        make_action(case, "Antrag abgeben", due_on=datetime.date(2020, 1, 1))
    client.force_login(alice)
    page = client.get(reverse("core:home")).content.decode()
    assert "Antrag abgeben" in page and case.reference in page


def test_every_page_of_the_case_file_logs_the_read(client, alice, centre):
    with scopes_disabled():
        case = make_case(centre, case_manager=alice)
    client.force_login(alice)
    for name in ("case-detail", "case-update", "case-assign", "case-close", "contact-create"):
        before = AccessLog.objects.count()
        assert client.get(reverse(f"cases:{name}", args=[case.pk])).status_code == 200
        assert AccessLog.objects.count() == before + 1, name
