"""Rubrics (the default taxonomy and a centre's own), the stale period per centre, the status
history: services, forms, pages and the data migration from free-text rubrics."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.sql import emit_post_migrate_signal
from django.urls import reverse
from django.utils import translation
from django_scopes import scope, scopes_disabled

from teilhabe.core.tenancy import centre_ids
from teilhabe.core.tests.factories import make_member
from teilhabe.core.tests.migrations import migrate_to, migrate_to_latest
from teilhabe.network.tests.factories import make_actor
from teilhabe.offers import services
from teilhabe.offers.models import (
    DEFAULT_RUBRICS,
    Offer,
    OfferSettings,
    OfferStatusChange,
    Rubric,
    stale_before,
    stale_months,
)
from teilhabe.offers.tests.factories import make_offer

pytestmark = pytest.mark.django_db

S = Offer.Status
ENGLISH = {"accept-language": "en"}
RUBRICS = reverse("offers:rubrics")
SETTINGS = reverse("offers:settings")
OFFER_LIST = reverse("offers:offer-list")


@pytest.fixture
def leo(centre):
    """Leo: leadership of the centre."""
    return make_member("leo@example.org", "leadership", centre)


@pytest.fixture
def clerk(centre):
    """Clara: administrative officer; she keeps offers, not the centre's rubrics."""
    return make_member("clara@example.org", "clerk", centre)


def _acting(user):
    return scope(centre=centre_ids(user.active_memberships()))


def _rubric(key):
    return Rubric.objects.get(key=key)


def _own(centre, name="Mobilität", field="cross_cutting", **fields):
    return Rubric.objects.create(centre=centre, field_of_action=field, name=name, **fields)


def _offer_data(provider, **data):
    return {
        "title": "Sprachcafé",
        "description": "Deutsch üben.",
        "provider": provider,
        "field_of_action": "education",
        **data,
    }


# --- The default taxonomy -------------------------------------------------------------------


def test_the_default_taxonomy_is_shipped_for_every_centre():
    defaults = Rubric.objects.defaults()
    counts = {f: defaults.filter(field_of_action=f).count() for f in DEFAULT_RUBRICS}
    assert counts == {"cross_cutting": 9, "education": 9, "migration": 6}
    names = set(defaults.values_list("name", flat=True))
    assert "Interkulturelle Öffnung der Verwaltung / Willkommenskultur" in names
    assert "Durchgängige Sprachbildung gesamte Bildungskette" in names
    # In the order of the list, per field.
    education = list(defaults.filter(field_of_action="education").values_list("key", flat=True))
    assert education == [key for key, _name in DEFAULT_RUBRICS["education"]]


def test_missing_defaults_come_back_after_migrate_and_flush():
    Rubric.objects.filter(key__in=["sport", "parents"]).delete()
    Rubric.objects.filter(key="culture").update(name="Kultur (umbenannt)")
    emit_post_migrate_signal(0, False, "default")  # as flush does, without the state's apps
    assert Rubric.objects.defaults().count() == 24
    assert Rubric.objects.get(key="sport").position == 3
    assert Rubric.objects.get(key="culture").name == "Kultur (umbenannt)"  # existing: kept
    assert services.ship_default_rubrics() == 0


def test_a_centre_sees_the_defaults_and_its_own_rubrics_only(centre, other_centre, dana):
    mine, theirs = _own(centre), _own(other_centre)
    visible = set(Rubric.objects.visible_to(dana))
    assert mine in visible and theirs not in visible
    assert _rubric("sport") in visible
    assert set(Rubric.objects.for_centre(centre)) == visible


# --- Services: a centre's own rubrics ---------------------------------------------------------


def test_leadership_adds_an_own_rubric_after_the_defaults(centre, leo):
    rubric = services.add_rubric(leo, centre, field_of_action="cross_cutting", name=" Mobilität  ")
    assert (rubric.centre, rubric.name, rubric.position) == (centre, "Mobilität", 10)
    second = services.add_rubric(leo, centre, field_of_action="cross_cutting", name="Wohnen")
    assert second.position == 11


