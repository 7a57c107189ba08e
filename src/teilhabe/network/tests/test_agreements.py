"""Cooperation agreements: validity, the reminder before they end, list, form and start page."""

from __future__ import annotations

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from teilhabe.core.tenancy import centre_ids
from teilhabe.core.tests.factories import make_member
from teilhabe.network import services
from teilhabe.network.models import CooperationAgreement
from teilhabe.network.tests.factories import (
    make_actor,
    make_agreement,
    make_follow_up,
    make_group,
    make_meeting,
)
from teilhabe.network.views import AgreementListView

pytestmark = pytest.mark.django_db

AGREEMENT_LIST = reverse("network:agreement-list")
AGREEMENT_CREATE = reverse("network:agreement-create")
HOME = reverse("core:home")
ENGLISH = {"accept-language": "en"}
TODAY = datetime.date(2026, 11, 20)


def _day(days):
    return TODAY + datetime.timedelta(days=days)


@pytest.fixture
def today():
    """Fix the day: whether an agreement ends soon depends on it."""
    moment = datetime.datetime(2026, 11, 20, 10, 0, tzinfo=ZoneInfo("Europe/Berlin"))
    with time_machine.travel(moment, tick=False):
        yield TODAY


def _acting(user):
    """Enter the scope the middleware gives ``user``'s requests: their own centres."""
    return scope(centre=centre_ids(user.active_memberships()))


def _url(name, obj):
    return reverse(f"network:{name}", args=[obj.pk])


def _fresh(agreement):
    with scopes_disabled():
        return CooperationAgreement.objects.get(pk=agreement.pk)


def _partners(agreement):
    with scopes_disabled():
        return sorted(agreement.partners.values_list("name", flat=True))


def _count():
    with scopes_disabled():
        return CooperationAgreement.objects.count()


def _authors(obj, action, after=0):
    entries = LogEntry.objects.get_for_object(obj).filter(action=action, pk__gt=after)
    return {e.actor for e in entries}


def _last_entry():
    return LogEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


# save_agreement


def _save(user, centre, **data):
    data.setdefault("title", "Kooperation Sprachförderung")
    data.setdefault("valid_from", datetime.date(2026, 1, 1))
    with _acting(user):
        return services.save_agreement(user, centre, **data)


def test_save_agreement_creates_an_agreement_with_its_partners(dana, centre):
    vhs, caritas = make_actor(centre, "VHS"), make_actor(centre, "Caritas")

    agreement = _save(
        dana,
        centre,
        title="Kooperation Sprachförderung",
        partners=[vhs, caritas],
        valid_from=datetime.date(2026, 1, 1),
        valid_until=datetime.date(2027, 12, 31),
        remind_days=60,
        notes="Jährliche Auswertung im Herbst",
    )

    agreement = _fresh(agreement)
    assert agreement.centre == centre
    assert agreement.title == "Kooperation Sprachförderung"
    assert (agreement.valid_from, agreement.valid_until) == (
        datetime.date(2026, 1, 1),
        datetime.date(2027, 12, 31),
    )
    assert (agreement.remind_days, agreement.notes) == (60, "Jährliche Auswertung im Herbst")
    assert _partners(agreement) == ["Caritas", "VHS"]
    assert _authors(agreement, LogEntry.Action.CREATE) == {dana}


def test_save_agreement_changes_an_agreement_and_its_partners(dana, centre):
    agreement = make_agreement(centre, valid_until=datetime.date(2026, 12, 31))
    jobcenter = make_actor(centre, "Jobcenter")
    before = _last_entry()

    _save(
        dana,
        centre,
        agreement=agreement,
        title="Kooperation Sprachförderung 2027",
        partners=[jobcenter],
        valid_until=None,
    )

    agreement = _fresh(agreement)
    assert (agreement.title, agreement.valid_until) == ("Kooperation Sprachförderung 2027", None)
    assert _partners(agreement) == ["Jobcenter"]
    assert _count() == 1
    assert _authors(agreement, LogEntry.Action.UPDATE, after=before) == {dana}


def test_save_agreement_needs_a_partner(dana, centre):
    with pytest.raises(ValidationError) as excinfo:
        _save(dana, centre, partners=[])

    assert set(excinfo.value.error_dict) == {"partners"}
    assert _count() == 0


