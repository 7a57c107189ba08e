"""Business rules of the offers directory: texts, places, times, and the publishing workflow."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from teilhabe.core.audit import records_actor
from teilhabe.core.models import Centre, User
from teilhabe.core.services import InCentre, ensure_allowed
from teilhabe.network.models import FieldOfAction

from .models import (
    CONTENT_LANGUAGES,
    DEFAULT_RUBRICS,
    DuplicateDecision,
    Offer,
    OfferLocation,
    OfferSettings,
    OfferStatusChange,
    OfferText,
    OpeningHours,
    PopulationFigure,
    Rubric,
)

OFFER_FIELDS = (
    "provider",
    "field_of_action",
    "rubric",
    "min_age",
    "max_age",
    "residence_statuses",
    "languages",
    "free_of_charge",
    "fees",
    "capacity",
    "availability",
    "accessible",
    "accessibility_note",
    "email",
    "phone",
    "url",
    "valid_from",
    "valid_to",
)

#: Allowed status changes and the permission each needs.
TRANSITIONS = {
    (Offer.Status.DRAFT, Offer.Status.REVIEW): "offers.change_offer",
    (Offer.Status.REVIEW, Offer.Status.PUBLISHED): "offers.publish_offer",
    (Offer.Status.REVIEW, Offer.Status.DRAFT): "offers.change_offer",
    (Offer.Status.PUBLISHED, Offer.Status.ARCHIVED): "offers.change_offer",
    (Offer.Status.PUBLISHED, Offer.Status.DRAFT): "offers.change_offer",
    (Offer.Status.DRAFT, Offer.Status.ARCHIVED): "offers.change_offer",
    (Offer.Status.ARCHIVED, Offer.Status.DRAFT): "offers.change_offer",
}


@records_actor
@transaction.atomic
def save_offer(
    acting: User,
    centre: Centre,
    *,
    offer: Offer | None = None,
    title: str,
    description: str,
    **data: Any,
) -> Offer:
    """Create or change an offer with its German text; a changed text outdates translations."""
    ensure_allowed(acting, "offers.change_offer", offer or InCentre(centre))
    if offer is not None and offer.centre_id != centre.pk:
        raise ValidationError(_("An offer is changed in its own centre."))
    provider = data.get("provider") or (offer.provider if offer else None)
    if provider is None or provider.centre_id != centre.pk:
        raise ValidationError({"provider": _("The provider must be an actor of this centre.")})
    return _write_offer(offer or Offer(centre=centre), title, description, data, by=acting)


def _write_offer(
    offer: Offer,
    title: str,
    description: str,
    data: dict[str, Any],
    *,
    status: str = "",
    by: User | None = None,
) -> Offer:
    """Check and save an offer and its German text (the caller checked the permission)."""
    unknown = set(data) - set(OFFER_FIELDS)
    if unknown:
        raise TypeError(f"unknown offer fields: {sorted(unknown)}")
    low, high = data.get("min_age"), data.get("max_age")
    if low is not None and high is not None and high < low:
        raise ValidationError({"max_age": _("The maximum age lies below the minimum age.")})
    statuses = data.get("residence_statuses", [])
    if any(s not in Offer.ResidenceStatus.values for s in statuses):
        raise ValidationError({"residence_statuses": _("Unknown residence status.")})
    if "rubric" in data:
        check_rubric(
            offer,
            data["rubric"],
            data.get("field_of_action") or offer.field_of_action,
        )
    elif "field_of_action" in data and offer.rubric_id is not None:
        check_rubric(offer, offer.rubric, data["field_of_action"])
    for name, value in data.items():
        setattr(offer, name, value)
    new = offer.pk is None
    before = "" if new else offer.status
    if status:
        offer.status = status
    title, description = title.strip(), description.strip()
    german = offer.texts.filter(language="de").first() if offer.pk else None
    if german is not None and (german.title, german.description) != (title, description):
        offer.revision += 1
    offer.full_clean()
    offer.save()
    if new or offer.status != before:
        _record_status(offer, before, by)
    german = german or OfferText(offer=offer, language="de")
    german.title, german.description = title, description
    german.source_revision = offer.revision
    german.full_clean()
    german.save()
    return offer


@records_actor
@transaction.atomic
def save_translation(
    acting: User, offer: Offer, *, language: str, title: str, description: str
) -> OfferText:
    """Save the text of ``offer`` in another language, made from its current German text."""
    ensure_allowed(acting, "offers.change_offer", offer)
    if language == "de" or language not in dict(CONTENT_LANGUAGES):
        raise ValidationError({"language": _("Choose a language other than German.")})
    text = offer.texts.filter(language=language).first() or OfferText(
        offer=offer, language=language
    )
    text.title, text.description = title.strip(), description.strip()
    text.source_revision = offer.revision
    text.full_clean()
    text.save()
    return text


@records_actor
@transaction.atomic
def add_location(acting: User, offer: Offer, **data: Any) -> OfferLocation:
    """Add a place; it must lie in the centre's area."""
    ensure_allowed(acting, "offers.change_offer", offer)
    town = data.get("municipality")
    if town is None or not offer.centre.municipalities().filter(pk=town.pk).exists():
        raise ValidationError({"municipality": _("This Gemeinde lies outside the centre's area.")})
    if data.get("latitude") is None and data.get("longitude") is None and town.latitude is not None:
        data["latitude"], data["longitude"] = town.latitude, town.longitude
    location = OfferLocation(offer=offer, **data)
    location.full_clean()
    location.save()
    return location


