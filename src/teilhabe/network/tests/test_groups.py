"""Networks and working groups: members, meetings with minutes and follow-ups, the demo groups."""

from __future__ import annotations

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from auditlog.models import LogEntry
from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation
from django_scopes import scope, scopes_disabled

from teilhabe.core.demo import DEMO_CENTRE, SECOND_CENTRE, load_demo
from teilhabe.core.models import Centre
from teilhabe.core.tenancy import centre_ids
from teilhabe.core.tests.factories import make_member
from teilhabe.network import generators, services
from teilhabe.network.forms import MeetingForm
from teilhabe.network.models import (
    Actor,
    FieldOfAction,
    FollowUp,
    GroupMember,
    Meeting,
    WorkingGroup,
)
from teilhabe.network.tests.factories import (
    make_actor,
    make_follow_up,
    make_group,
    make_meeting,
    make_member_of,
)
from teilhabe.network.views import GroupListView

pytestmark = pytest.mark.django_db

GROUP_LIST = reverse("network:group-list")
GROUP_CREATE = reverse("network:group-create")
ENGLISH = {"accept-language": "en"}
TODAY = datetime.date(2026, 11, 20)


@pytest.fixture
def today():
    """Fix the day: the meeting form proposes today's date."""
    moment = datetime.datetime(2026, 11, 20, 10, 0, tzinfo=ZoneInfo("Europe/Berlin"))
    with time_machine.travel(moment, tick=False):
        yield TODAY


def _acting(user):
    """Enter the scope the middleware gives ``user``'s requests: their own centres."""
    return scope(centre=centre_ids(user.active_memberships()))


def _url(name, obj):
    return reverse(f"network:{name}", args=[obj.pk])


def _messages(response):
    return [(m.level, str(m)) for m in messages.get_messages(response.wsgi_request)]


def _authors(obj, action):
    return [e.actor for e in LogEntry.objects.get_for_object(obj).filter(action=action)]


def _fresh(obj):
    with scopes_disabled():
        return type(obj).objects.get(pk=obj.pk)


def _member_roles(group):
    with scopes_disabled():
        return sorted(group.members.values_list("actor__name", "role"))


def _count(model):
    with scopes_disabled():
        return model.objects.count()


# save_group


def _save_group(user, centre, **data):
    data.setdefault("kind", WorkingGroup.Kind.WORKING_GROUP)
    with _acting(user):
        return services.save_group(user, centre, **data)


def test_save_group_creates_a_group_of_the_centre(dana, centre):
    group = _save_group(
        dana,
        centre,
        name="Netzwerk Chancengerechtigkeit",
        kind=WorkingGroup.Kind.NETWORK,
        description="Bildungsbiografien begleiten",
        fields_of_action=[FieldOfAction.EDUCATION],
    )

    group = _fresh(group)
    assert group.centre == centre
    assert (group.name, group.kind) == ("Netzwerk Chancengerechtigkeit", "network")
    assert group.description == "Bildungsbiografien begleiten"
    assert group.fields_of_action == ["education"]
    assert group.is_active
    assert _authors(group, LogEntry.Action.CREATE) == [dana]


def test_save_group_changes_an_existing_group(dana, centre):
    group = make_group(centre, "AG Querschnitt", fields_of_action=["education"])

    _save_group(
        dana,
        centre,
        group=group,
        name="AG Querschnitt Integration",
        kind=WorkingGroup.Kind.STEERING,
        fields_of_action=[FieldOfAction.CROSS_CUTTING, FieldOfAction.MIGRATION],
    )

    group = _fresh(group)
    assert (group.name, group.kind) == ("AG Querschnitt Integration", "steering")
    assert group.fields_of_action == ["cross_cutting", "migration"]
    assert _count(WorkingGroup) == 1
    assert _authors(group, LogEntry.Action.UPDATE) == [dana]


def test_save_group_refuses_an_unknown_field_of_action(dana, centre):
    with pytest.raises(ValidationError) as excinfo:
        _save_group(dana, centre, name="AG Sport", fields_of_action=["sport"])

    assert set(excinfo.value.error_dict) == {"fields_of_action"}
    assert _count(WorkingGroup) == 0