@pytest.mark.parametrize("name", ["sport", "SPORT ", "Mobilität", "mobilität"])
def test_an_own_rubric_needs_a_name_new_in_its_field(centre, leo, name):
    _own(centre, "Mobilität")
    with pytest.raises(ValidationError) as refused:
        services.add_rubric(leo, centre, field_of_action="cross_cutting", name=name)
    assert "name" in refused.value.message_dict


def test_the_same_name_may_stand_in_another_field_and_another_centre(centre, other_centre, leo):
    _own(other_centre, "Mobilität")
    services.add_rubric(leo, centre, field_of_action="cross_cutting", name="Mobilität")
    services.add_rubric(leo, centre, field_of_action="education", name="Sport")


def test_an_unknown_field_is_refused(centre, leo):
    with pytest.raises(ValidationError):
        services.add_rubric(leo, centre, field_of_action="housing", name="Wohnen")


def test_a_clerk_keeps_offers_but_not_the_rubrics(centre, clerk):
    with pytest.raises(PermissionDenied):
        services.add_rubric(clerk, centre, field_of_action="education", name="Lesen")
    with pytest.raises(PermissionDenied):
        services.rename_rubric(clerk, _own(centre), name="Verkehr")


def test_defaults_are_read_only(centre, leo, dana):
    for user in (leo, dana):
        with pytest.raises(PermissionDenied):
            services.rename_rubric(user, _rubric("sport"), name="Bewegung")
        with pytest.raises(PermissionDenied):
            services.archive_rubric(user, _rubric("sport"))


def test_another_centres_rubric_cannot_be_changed(other_centre, leo):
    with pytest.raises(PermissionDenied):
        services.rename_rubric(leo, _own(other_centre), name="Verkehr")


def test_an_own_rubric_is_renamed_but_not_to_a_name_taken(centre, leo):
    rubric, _other = _own(centre, "Mobilität"), _own(centre, "Wohnen")
    services.rename_rubric(leo, rubric, name="Mobilität und Verkehr")
    assert Rubric.objects.get(pk=rubric.pk).name == "Mobilität und Verkehr"
    with pytest.raises(ValidationError):
        services.rename_rubric(leo, rubric, name="wohnen")
    with pytest.raises(ValidationError):
        services.rename_rubric(leo, rubric, name="Kultur")  # a default of the field
    services.rename_rubric(leo, rubric, name="MOBILITÄT UND VERKEHR")  # its own name: fine


def test_an_archived_rubric_stays_with_its_offers_and_cannot_be_chosen_anew(centre, leo, dana):
    rubric = _own(centre, "Mobilität")
    kept = make_offer(centre, field_of_action="cross_cutting", rubric=rubric)
    services.archive_rubric(leo, rubric)
    assert rubric not in services.rubric_choices(centre)
    assert rubric in services.rubric_choices(centre, keep=rubric)
    with _acting(dana):
        fresh = Offer.objects.get(pk=kept.pk)
        services.save_offer(
            dana, centre, offer=fresh, title="Neu", description="Neu.", capacity=3, rubric=rubric
        )
        with pytest.raises(ValidationError) as refused:
            services.save_offer(
                dana,
                centre,
                **_offer_data(make_actor(centre), field_of_action="cross_cutting"),
                rubric=rubric,
            )
    assert "Mobilität" in str(refused.value.message_dict["rubric"])
    assert "archiv" in str(refused.value.message_dict["rubric"])  # archived / archiviert
    services.archive_rubric(leo, rubric, archived=False)
    assert rubric in services.rubric_choices(centre)


# --- Services: an offer's rubric ------------------------------------------------------------


def test_an_offer_gets_a_rubric_of_its_field(centre, dana):
    provider = make_actor(centre)
    with _acting(dana):
        offer = services.save_offer(
            dana, centre, **_offer_data(provider), rubric=_rubric("language_education")
        )
    assert offer.rubric.key == "language_education"