@records_actor
@transaction.atomic
def remove_location(acting: User, location: OfferLocation) -> None:
    ensure_allowed(acting, "offers.change_offer", location.offer)
    location.delete()


@records_actor
@transaction.atomic
def add_opening_hours(acting: User, offer: Offer, **data: Any) -> OpeningHours:
    """Add a weekly time slot."""
    ensure_allowed(acting, "offers.change_offer", offer)
    location = data.get("location")
    if location is not None and location.offer_id != offer.pk:
        raise ValidationError({"location": _("Choose one of the offer's places.")})
    if data["closes_at"] <= data["opens_at"]:
        raise ValidationError({"closes_at": _("The end lies before the start.")})
    hours = OpeningHours(offer=offer, **data)
    hours.full_clean()
    hours.save()
    return hours


@records_actor
@transaction.atomic
def remove_opening_hours(acting: User, hours: OpeningHours) -> None:
    ensure_allowed(acting, "offers.change_offer", hours.offer)
    hours.delete()


@records_actor
@transaction.atomic
def change_status(acting: User, offer: Offer, *, to: str) -> Offer:
    """Move an offer through draft → in review → published → archived.

    Publishing needs the German text and at least one place, so that the public directory
    never shows an offer nobody can find.
    """
    if to not in Offer.Status.values:
        raise ValidationError(_("Unknown status."))
    perm = TRANSITIONS.get((offer.status, to))
    if perm is None:
        raise ValidationError(
            _("An offer that is “%(now)s” cannot become “%(to)s”.")
            % {"now": offer.get_status_display(), "to": Offer.Status(to).label}
        )
    ensure_allowed(acting, perm, offer)
    if to == Offer.Status.PUBLISHED:
        if not offer.texts.filter(language="de").exists():
            raise ValidationError(_("The offer needs a German title and description."))
        if not offer.locations.exists():
            raise ValidationError(_("The offer needs at least one place."))
        offer.last_verified = timezone.localdate()
    before = offer.status
    offer.status = to
    offer.save()
    _record_status(offer, before, acting)
    return offer


def _record_status(offer: Offer, before: str, by: User | None) -> None:
    """Keep the step in the offer's status history (like a case's phase changes)."""
    OfferStatusChange.objects.create(offer=offer, from_status=before, to_status=offer.status, by=by)


def check_rubric(offer: Offer, rubric: Rubric | None, field_of_action: str) -> None:
    """Refuse a rubric of another centre, of another field, or an archived one newly chosen."""
    if rubric is None:
        return
    if rubric.centre_id is not None and rubric.centre_id != offer.centre_id:
        raise ValidationError({"rubric": _("This rubric belongs to another centre.")})
    if rubric.field_of_action != field_of_action:
        raise ValidationError(
            {
                "rubric": _(
                    "The rubric “%(rubric)s” belongs to the field of action “%(its)s”; "
                    "choose a rubric of “%(field)s”."
                )
                % {
                    "rubric": rubric.name,
                    "its": rubric.get_field_of_action_display(),
                    "field": FieldOfAction(field_of_action).label
                    if field_of_action in FieldOfAction.values
                    else field_of_action,
                }
            }
        )
    if rubric.is_archived and rubric.pk != offer.rubric_id:
        raise ValidationError(
            {"rubric": _("The rubric “%(rubric)s” is archived.") % {"rubric": rubric.name}}
        )