def test_save_group_refuses_a_name_the_centre_already_uses(dana, charlie, centre, other_centre):
    make_group(centre, "KIM-Lenkungsgruppe")

    with pytest.raises(ValidationError) as excinfo:
        _save_group(dana, centre, name="KIM-Lenkungsgruppe")

    assert set(excinfo.value.error_dict) == {NON_FIELD_ERRORS}
    # another centre may use the same name
    _save_group(charlie, other_centre, name="KIM-Lenkungsgruppe")
    with scopes_disabled():
        assert sorted(WorkingGroup.objects.values_list("centre__slug", flat=True)) == sorted(
            [centre.slug, other_centre.slug]
        )


def test_save_group_is_refused_to_a_case_manager(alice, centre):
    group = make_group(centre, "AG Querschnitt")

    with pytest.raises(PermissionDenied):
        _save_group(alice, centre, name="AG Neu")
    with pytest.raises(PermissionDenied):
        _save_group(alice, centre, group=group, name="Umbenannt")

    assert _count(WorkingGroup) == 1
    assert _fresh(group).name == "AG Querschnitt"


def test_save_group_is_refused_to_the_administration_of_another_centre(charlie, centre):
    group = make_group(centre, "AG Querschnitt")

    with pytest.raises(PermissionDenied):
        _save_group(charlie, centre, name="Fremde AG")
    with pytest.raises(PermissionDenied):
        _save_group(charlie, centre, group=group, name="Uebernommen")

    assert _count(WorkingGroup) == 1
    assert _fresh(group).name == "AG Querschnitt"


# Members


def _add_member(user, group, actor, role=""):
    with _acting(user):
        return services.add_group_member(user, group, actor=actor, role=role)


def test_add_group_member_adds_and_changes_the_role_without_a_second_row(dana, centre):
    group = make_group(centre, "AG Querschnitt")
    caritas = make_actor(centre, "Caritas")

    first = _add_member(dana, group, caritas, "Mitglied")
    second = _add_member(dana, group, caritas, "Vorsitz")

    assert first.pk == second.pk
    assert _member_roles(group) == [("Caritas", "Vorsitz")]


def test_add_group_member_refuses_an_actor_of_another_centre(dana, centre, other_centre):
    group = make_group(centre, "AG Querschnitt")
    foreign = make_actor(other_centre, "Caritas Muenster")

    with pytest.raises(ValidationError) as excinfo:
        _add_member(dana, group, foreign)

    assert set(excinfo.value.error_dict) == {"actor"}
    assert _count(GroupMember) == 0


def test_add_group_member_is_refused_to_a_case_manager(alice, centre):
    group = make_group(centre, "AG Querschnitt")

    with pytest.raises(PermissionDenied):
        _add_member(alice, group, make_actor(centre, "Caritas"))

    assert _count(GroupMember) == 0


def test_remove_group_member_keeps_the_actor_and_past_attendance(dana, centre):
    group = make_group(centre, "AG Querschnitt")
    member = make_member_of(group, make_actor(centre, "Caritas"))
    make_member_of(group, make_actor(centre, "Diakonie"))
    meeting = make_meeting(group)
    with scopes_disabled():
        meeting.attendees.set([member.actor])

    with _acting(dana):
        services.remove_group_member(dana, member)

    assert _member_roles(group) == [("Diakonie", "")]
    with scopes_disabled():
        assert Actor.objects.filter(name="Caritas").exists()
        assert list(meeting.attendees.values_list("name", flat=True)) == ["Caritas"]


def test_remove_group_member_is_refused_to_a_case_manager(alice, centre):
    group = make_group(centre, "AG Querschnitt")
    member = make_member_of(group)

    with pytest.raises(PermissionDenied), _acting(alice):
        services.remove_group_member(alice, member)

    assert _count(GroupMember) == 1


# record_meeting