def test_a_rubric_of_another_field_is_refused_with_a_clear_message(centre, dana):
    provider = make_actor(centre)
    with _acting(dana), translation.override("en"), pytest.raises(ValidationError) as refused:
        services.save_offer(dana, centre, **_offer_data(provider), rubric=_rubric("sport"))
    message = " ".join(refused.value.message_dict["rubric"])
    assert "“Sport”" in message
    assert "Integration as a cross-cutting task" in message
    assert "Integration through education" in message


def test_changing_the_field_alone_does_not_leave_a_rubric_of_the_old_field(centre, dana):
    offer = make_offer(centre, field_of_action="cross_cutting", rubric=_rubric("sport"))
    with _acting(dana):
        fresh = Offer.objects.get(pk=offer.pk)
        with pytest.raises(ValidationError):
            services.save_offer(
                dana, centre, offer=fresh, title="X", description="Y.", field_of_action="education"
            )
        fresh = Offer.objects.get(pk=offer.pk)
        services.save_offer(
            dana,
            centre,
            offer=fresh,
            title="X",
            description="Y.",
            field_of_action="education",
            rubric=_rubric("youth_work"),
        )


def test_a_rubric_of_another_centre_is_refused(centre, other_centre, dana):
    provider = make_actor(centre)
    with _acting(dana), pytest.raises(ValidationError):
        services.save_offer(
            dana, centre, **_offer_data(provider), rubric=_own(other_centre, field="education")
        )


def test_find_rubric_matches_by_name_in_the_field(centre, other_centre):
    own = _own(centre, "Mobilität")
    assert services.find_rubric(centre, "cross_cutting", "  SPORT ") == _rubric("sport")
    assert services.find_rubric(centre, "education", "Sport") is None
    assert services.find_rubric(centre, "cross_cutting", "mobilität") == own
    assert services.find_rubric(other_centre, "cross_cutting", "Mobilität") is None


# --- The status history ---------------------------------------------------------------------


def test_every_status_step_is_kept(centre, dana):
    provider = make_actor(centre)
    with _acting(dana):
        offer = services.save_offer(dana, centre, **_offer_data(provider))
        services.add_location(dana, offer, municipality=centre.municipalities().first())
        services.change_status(dana, offer, to=S.REVIEW)
        services.change_status(dana, offer, to=S.PUBLISHED)
        fresh = Offer.objects.get(pk=offer.pk)
        services.save_offer(dana, centre, offer=fresh, title="Sprachcafé", description="Neu.")
    steps = list(
        OfferStatusChange.objects.with_scopes_disabled()
        .filter(offer=offer)
        .values_list("from_status", "to_status", "by")
    )
    assert steps == [
        ("", S.DRAFT, dana.pk),
        (S.DRAFT, S.REVIEW, dana.pk),
        (S.REVIEW, S.PUBLISHED, dana.pk),
    ]  # a change of the text alone is no step


# --- Stale period per centre ------------------------------------------------------------------


def test_a_centre_has_its_own_stale_period_else_the_setting(centre, other_centre, settings):
    settings.OFFER_STALE_MONTHS = 12
    with scopes_disabled():
        OfferSettings.objects.create(centre=centre, stale_months=3)
    assert stale_months(centre) == 3
    assert stale_months(other_centre) == 12
    today = datetime.date(2026, 11, 21)
    assert stale_before(today, centre=centre) == datetime.date(2026, 8, 22)
    mine = make_offer(centre, last_verified=datetime.date(2026, 6, 1))
    theirs = make_offer(other_centre, last_verified=datetime.date(2026, 6, 1))
    assert mine.is_stale(today=today)
    assert not theirs.is_stale(today=today)