@records_actor
@transaction.atomic
def confirm_offer(acting: User, offer: Offer) -> Offer:
    """Record that the offer was checked and is still correct today."""
    ensure_allowed(acting, "offers.change_offer", offer)
    offer.last_verified = timezone.localdate()
    offer.save()
    return offer


@records_actor
@transaction.atomic
def decide_duplicate(
    acting: User, first: Offer, second: Offer, *, verdict: str, score: float, note: str = ""
) -> DuplicateDecision:
    """Keep the decision on a pair of similar offers (a later decision replaces it)."""
    ensure_allowed(acting, "offers.change_offer", first)
    ensure_allowed(acting, "offers.change_offer", second)
    if first.centre_id != second.centre_id:
        raise ValidationError(_("Only offers of the same centre can be compared."))
    if verdict not in DuplicateDecision.Verdict.values:
        raise ValidationError(_("Unknown decision."))
    if first.pk > second.pk:
        first, second = second, first
    decision, _created = DuplicateDecision.objects.update_or_create(
        first=first,
        second=second,
        defaults={
            "centre": first.centre,
            "verdict": verdict,
            "score": score,
            "note": note,
            "decided_by": acting,
            "decided": timezone.now(),
        },
    )
    return decision


@records_actor
@transaction.atomic
def save_population(
    acting: User, centre: Centre, *, year: int, figures: dict[Any, tuple[int | None, int | None]]
) -> int:
    """Store residents (and those with a migration history) per Gemeinde for ``year``."""
    ensure_allowed(acting, "offers.change_offer", InCentre(centre))
    allowed = {town.pk: town for town in centre.municipalities()}
    changed = 0
    for town, (residents, migration) in figures.items():
        if town.pk not in allowed:
            raise ValidationError(_("This Gemeinde lies outside the centre's area."))
        if residents is not None and migration is not None and migration > residents:
            raise ValidationError(
                _("%(town)s: more residents with a migration history than residents.")
                % {"town": town}
            )
        figure, _new = PopulationFigure.objects.get_or_create(
            centre=centre, municipality=town, year=year
        )
        if (figure.residents, figure.with_migration_history) != (residents, migration):
            figure.residents, figure.with_migration_history = residents, migration
            figure.save()
            changed += 1
    return changed


def partner_offers(user: User) -> Any:
    """Return the offers whose provider is the partner organisation ``user`` works for."""
    organisations = [m.organisation_id for m in user.active_memberships() if m.organisation_id]
    return Offer.objects.filter(provider__organisation_id__in=organisations)


@records_actor
@transaction.atomic
def save_partner_offer(
    acting: User,
    provider: Any,
    *,
    offer: Offer | None = None,
    title: str,
    description: str,
    **data: Any,
) -> Offer:
    """A partner creates or changes one of its offers; it goes (back) to review.

    Nothing a partner writes reaches the public directory before the centre has looked at it:
    a changed published offer leaves the directory until the centre publishes it again.
    """
    ensure_allowed(acting, "offers.propose_offer", offer or Offer(provider=provider))
    if offer is not None and offer.provider_id != provider.pk:
        raise ValidationError(_("This is not an offer of your organisation."))
    data["provider"] = provider
    return _write_offer(
        offer or Offer(centre=provider.centre),
        title,
        description,
        data,
        status=Offer.Status.REVIEW,
        by=acting,
    )


# --- Rubrics and the centre's offer settings ----------------------------------------------


def rubric_choices(centre: Centre, *, keep: Rubric | None = None) -> Any:
    """Return the rubrics an offer of ``centre`` may get: defaults and its own, not archived.

    ``keep`` (the offer's current rubric) stays a choice even when it was archived since.
    """
    rubrics = Rubric.objects.for_centre(centre)
    condition = Q(is_archived=False)
    if keep is not None:
        condition |= Q(pk=keep.pk)
    return rubrics.filter(condition)