def _record(user, group, **data):
    data.setdefault("date", datetime.date(2026, 11, 3))
    with _acting(user):
        return services.record_meeting(user, group, **data)


def test_record_meeting_stores_attendance_minutes_decisions_and_follow_ups(dana, centre):
    group = make_group(centre, "AG Querschnitt")
    caritas, vhs = make_actor(centre, "Caritas"), make_actor(centre, "VHS")
    make_actor(centre, "Jugendamt")

    meeting = _record(
        dana,
        group,
        date=datetime.date(2026, 11, 3),
        place="Kreishaus",
        attendees=[caritas, vhs],
        minutes="Bericht aus den Mitgliedsorganisationen",
        decisions="Informationsabend im Januar",
        follow_ups=[
            ("Einladung verschicken", caritas, datetime.date(2026, 12, 31)),
            ("Raum buchen", None, None),
        ],
    )

    with scopes_disabled():
        meeting = Meeting.objects.get()
        assert meeting.group == group
        assert (meeting.date, meeting.place) == (datetime.date(2026, 11, 3), "Kreishaus")
        assert meeting.minutes == "Bericht aus den Mitgliedsorganisationen"
        assert meeting.decisions == "Informationsabend im Januar"
        assert sorted(meeting.attendees.values_list("name", flat=True)) == ["Caritas", "VHS"]
        assert sorted(
            meeting.follow_ups.values_list("task", "responsible__name", "due", "done")
        ) == [
            ("Einladung verschicken", "Caritas", datetime.date(2026, 12, 31), False),
            ("Raum buchen", None, None, False),
        ]
    assert _authors(meeting, LogEntry.Action.CREATE) == [dana]


def test_record_meeting_refuses_attendees_of_another_centre_and_saves_nothing(
    dana, centre, other_centre
):
    group = make_group(centre, "AG Querschnitt")
    own, foreign = make_actor(centre, "Caritas"), make_actor(other_centre, "Caritas Muenster")

    with pytest.raises(ValidationError) as excinfo:
        _record(dana, group, attendees=[own, foreign], follow_ups=[("Raum buchen", None, None)])

    assert set(excinfo.value.error_dict) == {"attendees"}
    assert (_count(Meeting), _count(FollowUp)) == (0, 0)


def test_record_meeting_refused_for_a_foreign_responsible_leaves_no_meeting_behind(
    dana, centre, other_centre
):
    group = make_group(centre, "AG Querschnitt")
    foreign = make_actor(other_centre, "Caritas Muenster")

    with pytest.raises(ValidationError) as excinfo:
        _record(
            dana,
            group,
            attendees=[make_actor(centre, "Caritas")],
            follow_ups=[("Raum buchen", None, None), ("Einladung", foreign, None)],
        )

    assert set(excinfo.value.error_dict) == {"follow_ups"}
    assert (_count(Meeting), _count(FollowUp)) == (0, 0)
    with scopes_disabled():
        assert not Meeting.attendees.through.objects.exists()


def test_record_meeting_is_refused_to_a_case_manager(alice, centre):
    group = make_group(centre, "AG Querschnitt")

    with pytest.raises(PermissionDenied):
        _record(alice, group)

    assert _count(Meeting) == 0


def test_set_follow_up_done_ticks_off_and_opens_again(dana, centre):
    task = make_follow_up(make_meeting(make_group(centre)))

    with _acting(dana):
        services.set_follow_up_done(dana, task, done=True)
    assert _fresh(task).done

    with _acting(dana):
        services.set_follow_up_done(dana, task, done=False)
    assert not _fresh(task).done


def test_set_follow_up_done_is_refused_to_a_case_manager(alice, centre):
    task = make_follow_up(make_meeting(make_group(centre)))

    with pytest.raises(PermissionDenied), _acting(alice):
        services.set_follow_up_done(alice, task, done=True)

    assert not _fresh(task).done


# The follow-up lines of the meeting form


def _parse(centre, text):
    with scopes_disabled(), translation.override("en"):
        form = MeetingForm({"date": "2026-11-03", "follow_ups": text}, centre=centre)
        form.is_valid()
        return form