def test_the_settings_service_checks_role_and_range(centre, leo, clerk, settings):
    settings.OFFER_STALE_MONTHS = 12
    with _acting(leo):
        services.save_offer_settings(leo, centre, stale_months=6)
    assert stale_months(centre) == 6
    with _acting(leo), pytest.raises(ValidationError):
        services.save_offer_settings(leo, centre, stale_months=0)
    with _acting(clerk), pytest.raises(PermissionDenied):
        services.save_offer_settings(clerk, centre, stale_months=3)
    with _acting(leo):
        services.save_offer_settings(leo, centre, stale_months=None)
    assert stale_months(centre) == 12


def test_the_list_flags_and_filters_by_each_centres_period(client, centre, dana, settings):
    settings.OFFER_STALE_MONTHS = 12
    old = make_offer(centre, "Alt", last_verified=datetime.date.today() - datetime.timedelta(150))
    make_offer(centre, "Frisch")
    client.force_login(dana)
    response = client.get(OFFER_LIST, {"stale": "on"})
    assert list(response.context["object_list"]) == []
    with scopes_disabled():
        OfferSettings.objects.create(centre=centre, stale_months=3)
    response = client.get(OFFER_LIST, {"stale": "on"})
    assert [o.pk for o in response.context["object_list"]] == [old.pk]
    assert response.context["object_list"][0].due_for_check


def test_the_settings_page_saves_the_period(client, centre, leo):
    client.force_login(leo)
    response = client.get(SETTINGS, headers=ENGLISH)
    assert b"after 12 months" in response.content
    response = client.post(SETTINGS, {"stale_months": "4"}, headers=ENGLISH)
    assert response.status_code == 302
    assert stale_months(centre) == 4
    response = client.post(SETTINGS, {"stale_months": "99"}, headers=ENGLISH)
    assert response.status_code == 200
    assert "stale_months" in response.context["form"].errors
    assert stale_months(centre) == 4


# --- Form and list ----------------------------------------------------------------------------


def test_the_offer_form_offers_the_rubrics_grouped_by_field(client, centre, other_centre, dana):
    _own(centre, "Mobilität")
    _own(centre, "Altes", is_archived=True)
    _own(other_centre, "Fremd")
    client.force_login(dana)
    content = client.get(reverse("offers:offer-create"), headers=ENGLISH).content.decode()
    assert '<optgroup label="Integration through education">' in content
    assert '<optgroup label="Integration as a cross-cutting task">' in content
    assert "Durchgängige Sprachbildung gesamte Bildungskette" in content
    assert "Mobilität" in content
    assert "Altes" not in content and "Fremd" not in content


def test_the_offer_form_saves_a_rubric_of_the_field(client, centre, dana):
    provider = make_actor(centre)
    client.force_login(dana)
    response = client.post(
        reverse("offers:offer-create"),
        {
            "title": "Elterncafé",
            "description": "Austausch.",
            "provider": provider.pk,
            "field_of_action": "education",
            "rubric": _rubric("parents").pk,
            "availability": "available",
        },
    )
    assert response.status_code == 302
    with scopes_disabled():
        assert Offer.objects.get().rubric.key == "parents"


def test_the_offer_list_filters_by_rubric(client, centre, dana):
    sport = make_offer(centre, "Fußball", field_of_action="cross_cutting", rubric=_rubric("sport"))
    make_offer(centre, "Kultur", field_of_action="cross_cutting", rubric=_rubric("culture"))
    make_offer(centre, "Ohne")
    client.force_login(dana)
    response = client.get(OFFER_LIST, {"rubric": _rubric("sport").pk})
    assert [o.pk for o in response.context["object_list"]] == [sport.pk]
    assert "Sport" in response.content.decode()


# --- The rubrics page -------------------------------------------------------------------------