def ship_default_rubrics(model: Any = Rubric, using: str = "default") -> int:
    """Create the default rubrics that are missing (after ``migrate`` and after a ``flush``).

    The data migration ships them too; this brings them back where a test run's flush or a
    restore emptied the table. A default that exists is left as it is. ``model`` is the Rubric
    of the migration state a ``post_migrate`` signal passes.
    """
    rubrics = model._default_manager.using(using)
    have = set(rubrics.filter(centre__isnull=True).values_list("key", flat=True))
    missing = [
        model(centre=None, field_of_action=field, name=name, position=position, key=key)
        for field, defaults in DEFAULT_RUBRICS.items()
        for position, (key, name) in enumerate(defaults, start=1)
        if key not in have
    ]
    rubrics.bulk_create(missing)
    return len(missing)


def rubric_key(name: str) -> str:
    """Return ``name`` as rubrics are matched by name: spaces and case ignored."""
    return " ".join(name.split()).casefold()


def rubrics_by_name(centre: Centre) -> dict[tuple[str, str], Rubric]:
    """Return the rubrics ``centre`` may choose by (field of action, :func:`rubric_key`)."""
    return {(r.field_of_action, rubric_key(r.name)): r for r in rubric_choices(centre)}


def find_rubric(centre: Centre, field_of_action: str, name: str) -> Rubric | None:
    """Return the active rubric of ``field_of_action`` called ``name`` (case ignored)."""
    return rubrics_by_name(centre).get((field_of_action, rubric_key(name)))


def _check_rubric_name(centre: Centre, field_of_action: str, name: str, *, pk: int | None) -> str:
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": _("The name is missing.")})
    if len(name) > 120:
        raise ValidationError({"name": _("The name is too long (at most 120 characters).")})
    same = [
        rubric
        for rubric in Rubric.objects.for_centre(centre).filter(field_of_action=field_of_action)
        if rubric.pk != pk and rubric.name.casefold() == name.casefold()
    ]
    if same:
        raise ValidationError(
            {"name": _("This field of action has a rubric “%(name)s”.") % {"name": same[0].name}}
        )
    return name


@records_actor
@transaction.atomic
def add_rubric(acting: User, centre: Centre, *, field_of_action: str, name: str) -> Rubric:
    """Add a rubric of the centre's own to a field of action (after the defaults)."""
    ensure_allowed(acting, "offers.change_rubric", InCentre(centre))
    if field_of_action not in FieldOfAction.values:
        raise ValidationError({"field_of_action": _("Unknown field of action.")})
    name = _check_rubric_name(centre, field_of_action, name, pk=None)
    last = (
        Rubric.objects.for_centre(centre)
        .filter(field_of_action=field_of_action)
        .order_by("-position")
        .values_list("position", flat=True)
        .first()
    )
    rubric = Rubric(
        centre=centre, field_of_action=field_of_action, name=name, position=(last or 0) + 1
    )
    rubric.full_clean()
    rubric.save()
    return rubric


@records_actor
@transaction.atomic
def rename_rubric(acting: User, rubric: Rubric, *, name: str) -> Rubric:
    """Rename one of the centre's own rubrics; the defaults are read-only."""
    ensure_allowed(acting, "offers.change_rubric", rubric)
    rubric.name = _check_rubric_name(rubric.centre, rubric.field_of_action, name, pk=rubric.pk)
    rubric.full_clean()
    rubric.save()
    return rubric


@records_actor
@transaction.atomic
def archive_rubric(acting: User, rubric: Rubric, *, archived: bool = True) -> Rubric:
    """Archive (or bring back) an own rubric: offers keep it, new offers cannot choose it."""
    ensure_allowed(acting, "offers.change_rubric", rubric)
    rubric.is_archived = archived
    rubric.save()
    return rubric


def settings_for(centre: Centre) -> OfferSettings:
    """Return the offer settings of ``centre`` (unsaved defaults if it has none yet)."""
    found = OfferSettings.objects.with_scopes_disabled().filter(centre=centre).first()
    return found or OfferSettings(centre=centre)


@records_actor
@transaction.atomic
def save_offer_settings(acting: User, centre: Centre, *, stale_months: int | None) -> OfferSettings:
    """Change the centre's offer settings: after how many months an offer is due for checking."""
    settings = settings_for(centre)
    ensure_allowed(acting, "offers.change_settings", settings)
    settings.stale_months = stale_months
    settings.full_clean()
    settings.save()
    return settings