def test_meeting_form_reads_a_due_date_at_the_end_of_a_line(centre):
    form = _parse(centre, "Einladung verschicken bis 31.12.2026")

    assert form.cleaned_data["follow_ups"] == [
        ("Einladung verschicken", None, datetime.date(2026, 12, 31))
    ]


def test_meeting_form_reads_lines_without_date_and_skips_blank_lines(centre):
    form = _parse(
        centre,
        "  Raum buchen  \n\n   \nProtokoll verschicken, bis 1.2.2027\r\nPresse informieren\n",
    )

    assert form.is_valid()
    assert form.cleaned_data["follow_ups"] == [
        ("Raum buchen", None, None),
        ("Protokoll verschicken", None, datetime.date(2027, 2, 1)),
        ("Presse informieren", None, None),
    ]


def test_meeting_form_without_follow_ups_gives_none(centre):
    assert _parse(centre, "").cleaned_data["follow_ups"] == []


def test_meeting_form_names_the_line_with_an_impossible_date(centre):
    form = _parse(centre, "Raum buchen\n\nEinladung verschicken bis 31.02.2026")

    assert not form.is_valid()
    with translation.override("en"):
        assert form.errors["follow_ups"] == ["Line 3: “31.02.2026” is not a date."]


def test_meeting_form_refuses_a_line_with_a_date_but_no_task(centre):
    form = _parse(centre, "Raum buchen\nbis 31.12.2026")

    assert "follow_ups" in form.errors


# Views: list


def _group_names(response):
    return [g.name for g in response.context["object_list"]]


def test_group_list_filters_by_kind(client, alice, centre, other_centre):
    make_group(centre, "Netzwerk Chancengerechtigkeit", kind=WorkingGroup.Kind.NETWORK)
    make_group(centre, "KIM-Lenkungsgruppe", kind=WorkingGroup.Kind.STEERING)
    make_group(centre, "AG Querschnitt", kind=WorkingGroup.Kind.WORKING_GROUP)
    make_group(other_centre, "Netzwerk Muenster", kind=WorkingGroup.Kind.NETWORK)
    client.force_login(alice)

    every = client.get(GROUP_LIST)
    networks = client.get(GROUP_LIST, {"kind": "network"})

    assert every.status_code == 200
    assert _group_names(every) == [
        "AG Querschnitt",
        "KIM-Lenkungsgruppe",
        "Netzwerk Chancengerechtigkeit",
    ]
    assert _group_names(networks) == ["Netzwerk Chancengerechtigkeit"]
    assert "Netzwerk Muenster" not in networks.content.decode()
    assert re.search(r'<option value="network"\s+selected>', networks.content.decode())
    assert _group_names(client.get(GROUP_LIST, {"kind": "nonsense"})) == _group_names(every)


def test_group_list_counts_members_and_shows_the_last_meeting(client, alice, centre):
    group = make_group(centre, "AG Querschnitt")
    make_member_of(group)
    make_member_of(group)
    make_meeting(group, date=datetime.date(2026, 9, 1))
    make_meeting(group, date=datetime.date(2026, 11, 3))
    client.force_login(alice)

    [row] = client.get(GROUP_LIST).context["object_list"]

    assert (row.member_count, row.last_meeting) == (2, datetime.date(2026, 11, 3))


def test_group_list_pages_through_groups_of_the_same_name_each_once(
    client, monkeypatch, centre, other_centre
):
    """Two centres may each have an "AG 00": the pages show both, in the order they were made."""
    monkeypatch.setattr(GroupListView, "paginate_by", 4)
    user = make_member("both@example.org", "case_manager", centre)
    make_member("both@example.org", "case_manager", other_centre, user=user)
    groups = [make_group(c, f"AG {n:02d}") for n in range(6) for c in (centre, other_centre)]
    client.force_login(user)

    pages = [client.get(GROUP_LIST, {"page": n}).context["object_list"] for n in (1, 2, 3)]

    assert [g.pk for page in pages for g in page] == [g.pk for g in groups]


