"""Pages of the core as a user meets them through the test client."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from html.parser import HTMLParser

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django_scopes import scopes_disabled

from teilhabe.core.models import AccessLog, CaseArea, Membership, Municipality, User
from teilhabe.core.roles import Role
from teilhabe.core.tests.factories import make_member, make_user

pytestmark = pytest.mark.django_db

STAFF_LIST = reverse("core:staff-list")
STAFF_CREATE = reverse("core:staff-create")
CASE_AREAS = reverse("core:case-area-list")
CASE_AREA_CREATE = reverse("core:case-area-create")
ACCESS_LOG = reverse("core:access-log")


def _member(first_name, last_name, role, centre, *, email=None):
    """Return a member with a name of their own (the personas are all called "Test")."""
    email = email or f"{first_name}.{last_name}@example.org".lower()
    user = make_user(email, first_name=first_name, last_name=last_name)
    return make_member(email, role, centre, user=user)


def _membership(user, role):
    with scopes_disabled():
        return Membership.objects.get(user=user, role=role)


def _german(message):
    """Return ``message`` as the German page shows it (catalogue may or may not translate it)."""
    with translation.override("de"):
        return escape(translation.gettext(message))


def _names(response):
    return [str(m.user) for m in response.context["object_list"]]


class _Table(HTMLParser):
    """Collect the text of every table row's cells."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def table_rows(response) -> list[list[str]]:
    parser = _Table()
    parser.feed(response.content.decode())
    return parser.rows


# Staff list


def test_staff_list_filters_by_role(client, dana, alice, bob, dpo):
    client.force_login(dana)

    response = client.get(STAFF_LIST, {"role": Role.CASE_MANAGER})

    assert sorted(_names(response)) == ["Alice Test", "Bob Test"]
    assert "dieter@example.org" not in response.content.decode()


def test_staff_list_searches_names(client, dana, centre):
    _member("Erika", "Mustermann", Role.CLERK, centre)
    _member("Max", "Muster", Role.CLERK, centre)
    _member("Ali", "Yilmaz", Role.CLERK, centre)
    client.force_login(dana)

    assert sorted(_names(client.get(STAFF_LIST, {"q": "muster"}))) == [
        "Erika Mustermann",
        "Max Muster",
    ]
    assert _names(client.get(STAFF_LIST, {"q": "  yilmaz "})) == ["Ali Yilmaz"]
    response = client.get(STAFF_LIST, {"q": "Niemand"})
    assert _names(response) == []
    assert "Ali Yilmaz" not in response.content.decode()


def test_staff_list_sorts_by_name_in_both_directions(client, dana, centre):
    _member("Zoe", "Adler", Role.CLERK, centre)
    _member("Max", "Zimmer", Role.CLERK, centre)
    _member("Anna", "Müller", Role.CLERK, centre)
    _member("Ben", "Müller", Role.CLERK, centre)
    client.force_login(dana)
    ascending = ["Zoe Adler", "Anna Müller", "Ben Müller", "Dana Test", "Max Zimmer"]

    response = client.get(STAFF_LIST, {"sort": "name"})
    assert _names(response) == ascending
    content = response.content.decode()
    content = content[content.index("<tbody") :]  # the header names the logged-in user
    assert [content.index(name) for name in ascending] == sorted(
        content.index(name) for name in ascending
    )
    assert _names(client.get(STAFF_LIST)) == ascending
    assert _names(client.get(STAFF_LIST, {"sort": "-name"})) == ascending[::-1]


def test_staff_list_shows_25_per_page(client, dana, centre):
    for n in range(30):
        _member("Person", f"Nr{n:02d}", Role.CLERK, centre)
    client.force_login(dana)

    first = client.get(STAFF_LIST)
    second = client.get(STAFF_LIST, {"page": 2})

    assert len(first.context["object_list"]) == 25
    assert len(second.context["object_list"]) == 6  # 30 and Dana
    assert set(_names(first)).isdisjoint(_names(second))
    assert client.get(STAFF_LIST, {"page": 3}).status_code == 404


def test_staff_list_pages_keep_the_filter(client, dana, centre):
    for n in range(26):
        _member("Person", f"Nr{n:02d}", Role.CLERK, centre)
    client.force_login(dana)

    first = client.get(STAFF_LIST, {"role": Role.CLERK, "sort": "-name"})
    second = client.get(STAFF_LIST, {"role": Role.CLERK, "sort": "-name", "page": 2})

    assert 'href="?role=clerk&amp;sort=-name&amp;page=2"' in first.content.decode()
    assert _names(second) == ["Person Nr00"]