def test_save_agreement_refuses_an_end_before_the_start(dana, centre):
    with pytest.raises(ValidationError) as excinfo:
        _save(
            dana,
            centre,
            partners=[make_actor(centre)],
            valid_from=datetime.date(2026, 6, 1),
            valid_until=datetime.date(2026, 5, 31),
        )

    assert set(excinfo.value.error_dict) == {"valid_until"}
    assert _count() == 0


def test_save_agreement_accepts_an_agreement_of_a_single_day(dana, centre):
    agreement = _save(
        dana,
        centre,
        partners=[make_actor(centre)],
        valid_from=datetime.date(2026, 6, 1),
        valid_until=datetime.date(2026, 6, 1),
    )

    assert _fresh(agreement).valid_until == datetime.date(2026, 6, 1)


def test_save_agreement_refuses_partners_of_another_centre(dana, centre, other_centre):
    own, foreign = make_actor(centre, "VHS"), make_actor(other_centre, "VHS Muenster")
    agreement = make_agreement(centre)
    before = _partners(agreement)

    with pytest.raises(ValidationError) as new:
        _save(dana, centre, partners=[own, foreign])
    with pytest.raises(ValidationError) as changed:
        _save(dana, centre, agreement=agreement, partners=[foreign])

    assert set(new.value.error_dict) == set(changed.value.error_dict) == {"partners"}
    assert _count() == 1
    assert _partners(agreement) == before


def test_save_agreement_keeps_a_changed_agreement_in_its_own_centre(dana, centre, other_centre):
    agreement = make_agreement(centre)
    before = _partners(agreement)
    foreign = make_actor(other_centre, "VHS Muenster")

    with pytest.raises(ValidationError):
        _save(dana, other_centre, agreement=agreement, partners=[foreign])

    assert _partners(agreement) == before


@pytest.mark.parametrize("user", ["alice", "charlie"])
def test_save_agreement_is_refused_to_a_case_manager_and_another_centre(request, user, centre):
    user = request.getfixturevalue(user)
    agreement = make_agreement(centre, title="Kooperation Sprachförderung")

    with pytest.raises(PermissionDenied):
        _save(user, centre, title="Neu", partners=[make_actor(centre)])
    with pytest.raises(PermissionDenied):
        _save(user, centre, agreement=agreement, title="Uebernommen", partners=[])

    assert _count() == 1
    assert _fresh(agreement).title == "Kooperation Sprachförderung"


# status()


def _agreement(valid_from, valid_until=None, remind_days=90):
    return CooperationAgreement(
        title="Kooperation", valid_from=valid_from, valid_until=valid_until, remind_days=remind_days
    )


@pytest.mark.parametrize(
    ("valid_from", "valid_until", "remind_days", "expected"),
    [
        (_day(1), _day(400), 90, "future"),
        (_day(1), _day(10), 90, "future"),  # not yet valid, even if it ends soon after
        (_day(1), None, 90, "future"),
        (_day(-100), _day(200), 90, "running"),
        (_day(-100), _day(91), 90, "running"),
        (_day(-100), _day(90), 90, "ending"),  # the first day of the reminder period
        (_day(-100), _day(10), 90, "ending"),
        (_day(-100), _day(10), 5, "running"),  # a short reminder period
        (_day(0), _day(0), 0, "ending"),  # the last day
        (_day(-100), _day(-1), 90, "expired"),
        (_day(-100), None, 90, "running"),  # open-ended
        (_day(0), None, 0, "running"),
    ],
)
def test_status_of_an_agreement(valid_from, valid_until, remind_days, expected):
    assert _agreement(valid_from, valid_until, remind_days).status(TODAY) == expected


def test_status_is_taken_on_todays_date(today):
    agreement = _agreement(_day(-100), _day(30), remind_days=30)

    assert agreement.status() == "ending"
    with time_machine.travel(datetime.datetime(2026, 10, 20, 10, tzinfo=ZoneInfo("UTC"))):
        assert agreement.status() == "running"
    with time_machine.travel(datetime.datetime(2026, 12, 21, 10, tzinfo=ZoneInfo("UTC"))):
        assert agreement.status() == "expired"