def test_group_list_explains_when_there_is_nothing(client, alice, centre):
    make_group(centre, "AG Querschnitt", kind=WorkingGroup.Kind.WORKING_GROUP)
    client.force_login(alice)

    none_of_kind = client.get(GROUP_LIST, {"kind": "steering"}, headers=ENGLISH)
    assert _group_names(none_of_kind) == []
    assert "No group of this kind." in none_of_kind.content.decode()

    with scopes_disabled():
        WorkingGroup.objects.all().delete()
    empty = client.get(GROUP_LIST, headers=ENGLISH).content.decode()
    assert "No networks or working groups have been recorded yet." in empty


# Views: detail and members


def test_group_detail_lists_members_and_meetings_with_counts(client, alice, centre):
    group = make_group(centre, "AG Querschnitt", description="Austausch der Träger")
    caritas = make_member_of(group, make_actor(centre, "Caritas")).actor
    vhs = make_member_of(group, make_actor(centre, "VHS")).actor
    with scopes_disabled():
        member = GroupMember.objects.get(actor=caritas)
        member.role = "Vorsitz"
        member.save()
    older = make_meeting(group, date=datetime.date(2026, 9, 1), place="Rathaus")
    newer = make_meeting(group, date=datetime.date(2026, 11, 3), place="Kreishaus")
    with scopes_disabled():
        older.attendees.set([caritas])
        newer.attendees.set([caritas, vhs])
    make_follow_up(newer, "Einladung verschicken")
    done = make_follow_up(newer, "Raum buchen")
    with scopes_disabled():
        done.done = True
        done.save()
    client.force_login(alice)

    response = client.get(_url("group-detail", group))

    assert response.status_code == 200
    content = response.content.decode()
    assert "Caritas</a> – Vorsitz" in content
    assert _url("actor-detail", vhs) in content
    with scopes_disabled():
        assert [m.actor.name for m in response.context["members"]] == ["Caritas", "VHS"]
        assert [(m.pk, m.attendee_count, m.open_tasks) for m in response.context["meetings"]] == [
            (newer.pk, 2, 1),
            (older.pk, 1, 0),
        ]
    assert _url("meeting-detail", newer) in content
    assert "Kreishaus" in content
    # a case manager reads but gets no controls
    assert _url("meeting-create", group) not in content
    assert _url("member-add", group) not in content


def test_member_add_and_remove_through_the_group_page(client, dana, centre):
    group = make_group(centre, "AG Querschnitt")
    caritas = make_actor(centre, "Caritas")
    client.force_login(dana)

    page = client.get(_url("group-detail", group)).content.decode()
    assert _url("member-add", group) in page
    added = client.post(
        _url("member-add", group), {"actor": caritas.pk, "role": "Mitglied"}, headers=ENGLISH
    )
    changed = client.post(
        _url("member-add", group), {"actor": caritas.pk, "role": "Vorsitz"}, headers=ENGLISH
    )

    assert (added.status_code, added.url) == (302, _url("group-detail", group))
    assert _messages(added) == [(messages.SUCCESS, "Caritas takes part.")]
    assert changed.status_code == 302
    assert _messages(changed)[-1] == (messages.SUCCESS, "Caritas takes part.")
    assert _member_roles(group) == [("Caritas", "Vorsitz")]

    with scopes_disabled():
        member = group.members.get()
    removed = client.post(_url("member-remove", member), headers=ENGLISH)

    assert (removed.status_code, removed.url) == (302, _url("group-detail", group))
    assert _messages(removed)[-1] == (messages.SUCCESS, "Caritas no longer takes part.")
    assert _member_roles(group) == []


def test_member_add_refuses_an_actor_of_another_centre_with_a_message(
    client, dana, centre, other_centre
):
    group = make_group(centre, "AG Querschnitt")
    foreign = make_actor(other_centre, "Caritas Muenster")
    client.force_login(dana)

    response = client.post(_url("member-add", group), {"actor": foreign.pk}, headers=ENGLISH)

    assert (response.status_code, response.url) == (302, _url("group-detail", group))
    assert _messages(response) == [(messages.ERROR, "Please choose an actor of the centre.")]
    assert _member_roles(group) == []