def test_staff_list_hides_ended_roles_unless_asked(client, dana, alice, bob):
    membership = _membership(alice, Role.CASE_MANAGER)
    with scopes_disabled():
        membership.is_active = False
        membership.save()
    client.force_login(dana)

    assert "Alice Test" not in _names(client.get(STAFF_LIST))
    with_ended = client.get(STAFF_LIST, {"ended": "1"})
    assert sorted(_names(with_ended)) == ["Alice Test", "Bob Test", "Dana Test"]


def test_staff_list_of_one_centre_never_shows_another(client, dana, charlie):
    client.force_login(dana)

    response = client.get(STAFF_LIST, {"ended": "1"})

    assert "Charlie Test" not in _names(response)
    assert "charlie@example.org" not in response.content.decode()


# Staff member page and access log


def test_opening_a_staff_page_writes_one_access_log_entry(client, dana, alice, centre):
    client.force_login(dana)
    entries_before = AccessLog.objects.count()

    response = client.get(
        reverse("core:staff-detail", args=[_membership(alice, "case_manager").pk])
    )

    assert response.status_code == 200
    assert "alice@example.org" in response.content.decode()
    assert AccessLog.objects.count() == entries_before + 1
    entry = AccessLog.objects.latest("pk")
    assert entry.user == dana
    assert entry.user_email == "dana@example.org"
    assert entry.centre == centre
    assert entry.action == AccessLog.Action.READ
    assert entry.content_type == ContentType.objects.get_for_model(User)
    assert entry.object_id == str(alice.pk)
    assert entry.request_id
    assert entry.request_id == response["X-Request-ID"]


def test_staff_page_of_another_centre_is_not_found_and_not_logged(client, dana, charlie):
    client.force_login(dana)

    response = client.get(
        reverse("core:staff-detail", args=[_membership(charlie, "administration").pk])
    )

    assert response.status_code == 404
    assert not AccessLog.objects.exists()


# Adding a member


def _member_form(**overrides):
    return {
        "email": "erika.mustermann@example.org",
        "first_name": "Erika",
        "last_name": "Mustermann",
        "role": Role.CLERK,
        **overrides,
    }


@pytest.mark.parametrize(
    ("accept_language", "message"),
    [("de", "Dieses Feld ist zwingend erforderlich."), ("en", "This field is required.")],
)
def test_add_member_form_explains_a_missing_email_and_keeps_the_entries(
    client, dana, accept_language, message
):
    client.force_login(dana)

    response = client.post(
        STAFF_CREATE, _member_form(email=""), headers={"accept-language": accept_language}
    )

    assert response.status_code == 200
    content = response.content.decode()
    assert re.search(r'id="id_email_error"[^>]*>' + re.escape(message), content)
    assert 'value="Erika"' in content
    assert 'value="Mustermann"' in content
    assert re.search(r'<option value="clerk"\s+selected>', content)
    assert not User.objects.filter(last_name="Mustermann").exists()


def test_add_member_form_leads_to_the_new_members_page(client, dana, centre):
    client.force_login(dana)
    with scopes_disabled():
        nord = CaseArea.objects.get(centre=centre, name="Bezirk Nord")

    response = client.post(STAFF_CREATE, _member_form(role=Role.CASE_MANAGER, case_areas=[nord.pk]))

    user = User.objects.get(email="erika.mustermann@example.org")
    membership = _membership(user, Role.CASE_MANAGER)
    assert response.status_code == 302
    assert response.url == reverse("core:staff-detail", args=[membership.pk])
    with scopes_disabled():
        assert membership.centre == centre
        assert list(membership.case_areas.all()) == [nord]
    page = client.get(response.url)
    assert "Erika Mustermann" in page.content.decode()


def test_add_member_form_logs_the_change_with_the_logged_in_admin(client, dana):
    client.force_login(dana)

    client.post(STAFF_CREATE, _member_form())

    membership = _membership(User.objects.get(email="erika.mustermann@example.org"), "clerk")
    entry = LogEntry.objects.get_for_object(membership).get(action=LogEntry.Action.CREATE)
    assert entry.actor == dana