def test_agreements_to_renew_are_the_ending_ones_of_the_users_centre(dana, centre, other_centre):
    make_agreement(centre, title="Endet bald", valid_until=_day(20), remind_days=30)
    make_agreement(centre, title="Endet zuerst", valid_until=_day(5), remind_days=30)
    make_agreement(centre, title="Laeuft", valid_until=_day(60), remind_days=30)
    make_agreement(centre, title="Abgelaufen", valid_until=_day(-1))
    make_agreement(centre, title="Unbefristet", valid_until=None)
    make_agreement(centre, title="Noch nicht gueltig", valid_from=_day(3), valid_until=_day(10))
    make_agreement(other_centre, title="Muenster endet bald", valid_until=_day(20))

    with _acting(dana):
        renew = services.agreements_to_renew(dana, today=TODAY)

    assert [a.title for a in renew] == ["Endet zuerst", "Endet bald"]


# Views: list


def _titles(response):
    return [a.title for a in response.context["object_list"]]


def test_agreement_list_shows_status_badges_soonest_end_first(
    client, alice, centre, other_centre, today
):
    make_agreement(centre, title="Unbefristet", valid_from=_day(-10), valid_until=None)
    make_agreement(centre, title="Laeuft", valid_from=_day(-10), valid_until=_day(300))
    make_agreement(centre, title="Endet bald", valid_from=_day(-10), valid_until=_day(30))
    make_agreement(centre, title="Abgelaufen", valid_from=_day(-100), valid_until=_day(-1))
    make_agreement(centre, title="Kuenftig", valid_from=_day(5), valid_until=_day(500))
    make_agreement(other_centre, title="Muenster", valid_until=_day(20))
    client.force_login(alice)

    response = client.get(AGREEMENT_LIST, headers=ENGLISH)

    assert response.status_code == 200
    expected = ["Abgelaufen", "Endet bald", "Laeuft", "Kuenftig", "Unbefristet"]
    assert _titles(response) == expected
    content = response.content.decode()
    rows = content[content.index("<tbody") :].split("</tr>")
    badges = {
        "Abgelaufen": "expired",
        "Endet bald": "ends soon – renew?",
        "Laeuft": "running",
        "Kuenftig": "not yet valid",
        "Unbefristet": "running",
    }
    for title, row in zip(expected, rows, strict=False):
        assert title in row
        assert f'<span class="kern-label">{badges[title]}</span>' in row, title
    assert "open-ended" in rows[-2]
    assert "Muenster" not in content
    # a case manager reads the list but gets no links to change it
    assert AGREEMENT_CREATE not in content


def test_agreement_list_badge_is_german_by_default(client, dana, centre, today):
    make_agreement(centre, title="Endet bald", valid_until=_day(30))
    client.force_login(dana)

    content = client.get(AGREEMENT_LIST).content.decode()

    assert "endet bald – verlängern?" in content
    assert AGREEMENT_CREATE in content


def test_agreement_list_explains_when_there_is_nothing(client, dana, other_centre):
    make_agreement(other_centre, title="Muenster")
    client.force_login(dana)

    content = client.get(AGREEMENT_LIST, headers=ENGLISH).content.decode()

    assert "No cooperation agreements have been recorded yet." in content


def test_agreement_list_pages_through_alike_agreements_each_once(client, monkeypatch, dana, centre):
    """Agreements with the same end and title keep their order from page to page."""
    monkeypatch.setattr(AgreementListView, "paginate_by", 4)
    alike = [make_agreement(centre, valid_until=datetime.date(2027, 6, 30)) for _ in range(10)]
    client.force_login(dana)

    pages = [client.get(AGREEMENT_LIST, {"page": n}).context["object_list"] for n in (1, 2, 3)]

    assert [a.pk for page in pages for a in page] == [a.pk for a in alike]


# Views: form


def _form(**overrides):
    return {
        "title": "Kooperation Sprachförderung",
        "valid_from": "2026-01-01",
        "valid_until": "2027-12-31",
        "remind_days": "60",
        "notes": "",
        **overrides,
    }


def test_agreement_form_proposes_today_and_the_centres_active_actors(
    client, dana, centre, other_centre, today
):
    make_actor(centre, "VHS")
    make_actor(centre, "Caritas")
    make_actor(centre, "Aufgeloester Verein", is_active=False)
    make_actor(other_centre, "VHS Muenster")
    client.force_login(dana)

    response = client.get(AGREEMENT_CREATE)

    assert response.status_code == 200
    form = response.context["form"]
    assert (form["valid_from"].value(), form["remind_days"].value()) == (TODAY, 90)
    assert 'value="2026-11-20"' in response.content.decode()
    with scopes_disabled():
        assert [a.name for a in form.fields["partners"].queryset] == ["Caritas", "VHS"]