def test_the_rubrics_page_shows_defaults_read_only_and_the_own_to_change(client, centre, leo):
    own = _own(centre, "Mobilität")
    make_offer(centre, field_of_action="cross_cutting", rubric=own)
    client.force_login(leo)
    response = client.get(RUBRICS, headers=ENGLISH)
    content = response.content.decode()
    assert "Interkulturelle Öffnung der Verwaltung / Willkommenskultur" in content
    assert content.count("default (read-only)") == 24
    assert reverse("offers:rubric-rename", args=[own.pk]) in content
    assert reverse("offers:rubric-rename", args=[_rubric("sport").pk]) not in content
    fields = {value: rubrics for value, _label, rubrics in response.context["fields"]}
    assert [r.offer_count for r in fields["cross_cutting"] if r.pk == own.pk] == [1]


def test_the_rubrics_page_adds_renames_and_archives(client, centre, leo):
    client.force_login(leo)
    response = client.post(RUBRICS, {"field_of_action": "education", "name": "Lesepaten"})
    assert response.status_code == 302
    rubric = Rubric.objects.get(centre=centre, name="Lesepaten")
    response = client.post(RUBRICS, {"field_of_action": "education", "name": "lesepaten"})
    assert response.status_code == 200
    assert "name" in response.context["form"].errors

    rename = reverse("offers:rubric-rename", args=[rubric.pk])
    assert client.get(rename).status_code == 200
    assert client.post(rename, {"name": "Lesepatenschaften"}).status_code == 302
    rubric.refresh_from_db()
    assert rubric.name == "Lesepatenschaften"

    archive = reverse("offers:rubric-archive", args=[rubric.pk])
    assert client.post(archive, {"archived": "1"}).status_code == 302
    rubric.refresh_from_db()
    assert rubric.is_archived
    client.post(archive, {"archived": "0"})
    rubric.refresh_from_db()
    assert not rubric.is_archived


def test_a_default_rubric_has_no_rename_or_archive_page(client, leo):
    client.force_login(leo)
    sport = _rubric("sport").pk
    assert client.get(reverse("offers:rubric-rename", args=[sport])).status_code == 404
    assert client.post(reverse("offers:rubric-archive", args=[sport])).status_code == 404


# --- The data migration -----------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)  # SQLite's schema editor refuses to run in an atomic block
def test_the_migration_moves_free_text_rubrics_to_the_taxonomy(centre, other_centre):
    provider, theirs = make_actor(centre), make_actor(other_centre)
    apps = migrate_to("offers", "0005_rubric_taxonomy")
    Offer_ = apps.get_model("offers", "Offer")

    def offer(centre_, actor, field, text):
        return Offer_.objects.create(
            centre_id=centre_.pk, provider_id=actor.pk, field_of_action=field, rubric_text=text
        ).pk

    exact = offer(centre, provider, "cross_cutting", "Sport")
    case = offer(
        centre, provider, "education", "  durchgängige sprachbildung  gesamte Bildungskette"
    )
    wrong_field = offer(centre, provider, "education", "Sport")
    own_a = offer(centre, provider, "migration", "Sprache")
    own_b = offer(centre, provider, "migration", "SPRACHE")
    other = offer(other_centre, theirs, "migration", "Sprache")
    empty = offer(centre, provider, "migration", "")

    migrate_to("offers", "0007_remove_offer_rubric_text")
    with scopes_disabled():
        rubric = dict(Offer.objects.values_list("pk", "rubric"))
    assert Rubric.objects.get(pk=rubric[exact]).key == "sport"
    assert Rubric.objects.get(pk=rubric[case]).key == "language_education"
    # No default of that field: the centre's own rubrics are made, one per name and centre.
    made = Rubric.objects.get(pk=rubric[wrong_field])
    assert (made.centre_id, made.field_of_action, made.name) == (centre.pk, "education", "Sport")
    sprache = Rubric.objects.get(pk=rubric[own_a])
    assert (sprache.centre_id, sprache.name) == (centre.pk, "Sprache")
    assert rubric[own_b] == sprache.pk
    assert Rubric.objects.get(pk=rubric[other]).centre_id == other_centre.pk
    assert rubric[other] != sprache.pk
    assert rubric[empty] is None
    assert Rubric.objects.defaults().count() == 24  # shipped once, not twice
    migrate_to_latest("offers")