def test_add_member_form_shows_a_refusal_of_the_service(client, dana, alice):
    client.force_login(dana)

    response = client.post(
        STAFF_CREATE, _member_form(email="alice@example.org", role=Role.CASE_MANAGER)
    )

    assert response.status_code == 200
    assert _german("This person already has this role in the centre.") in response.content.decode()
    with scopes_disabled():
        assert Membership.objects.filter(user=alice).count() == 1


# Bezirke


def test_case_manager_limited_to_a_bezirk_sees_only_that_bezirk(client, alice, centre):
    client.force_login(alice)

    response = client.get(CASE_AREAS)

    assert [a.name for a in response.context["object_list"]] == ["Bezirk Nord"]
    assert "Bezirk Süd" not in response.content.decode()


def test_leadership_sees_every_bezirk_of_the_centre(client, centre, other_centre):
    leader = make_member("leitung@example.org", Role.LEADERSHIP, centre)
    client.force_login(leader)

    response = client.get(CASE_AREAS)

    assert [a.name for a in response.context["object_list"]] == ["Bezirk Nord", "Bezirk Süd"]
    content = response.content.decode()
    assert "Bezirk Nord" in content
    assert "Bezirk Süd" in content
    assert "Münster-Mitte" not in content


def _towns(centre):
    return list(centre.municipalities().order_by("ags"))


def test_bezirk_form_creates_a_bezirk(client, dana, centre):
    client.force_login(dana)
    towns = _towns(centre)[:3]

    response = client.post(
        CASE_AREA_CREATE,
        {
            "name": "Bezirk West",
            "municipalities": [t.pk for t in towns],
            "description": "Baumberge",
        },
    )

    with scopes_disabled():
        area = CaseArea.objects.get(centre=centre, name="Bezirk West")
        assert set(area.municipalities.all()) == set(towns)
    assert area.description == "Baumberge"
    assert response.status_code == 302
    assert response.url == reverse("core:case-area-detail", args=[area.pk])


def test_bezirk_form_edits_a_bezirk(client, dana, centre):
    with scopes_disabled():
        nord = CaseArea.objects.get(centre=centre, name="Bezirk Nord")
    url = reverse("core:case-area-update", args=[nord.pk])
    towns = _towns(centre)[-2:]
    client.force_login(dana)

    form = client.get(url)
    assert 'value="Bezirk Nord"' in form.content.decode()
    response = client.post(
        url, {"name": "Bezirk Nordwest", "municipalities": [t.pk for t in towns]}
    )

    assert response.status_code == 302
    with scopes_disabled():
        nord.refresh_from_db()
        assert nord.name == "Bezirk Nordwest"
        assert set(nord.municipalities.all()) == set(towns)


def test_bezirk_form_offers_no_gemeinde_of_another_district(client, dana, centre):
    client.force_login(dana)
    muenster = Municipality.objects.get(ags="05515000")

    form = client.get(CASE_AREA_CREATE)
    response = client.post(
        CASE_AREA_CREATE, {"name": "Bezirk West", "municipalities": [muenster.pk]}
    )

    assert "Münster" not in form.content.decode()
    assert response.status_code == 200
    assert response.context["form"].errors["municipalities"]
    with scopes_disabled():
        assert not CaseArea.objects.filter(name="Bezirk West").exists()


# Access log page


def _logged(user, centre, *, action="read", when=datetime(2026, 3, 2, 12, tzinfo=UTC)):
    return AccessLog.objects.create(
        time=when,
        user=user,
        user_email=user.email,
        centre=centre,
        action=action,
        content_type=ContentType.objects.get_for_model(User),
        object_id="1",
    )


def _emails(response):
    return sorted(e.user_email for e in response.context["object_list"])


@pytest.fixture
def access_entries(alice, bob, charlie, centre, other_centre):
    _logged(alice, centre, when=datetime(2026, 3, 2, 12, tzinfo=UTC))
    _logged(bob, centre, action="export", when=datetime(2026, 3, 20, 12, tzinfo=UTC))
    _logged(charlie, other_centre, when=datetime(2026, 3, 20, 12, tzinfo=UTC))


def test_access_log_lists_only_entries_of_the_officers_centre(client, dpo, access_entries):
    client.force_login(dpo)

    response = client.get(ACCESS_LOG)

    assert _emails(response) == ["alice@example.org", "bob@example.org"]
    assert "charlie@example.org" not in response.content.decode()