def test_agreement_form_creates_an_agreement(client, dana, centre):
    vhs, caritas = make_actor(centre, "VHS"), make_actor(centre, "Caritas")
    client.force_login(dana)

    response = client.post(AGREEMENT_CREATE, _form(partners=[vhs.pk, caritas.pk]))

    assert (response.status_code, response.url) == (302, AGREEMENT_LIST)
    with scopes_disabled():
        agreement = CooperationAgreement.objects.get()
    assert agreement.centre == centre
    assert (agreement.valid_until, agreement.remind_days) == (datetime.date(2027, 12, 31), 60)
    assert _partners(agreement) == ["Caritas", "VHS"]
    assert _authors(agreement, LogEntry.Action.CREATE) == {dana}


def test_agreement_form_keeps_the_entries_and_explains_the_errors(client, dana, centre):
    vhs = make_actor(centre, "VHS")
    client.force_login(dana)

    backwards = client.post(
        AGREEMENT_CREATE,
        _form(partners=[vhs.pk], valid_from="2026-06-01", valid_until="2026-05-31"),
        headers=ENGLISH,
    )
    without_partner = client.post(AGREEMENT_CREATE, _form(), headers=ENGLISH)

    assert backwards.status_code == 200
    assert set(backwards.context["form"].errors) == {"valid_until"}
    content = backwards.content.decode()
    assert re.search(r'id="id_valid_until_error"[^>]*>The agreement cannot end before it', content)
    assert 'value="Kooperation Sprachförderung"' in content
    assert 'value="2026-06-01"' in content
    assert re.search(rf'value="{vhs.pk}" id="[^"]+" checked', content)
    assert without_partner.status_code == 200
    assert set(without_partner.context["form"].errors) == {"partners"}
    assert _count() == 0


def test_agreement_form_edits_an_agreement(client, dana, centre):
    agreement = make_agreement(
        centre, title="Kooperation", valid_until=datetime.date(2026, 12, 31), remind_days=30
    )
    [old] = _partners(agreement)
    with scopes_disabled():
        old_pk = agreement.partners.get().pk
    jobcenter = make_actor(centre, "Jobcenter")
    client.force_login(dana)

    page = client.get(_url("agreement-update", agreement))
    form = page.content.decode()
    response = client.post(
        _url("agreement-update", agreement),
        _form(title="Kooperation 2027", partners=[jobcenter.pk], valid_until=""),
    )

    assert page.status_code == 200
    assert 'value="Kooperation"' in form
    assert 'value="2026-12-31"' in form
    assert re.search(rf'value="{old_pk}" id="[^"]+" checked', form)
    assert not re.search(rf'value="{jobcenter.pk}" id="[^"]+" checked', form)
    assert old in form
    assert (response.status_code, response.url) == (302, AGREEMENT_LIST)
    agreement = _fresh(agreement)
    assert (agreement.title, agreement.valid_until, agreement.remind_days) == (
        "Kooperation 2027",
        None,
        60,
    )
    assert _partners(agreement) == ["Jobcenter"]
    assert _count() == 1


def test_agreement_form_edit_keeps_errors_on_the_form(client, dana, centre):
    agreement = make_agreement(centre, title="Kooperation")
    [partner] = _partners(agreement)
    with scopes_disabled():
        partner_pk = agreement.partners.get().pk
    client.force_login(dana)

    response = client.post(
        _url("agreement-update", agreement),
        _form(title="", partners=[partner_pk], remind_days="1000"),
        headers=ENGLISH,
    )

    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"title", "remind_days"}
    assert 'value="1000"' in response.content.decode()
    assert _fresh(agreement).title == "Kooperation"
    assert _partners(agreement) == [partner]


def test_agreement_form_keeps_a_partner_archived_since(client, dana, centre):
    agreement = make_agreement(centre, title="Kooperation")
    with scopes_disabled():
        partner = agreement.partners.get()
        partner.is_active = False
        partner.save()
    client.force_login(dana)

    form = client.get(_url("agreement-update", agreement)).content.decode()
    response = client.post(
        _url("agreement-update", agreement), _form(title="Kooperation", partners=[partner.pk])
    )

    assert re.search(rf'value="{partner.pk}" id="[^"]+" checked', form)
    assert response.status_code == 302
    assert _partners(agreement) == [partner.name]


# Access across centres and roles