# Views: group form


def test_group_form_creates_and_edits_a_group(client, dana, centre):
    client.force_login(dana)

    created = client.post(
        GROUP_CREATE,
        {"name": "AG Querschnitt", "kind": "working_group", "fields_of_action": ["migration"]},
    )
    with scopes_disabled():
        group = WorkingGroup.objects.get()
    assert (created.status_code, created.url) == (302, _url("group-detail", group))
    assert (group.centre, group.fields_of_action) == (centre, ["migration"])

    form = client.get(_url("group-update", group)).content.decode()
    assert 'value="AG Querschnitt"' in form
    assert re.search(r'value="migration" id="[^"]+" checked', form)
    edited = client.post(
        _url("group-update", group), {"name": "AG Querschnitt Integration", "kind": "steering"}
    )
    assert edited.status_code == 302
    group = _fresh(group)
    assert (group.name, group.kind, group.fields_of_action) == (
        "AG Querschnitt Integration",
        "steering",
        [],
    )


def test_group_form_shows_a_duplicate_name_without_saving(client, dana, centre):
    make_group(centre, "AG Querschnitt")
    client.force_login(dana)

    response = client.post(
        GROUP_CREATE, {"name": "AG Querschnitt", "kind": "network"}, headers=ENGLISH
    )

    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert 'value="AG Querschnitt"' in response.content.decode()
    assert _count(WorkingGroup) == 1


# Views: meetings


def test_meeting_form_proposes_today_and_the_groups_members(client, dana, centre, today):
    group = make_group(centre, "AG Querschnitt")
    make_member_of(group, make_actor(centre, "VHS"))
    make_member_of(group, make_actor(centre, "Caritas"))
    make_actor(centre, "Jugendamt")  # not a member
    client.force_login(dana)

    response = client.get(_url("meeting-create", group))

    assert response.status_code == 200
    form = response.context["form"]
    assert form["date"].value() == today
    assert 'value="2026-11-20"' in response.content.decode()
    with scopes_disabled():
        assert [a.name for a in form.fields["attendees"].queryset] == ["Caritas", "VHS"]
    assert "Jugendamt" not in response.content.decode()


def test_meeting_form_of_a_group_without_members_offers_all_active_actors_of_the_centre(
    client, dana, centre, other_centre, today
):
    group = make_group(centre, "AG Querschnitt")
    make_actor(centre, "VHS")
    make_actor(centre, "Caritas")
    make_actor(centre, "Aufgeloester Verein", is_active=False)
    make_actor(other_centre, "Caritas Muenster")
    client.force_login(dana)

    response = client.get(_url("meeting-create", group))

    with scopes_disabled():
        offered = [a.name for a in response.context["form"].fields["attendees"].queryset]
    assert offered == ["Caritas", "VHS"]
    assert "Caritas Muenster" not in response.content.decode()


def test_posting_the_meeting_form_records_the_meeting_and_leads_to_it(client, dana, centre):
    group = make_group(centre, "AG Querschnitt")
    caritas = make_member_of(group, make_actor(centre, "Caritas")).actor
    make_member_of(group, make_actor(centre, "VHS"))
    client.force_login(dana)

    response = client.post(
        _url("meeting-create", group),
        {
            "date": "2026-11-19",
            "place": "Kreishaus",
            "attendees": [caritas.pk],
            "minutes": "Bericht aus den Mitgliedsorganisationen",
            "decisions": "Informationsabend im Januar",
            "follow_ups": "Einladung verschicken bis 31.12.2026\n\nRaum buchen",
        },
        headers=ENGLISH,
    )

    with scopes_disabled():
        meeting = Meeting.objects.get()
        assert meeting.group == group
        assert meeting.date == datetime.date(2026, 11, 19)
        assert list(meeting.attendees.values_list("name", flat=True)) == ["Caritas"]
        assert sorted(meeting.follow_ups.values_list("task", "due")) == [
            ("Einladung verschicken", datetime.date(2026, 12, 31)),
            ("Raum buchen", None),
        ]
    assert (response.status_code, response.url) == (302, _url("meeting-detail", meeting))
    assert _messages(response) == [(messages.SUCCESS, "The meeting has been recorded.")]
    assert _authors(meeting, LogEntry.Action.CREATE) == [dana]