def test_access_log_filters_by_user_email(client, dpo, access_entries):
    client.force_login(dpo)

    assert _emails(client.get(ACCESS_LOG, {"user": "ALICE@"})) == ["alice@example.org"]
    assert _emails(client.get(ACCESS_LOG, {"user": "charlie"})) == []


def test_access_log_filters_by_date_range(client, dpo, access_entries):
    client.force_login(dpo)

    march_from_10th = client.get(ACCESS_LOG, {"date_from": "2026-03-10", "date_to": "2026-03-31"})
    until_5th = client.get(ACCESS_LOG, {"date_to": "2026-03-05"})

    assert _emails(march_from_10th) == ["bob@example.org"]
    assert _emails(until_5th) == ["alice@example.org"]


def test_access_log_refuses_an_end_date_before_the_start(client, dpo, access_entries):
    client.force_login(dpo)

    response = client.get(ACCESS_LOG, {"date_from": "2026-03-31", "date_to": "2026-03-01"})

    assert response.status_code == 200
    assert response.context["form"].errors["date_to"]
    assert re.search(r'class="kern-error"[^>]*>', response.content.decode())
    assert _emails(response) == []


def test_access_log_filters_by_action(client, dpo, access_entries):
    client.force_login(dpo)

    assert _emails(client.get(ACCESS_LOG, {"action": "export"})) == ["bob@example.org"]
    assert _emails(client.get(ACCESS_LOG, {"action": "read"})) == ["alice@example.org"]


# Statewide overview


def test_statewide_page_shows_counts_per_centre_and_no_person(
    client, laki_user, alice, bob, dana, charlie, centre, other_centre
):
    client.force_login(laki_user)

    response = client.get(reverse("core:statewide"))

    assert response.status_code == 200
    rows = {row[1]: row for row in table_rows(response) if len(row) == 5}
    assert rows[centre.name][3:] == ["3", "2"]  # Alice, Bob, Dana; Nord and Süd
    assert rows[other_centre.name][3:] == ["1", "1"]
    content = response.content.decode()
    for person in (alice, bob, dana, charlie):
        assert person.email not in content
        assert str(person) not in content


# Language, errors, health, headers


def test_language_switch_makes_the_next_page_english(client):
    url = reverse("core:accessibility")
    assert '<html lang="de"' in client.get(url).content.decode()

    switched = client.post(reverse("set_language"), {"language": "en", "next": url})

    assert switched.status_code == 302
    assert '<html lang="en"' in client.get(url).content.decode()


def _back_link():
    return f'<a class="kern-link" href="/">{_german("Back to the start page")}</a>'


def test_unknown_address_answers_404_with_our_page(client):
    response = client.get("/gibt-es-nicht/")

    assert response.status_code == 404
    assert "404.html" in [t.name for t in response.templates]
    assert _back_link() in response.content.decode()


def test_object_of_another_centre_answers_404_with_our_page(client, dana, other_centre):
    with scopes_disabled():
        foreign = CaseArea.objects.get(centre=other_centre)
    client.force_login(dana)

    response = client.get(reverse("core:case-area-detail", args=[foreign.pk]))

    assert response.status_code == 404
    assert _back_link() in response.content.decode()
    assert "Münster-Mitte" not in response.content.decode()


def test_healthz_answers_ok(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"status": "ok"}


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/", 302),
        ("/healthz", 200),
        ("/accounts/login/", 200),
        ("/barrierefreiheit/", 200),
        ("/gibt-es-nicht/", 404),
        (STAFF_LIST, 302),
    ],
)
def test_every_response_carries_csp_and_request_id(client, path, status):
    response = client.get(path)

    assert response.status_code == status
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])


def test_logged_in_pages_and_posts_carry_csp_and_request_id(client, dana):
    client.force_login(dana)

    for response in (
        client.get(STAFF_LIST),
        client.post(reverse("set_language"), {"language": "en"}),
    ):
        assert "default-src 'self'" in response["Content-Security-Policy"]
        assert response["X-Request-ID"]


def test_request_ids_differ_and_a_proxys_id_is_kept(client):
    first = client.get("/healthz")["X-Request-ID"]
    second = client.get("/healthz")["X-Request-ID"]
    from_proxy = client.get("/healthz", headers={"x-request-id": "lb-2026-0001"})
    garbage = client.get("/healthz", headers={"x-request-id": "<script>"})

    assert first != second
    assert from_proxy["X-Request-ID"] == "lb-2026-0001"
    assert re.fullmatch(r"[0-9a-f]{32}", garbage["X-Request-ID"])