@pytest.mark.parametrize("method", ["get", "post"])
def test_agreement_of_another_centre_answers_404(client, dana, other_centre, method):
    agreement = make_agreement(other_centre, title="Kooperation Muenster")
    own = make_actor(other_centre, "VHS Muenster")
    client.force_login(dana)

    response = getattr(client, method)(
        _url("agreement-update", agreement), _form(title="Uebernommen", partners=[own.pk])
    )

    assert response.status_code == 404
    assert "Kooperation Muenster" not in response.content.decode()
    assert _fresh(agreement).title == "Kooperation Muenster"


def test_case_manager_may_not_create_or_change_agreements(client, alice, centre):
    agreement = make_agreement(centre, title="Kooperation")
    actor = make_actor(centre, "VHS")
    client.force_login(alice)

    assert client.get(AGREEMENT_LIST).status_code == 200
    refused = [
        client.get(AGREEMENT_CREATE),
        client.post(AGREEMENT_CREATE, _form(partners=[actor.pk])),
        client.get(_url("agreement-update", agreement)),
        client.post(_url("agreement-update", agreement), _form(title="X", partners=[actor.pk])),
    ]

    assert [r.status_code for r in refused] == [403] * 4
    assert _count() == 1
    assert _fresh(agreement).title == "Kooperation"


# Start page


@pytest.fixture
def leadership(centre):
    """Lea: leadership of the centre; she steers the network."""
    return make_member("lea@example.org", "leadership", centre)


def _task(meeting, task, due, done=False):
    follow_up = make_follow_up(meeting, task)
    with scopes_disabled():
        follow_up.due, follow_up.done = due, done
        follow_up.save()
    return follow_up


def test_start_page_of_leadership_shows_agreements_to_renew_and_due_follow_ups(
    client, leadership, centre, other_centre, today
):
    make_agreement(
        centre, title="Kooperation Sprachförderung", valid_until=_day(20), remind_days=30
    )
    make_agreement(centre, title="Rahmenvereinbarung KIM", valid_until=_day(60), remind_days=30)
    make_agreement(other_centre, title="Kooperation Muenster", valid_until=_day(20))
    meeting = make_meeting(make_group(centre, "AG Querschnitt"), date=_day(-30))
    overdue = _task(meeting, "Einladung verschicken", _day(-3))
    _task(meeting, "Raum buchen", _day(7))
    _task(meeting, "Presse informieren", _day(-5), done=True)
    _task(meeting, "Jahresbericht", _day(60))
    _task(meeting, "Ohne Termin", None)
    foreign = make_meeting(make_group(other_centre, "Netzwerk Muenster"))
    _task(foreign, "Fremde Aufgabe", _day(-3))
    client.force_login(leadership)

    response = client.get(HOME, headers=ENGLISH)

    assert response.status_code == 200
    content = response.content.decode()
    panel = content[content.index('id="panel-network"') :]
    panel = panel[: panel.index("</section>")]
    assert "Kooperation Sprachförderung" in panel
    assert "Rahmenvereinbarung KIM" not in panel
    assert "Kooperation Muenster" not in panel
    assert re.search(r"Einladung verschicken</a> \(AG Querschnitt\) – overdue since", panel)
    assert _url("meeting-detail", meeting) in panel
    assert overdue.task in panel
    assert re.search(r"Raum buchen</a> \(AG Querschnitt\) – due ", panel)
    for hidden in ("Presse informieren", "Jahresbericht", "Ohne Termin", "Fremde Aufgabe"):
        assert hidden not in panel


def test_start_page_of_leadership_says_when_nothing_is_due(client, leadership, today):
    client.force_login(leadership)

    content = client.get(HOME, headers=ENGLISH).content.decode()

    assert "No agreement ends within its reminder period." in content
    assert "No follow-ups are due." in content


def test_start_page_of_a_case_manager_has_no_network_panel(client, alice, centre, today):
    make_agreement(centre, title="Kooperation Sprachförderung", valid_until=_day(20))
    task = make_follow_up(make_meeting(make_group(centre)), "Einladung verschicken")
    with scopes_disabled():
        task.due = _day(-3)
        task.save()
    client.force_login(alice)

    response = client.get(HOME, headers=ENGLISH)

    assert response.status_code == 200
    content = response.content.decode()
    assert 'id="panel-network"' not in content
    assert "Kooperation Sprachförderung" not in content
    assert "Einladung verschicken" not in content