def test_meeting_form_with_a_bad_date_line_keeps_the_entries_and_saves_nothing(
    client, dana, centre
):
    group = make_group(centre, "AG Querschnitt")
    client.force_login(dana)

    response = client.post(
        _url("meeting-create", group),
        {"date": "2026-11-19", "minutes": "Austausch", "follow_ups": "Raum buchen bis 31.02.2026"},
        headers=ENGLISH,
    )

    assert response.status_code == 200
    assert response.context["form"].errors["follow_ups"] == ["Line 1: “31.02.2026” is not a date."]
    content = response.content.decode()
    assert "Raum buchen bis 31.02.2026</textarea>" in content
    assert "Austausch</textarea>" in content
    assert _count(Meeting) == 0


def test_meeting_detail_shows_follow_ups_and_ticks_them_off(client, dana, centre):
    group = make_group(centre, "AG Querschnitt")
    meeting = make_meeting(group, minutes="Bericht", decisions="Informationsabend")
    task = make_follow_up(meeting, "Einladung verschicken")
    client.force_login(dana)

    page = client.get(_url("meeting-detail", meeting), headers=ENGLISH)
    assert page.status_code == 200
    content = page.content.decode()
    assert "Mark “Einladung verschicken” as done" in content
    assert "Informationsabend" in content

    done = client.post(_url("follow-up-done", task), {"done": "1"})
    assert (done.status_code, done.url) == (302, _url("meeting-detail", meeting))
    assert _fresh(task).done
    content = client.get(_url("meeting-detail", meeting), headers=ENGLISH).content.decode()
    assert "<s>Einladung verschicken</s>" in content
    assert "Open “Einladung verschicken” again" in content

    client.post(_url("follow-up-done", task), {"done": "0"})
    assert not _fresh(task).done


def test_meeting_detail_lists_open_tasks_by_due_date_undated_ones_last(client, alice, centre):
    meeting = make_meeting(make_group(centre))
    for task, due, done in [
        ("Ohne Termin", None, False),
        ("Spaeter", datetime.date(2026, 12, 31), False),
        ("Erledigt", datetime.date(2026, 11, 1), True),
        ("Zuerst", datetime.date(2026, 11, 30), False),
    ]:
        with scopes_disabled():
            FollowUp.objects.create(meeting=meeting, task=task, due=due, done=done)
    client.force_login(alice)

    response = client.get(_url("meeting-detail", meeting))

    with scopes_disabled():
        listed = [t.task for t in response.context["follow_ups"]]
    assert listed == ["Zuerst", "Spaeter", "Ohne Termin", "Erledigt"]


# Access across centres and roles


@pytest.fixture
def foreign(other_centre):
    """A group of the other centre with a member, a meeting and a follow-up."""
    group = make_group(other_centre, "Netzwerk Muenster")
    member = make_member_of(group, make_actor(other_centre, "Caritas Muenster"))
    meeting = make_meeting(group, minutes="Geheimes Protokoll")
    task = make_follow_up(meeting, "Fremde Aufgabe")
    return {"group": group, "member": member, "meeting": meeting, "task": task}


@pytest.mark.parametrize(
    ("name", "target", "method", "data"),
    [
        ("group-detail", "group", "get", {}),
        ("group-update", "group", "get", {}),
        ("group-update", "group", "post", {"name": "Uebernommen", "kind": "network"}),
        ("member-add", "group", "post", {"role": "Vorsitz"}),
        ("member-remove", "member", "post", {}),
        ("meeting-create", "group", "get", {}),
        ("meeting-create", "group", "post", {"date": "2026-11-19"}),
        ("meeting-detail", "meeting", "get", {}),
        ("follow-up-done", "task", "post", {"done": "1"}),
    ],
)
def test_groups_of_another_centre_answer_404(client, dana, foreign, name, target, method, data):
    client.force_login(dana)

    response = getattr(client, method)(_url(name, foreign[target]), data)

    assert response.status_code == 404
    content = response.content.decode()
    assert "Netzwerk Muenster" not in content
    assert "Geheimes Protokoll" not in content
    assert _fresh(foreign["group"]).name == "Netzwerk Muenster"
    assert _member_roles(foreign["group"]) == [("Caritas Muenster", "")]
    assert _count(Meeting) == 1
    assert not _fresh(foreign["task"]).done


def test_case_manager_reads_groups_and_meetings(client, alice, centre):
    group = make_group(centre, "AG Querschnitt")
    meeting = make_meeting(group)
    client.force_login(alice)

    for url in (GROUP_LIST, _url("group-detail", group), _url("meeting-detail", meeting)):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "AG Querschnitt" in response.content.decode()
    assert GROUP_CREATE not in client.get(GROUP_LIST).content.decode()


def test_case_manager_may_not_change_groups_or_meetings(client, alice, centre):
    group = make_group(centre, "AG Querschnitt")
    actor = make_actor(centre, "Caritas")
    member = make_member_of(group, make_actor(centre, "VHS"))
    task = make_follow_up(make_meeting(group))
    client.force_login(alice)

    refused = [
        client.get(GROUP_CREATE),
        client.post(GROUP_CREATE, {"name": "AG Neu", "kind": "network"}),
        client.get(_url("group-update", group)),
        client.post(_url("group-update", group), {"name": "Neu", "kind": "network"}),
        client.post(_url("member-add", group), {"actor": actor.pk}),
        client.post(_url("member-remove", member)),
        client.get(_url("meeting-create", group)),
        client.post(_url("meeting-create", group), {"date": "2026-11-19"}),
        client.post(_url("follow-up-done", task), {"done": "1"}),
    ]

    assert [r.status_code for r in refused] == [403] * len(refused)
    assert _count(WorkingGroup) == 1
    assert _fresh(group).name == "AG Querschnitt"
    assert _member_roles(group) == [("VHS", "")]
    assert _count(Meeting) == 1
    assert not _fresh(task).done


# The demo groups


def test_populate_groups_gives_each_demo_centre_groups_meetings_and_agreements():
    load_demo()
    with scopes_disabled():
        centres = list(Centre.objects.filter(slug__in=[DEMO_CENTRE, SECOND_CENTRE]))
        assert len(centres) == 2
        for centre in centres:
            generators.populate(centre, 2026, 4)
            generators.link_partner(centre)

        assert [generators.populate_groups(c, 2026) for c in centres] == [3, 3]
        assert [generators.populate_groups(c, 2026) for c in centres] == [0, 0]

        for centre in centres:
            groups = WorkingGroup.objects.filter(centre=centre)
            assert sorted(groups.values_list("kind", flat=True)) == [
                "network",
                "steering",
                "working_group",
            ]
            for group in groups:
                group.full_clean()
                assert group.members.exists(), group
                assert not group.members.exclude(actor__centre=centre).exists()
                assert group.meetings.count() == 2
                for meeting in group.meetings.all():
                    assert meeting.attendees.exists()
                    assert not meeting.attendees.exclude(centre=centre).exists()
                    assert meeting.follow_ups.count() == 1
            agreements = centre.agreements.order_by("title")
            assert {a.title: a.status() for a in agreements} == {
                "Kooperation Sprachförderung": "ending",
                "Projekt Elterncafé": "expired",
                "Rahmenvereinbarung KIM": "running",
            }
            for agreement in agreements:
                agreement.full_clean()
                assert agreement.partners.count() == 2
                assert not agreement.partners.exclude(centre=centre).exists()
