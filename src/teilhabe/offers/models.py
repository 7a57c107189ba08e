"""The directory of integration offers: what is offered, by whom, where, when, for whom."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from teilhabe.core.models import Centre, Coordinates, Municipality
from teilhabe.core.roles import CENTRE_STAFF
from teilhabe.core.tenancy import (
    AuditedTenantQuerySet,
    TenantPolicy,
    TenantQuerySet,
    tenant_manager,
)
from teilhabe.network.models import Actor, FieldOfAction

#: Languages an offer's texts can be written in (German is required).
CONTENT_LANGUAGES = [
    ("de", "Deutsch"),
    ("en", "English"),
    ("ar", "العربية"),
    ("uk", "Українська"),
    ("tr", "Türkçe"),
    ("ru", "Русский"),
    ("fa", "فارسی"),
]
RTL_LANGUAGES = {"ar", "fa"}


def stale_months(centre: Centre | int | None = None) -> int:
    """Return after how many months ``centre`` flags an offer nobody confirmed.

    A centre's own period (:class:`OfferSettings`) wins; without one the deployment's
    ``TEILHABE_OFFER_STALE_MONTHS`` applies.
    """
    from django.conf import settings

    if centre is not None:
        centre_id = centre if isinstance(centre, int) else centre.pk
        own = (
            OfferSettings.objects.with_scopes_disabled()  # a number, read for any centre
            .filter(centre_id=centre_id)
            .values_list("stale_months", flat=True)
            .first()
        )
        if own:
            return own
    return settings.OFFER_STALE_MONTHS


def stale_before(today: date | None = None, *, centre: Centre | int | None = None) -> date:
    """Return the day before which a last confirmation counts as stale (in ``centre``)."""
    today = today or timezone.localdate()
    return today - timedelta(days=round(stale_months(centre) * 30.44))


def stale_before_by_centre(centre_ids: list[int], today: date | None = None) -> dict[int, date]:
    """Return the stale cut-off day of each centre in ``centre_ids`` (two queries at most)."""
    from django.conf import settings

    today = today or timezone.localdate()
    own = dict(
        OfferSettings.objects.with_scopes_disabled()
        .filter(centre_id__in=centre_ids, stale_months__isnull=False)
        .values_list("centre_id", "stale_months")
    )
    return {
        pk: today - timedelta(days=round((own.get(pk) or settings.OFFER_STALE_MONTHS) * 30.44))
        for pk in centre_ids
    }


class OfferSettings(models.Model):
    """What a centre decides for its offers directory (falls back to the deployment's settings)."""

    tenant_policy = TenantPolicy(roles=CENTRE_STAFF)

    centre = models.OneToOneField(Centre, on_delete=models.CASCADE, related_name="offer_settings")
    stale_months = models.PositiveSmallIntegerField(
        _("months until an offer is due for checking"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text=_(
            "An offer nobody confirmed as correct for this many months is flagged. "
            "Empty: the default of this installation."
        ),
    )

    objects = tenant_manager()

    class Meta:
        verbose_name = _("offer settings")
        verbose_name_plural = _("offer settings")

    def __str__(self) -> str:
        return str(self.centre)


#: The default taxonomy of rubrics (DOMAIN.md: the LaKI tallies the centres' priorities by
#: rubric; 9 for Querschnitt, 9 for Bildung). Rubric names are data, in German, like the
#: letter templates. The rubrics of "Zuwanderung und Flucht" are our assumption, built from
#: the domain text. Keys are stable: figures count by key, and names may be corrected later.
#: The data migration 0006 ships a copy of this list.
DEFAULT_RUBRICS: dict[str, list[tuple[str, str]]] = {
    "cross_cutting": [
        ("intercultural_opening", "Interkulturelle Öffnung der Verwaltung / Willkommenskultur"),
        ("health_seniors", "Gesundheit, Pflege und ältere Menschen"),
        ("sport", "Sport"),
        ("culture", "Kultur"),
        ("volunteering", "Bürgerschaftliches Engagement / Ehrenamt"),
        ("participation", "Partizipation / Migrantenorganisationen"),
        ("work_training", "Arbeit und Ausbildung"),
        ("anti_discrimination", "Antidiskriminierung / Antirassismus"),
        ("eu_immigration", "EU-Zuwanderung"),
    ],
    "education": [
        ("early_childhood", "Frühkindliche Bildung / Kita"),
        ("language_education", "Durchgängige Sprachbildung gesamte Bildungskette"),
        ("newcomer_pupils", "Neu zugewanderte Schülerinnen und Schüler / Seiteneinstieg"),
        ("parents", "Elternbeteiligung"),
        ("school_development", "Schulentwicklung / Interkulturelle Schule"),
        ("school_to_work", "Übergang Schule – Beruf"),
        ("youth_work", "Außerschulische Jugendarbeit"),
        ("adult_education", "Erwachsenenbildung"),
        ("multilingualism", "Mehrsprachigkeit / Herkunftssprachlicher Unterricht"),
    ],
    "migration": [
        ("volunteer_coordination", "Koordination des Ehrenamts in der Flüchtlingshilfe"),
        ("interpreting", "Sprachmittlung / Dolmetscherpool"),
        ("young_adults", "Junge Volljährige: Durchstarten in Ausbildung und Arbeit"),
        ("arrival_counselling", "Ankommen, Beratung und Orientierung"),
        ("german_courses", "Deutschkurse und Sprachförderung"),
        ("housing", "Wohnen und Unterbringung"),
    ],
}


class RubricQuerySet(TenantQuerySet):
    """Rubrics: the default taxonomy (no centre) is shared; a centre's own are its own."""

    def for_centre(self, centre: Any) -> RubricQuerySet:
        """Return the defaults and the rubrics ``centre`` added."""
        return self.filter(models.Q(centre__isnull=True) | models.Q(centre=centre))

    def visible_to(self, user: Any) -> RubricQuerySet:
        """Return the defaults and the own rubrics of the user's centres (staff and partners)."""
        if not user.is_authenticated:
            return self.none()
        centres = [m.centre_id for m in user.active_memberships() if m.centre_id is not None]
        return self.filter(models.Q(centre__isnull=True) | models.Q(centre_id__in=centres))

    def active(self) -> RubricQuerySet:
        return self.filter(is_archived=False)

    def defaults(self) -> RubricQuerySet:
        return self.filter(centre__isnull=True)


class Rubric(models.Model):
    """A rubric (Rubrik) within a field of action: the default taxonomy or a centre's own.

    The defaults (``centre`` empty) are shipped for every centre and are read-only; a centre
    adds, renames and archives its own. Not scoped by django-scopes: the shared defaults must be
    readable in every centre's scope, and nothing in a rubric is confidential.
    """

    tenant_policy = TenantPolicy(roles=CENTRE_STAFF)

    centre = models.ForeignKey(
        Centre, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    field_of_action = models.CharField(
        _("field of action"), max_length=20, choices=FieldOfAction.choices
    )
    name = models.CharField(_("name"), max_length=120)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    #: The stable key of a default rubric (empty for a centre's own).
    key = models.SlugField(_("key"), max_length=40, blank=True)
    is_archived = models.BooleanField(_("archived"), default=False)

    objects = models.Manager.from_queryset(RubricQuerySet)()

    class Meta:
        verbose_name = _("rubric")
        verbose_name_plural = _("rubrics")
        ordering = ["field_of_action", "position", "name"]
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                "field_of_action",
                name="rubric_default_unique_name",
                condition=models.Q(centre__isnull=True),
                violation_error_message=_("This field of action has a rubric of this name."),
            ),
            models.UniqueConstraint(
                Lower("name"),
                "field_of_action",
                "centre",
                name="rubric_own_unique_name",
                condition=models.Q(centre__isnull=False),
                violation_error_message=_("This field of action has a rubric of this name."),
            ),
            models.UniqueConstraint(
                fields=["key"], name="rubric_unique_key", condition=~models.Q(key="")
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_default(self) -> bool:
        return self.centre_id is None


class OfferQuerySet(AuditedTenantQuerySet):
    def published(self, today: date | None = None) -> OfferQuerySet:
        """Return offers the public may see today."""
        today = today or timezone.localdate()
        return self.filter(status=Offer.Status.PUBLISHED).exclude(valid_to__lt=today)


class Offer(models.Model):
    """An integration offer (Angebot) of a provider in the centre's area."""

    tenant_policy = TenantPolicy(roles=CENTRE_STAFF)

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        REVIEW = "review", _("in review")
        PUBLISHED = "published", _("published")
        ARCHIVED = "archived", _("archived")

    class Availability(models.TextChoices):
        AVAILABLE = "available", _("places available")
        LIMITED = "limited", _("few places left")
        WAITING_LIST = "waiting_list", _("waiting list")
        FULL = "full", _("full")

    class ResidenceStatus(models.TextChoices):
        """Residence statuses an offer may be limited to (empty: open to everyone)."""

        ASYLUM_SEEKER = "asylum_seeker", _("asylum seekers (Aufenthaltsgestattung)")
        TOLERATED = "tolerated", _("tolerated (Duldung)")
        PROTECTION = "protection", _("recognised refugees and protection holders")
        TEMPORARY_PROTECTION = "temporary_protection", _("temporary protection (§ 24 AufenthG)")
        RESIDENCE_PERMIT = "residence_permit", _("other residence permits")
        EU_CITIZEN = "eu_citizen", _("EU citizens")
        GERMAN = "german", _("German citizens")

    centre = models.ForeignKey(Centre, on_delete=models.PROTECT, related_name="offers")
    uid = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    provider = models.ForeignKey(
        Actor, on_delete=models.PROTECT, related_name="offers", verbose_name=_("provider")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    field_of_action = models.CharField(
        _("field of action"), max_length=20, choices=FieldOfAction.choices
    )
    rubric = models.ForeignKey(
        Rubric,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="offers",
        verbose_name=_("rubric"),
    )
    min_age = models.PositiveSmallIntegerField(
        _("minimum age"), null=True, blank=True, validators=[MaxValueValidator(120)]
    )
    max_age = models.PositiveSmallIntegerField(
        _("maximum age"), null=True, blank=True, validators=[MaxValueValidator(120)]
    )
    residence_statuses = models.JSONField(
        _("open to residence statuses"),
        default=list,
        blank=True,
        help_text=_("Leave empty if the offer is open to everyone."),
    )
    languages = models.CharField(
        _("languages offered"),
        max_length=200,
        blank=True,
        help_text=_("Languages the offer is held in, comma-separated, e.g. Deutsch, Arabisch."),
    )
    free_of_charge = models.BooleanField(_("free of charge"), default=True)
    fees = models.CharField(_("fees"), max_length=200, blank=True)
    capacity = models.PositiveIntegerField(_("places"), null=True, blank=True)
    availability = models.CharField(
        _("availability"),
        max_length=15,
        choices=Availability.choices,
        default=Availability.AVAILABLE,
    )
    accessible = models.BooleanField(_("step-free access"), default=False)
    accessibility_note = models.CharField(_("accessibility"), max_length=300, blank=True)
    email = models.EmailField(_("contact e-mail"), blank=True)
    phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    url = models.URLField(_("web page"), blank=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid until"), null=True, blank=True)
    last_verified = models.DateField(_("last verified"), default=timezone.localdate)
    #: Raised whenever the German text changes; translations of an older revision are outdated.
    revision = models.PositiveIntegerField(_("text revision"), default=1)
    created = models.DateTimeField(_("created"), default=timezone.now)
    updated = models.DateTimeField(_("last changed"), auto_now=True)

    objects = tenant_manager(queryset=OfferQuerySet)

    class Meta:
        verbose_name = _("offer")
        verbose_name_plural = _("offers")
        ordering = ["-updated"]
        indexes = [models.Index(fields=["centre", "status"], name="offer_centre_status")]
        constraints = [
            models.CheckConstraint(
                name="offer_age_range",
                violation_error_message=_("The maximum age lies below the minimum age."),
                condition=models.Q(min_age__isnull=True)
                | models.Q(max_age__isnull=True)
                | models.Q(max_age__gte=models.F("min_age")),
            )
        ]

    def __str__(self) -> str:
        return self.title()

    def text(self, language: str = "de") -> OfferText | None:
        """Return the text in ``language`` (prefetched ``texts`` are used), else German."""
        texts = {t.language: t for t in self.texts.all()}
        return texts.get(language) or texts.get("de")

    def title(self, language: str = "de") -> str:
        text = self.text(language)
        return text.title if text else str(_("(untitled offer)"))

    def is_stale(self, today: date | None = None) -> bool:
        """Return whether nobody confirmed the offer for its centre's number of months."""
        return self.last_verified < stale_before(today, centre=self.centre_id)

    def translation_status(self) -> dict[str, str]:
        """Return ``current``, ``outdated`` or ``missing`` for every content language."""
        texts = {t.language: t for t in self.texts.all()}
        result = {}
        for code, _name in CONTENT_LANGUAGES:
            text = texts.get(code)
            if text is None:
                result[code] = "missing"
            elif code == "de" or text.source_revision >= self.revision:
                result[code] = "current"
            else:
                result[code] = "outdated"
        return result

    def residence_status_labels(self) -> list[str]:
        labels = dict(self.ResidenceStatus.choices)
        return [str(labels.get(s, s)) for s in self.residence_statuses]

    def language_list(self) -> list[str]:
        return [lang.strip() for lang in self.languages.split(",") if lang.strip()]


class OfferStatusChange(models.Model):
    """A step of an offer from one status to another; figures count the status at month end."""

    tenant_policy = TenantPolicy(centre_path="offer__centre", roles=CENTRE_STAFF)

    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=10, choices=Offer.Status.choices, blank=True)
    to_status = models.CharField(max_length=10, choices=Offer.Status.choices)
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(
        "core.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = tenant_manager("offer__centre")

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["offer", "at"], name="offer_status_change_at")]

    def __str__(self) -> str:
        return f"{self.from_status or '–'} → {self.to_status}"


class OfferText(models.Model):
    """Title and description of an offer in one language."""

    tenant_policy = TenantPolicy(centre_path="offer__centre", roles=CENTRE_STAFF)

    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="texts")
    language = models.CharField(_("language"), max_length=5, choices=CONTENT_LANGUAGES)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"))
    #: The German revision this translation was made from.
    source_revision = models.PositiveIntegerField(_("translated from revision"), default=1)

    objects = tenant_manager("offer__centre")

    class Meta:
        verbose_name = _("offer text")
        verbose_name_plural = _("offer texts")
        constraints = [
            models.UniqueConstraint(fields=["offer", "language"], name="offer_text_unique")
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.language})"


class OfferLocation(Coordinates):
    """A place where an offer takes place."""

    tenant_policy = TenantPolicy(centre_path="offer__centre", roles=CENTRE_STAFF)

    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="locations")
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name of the place"), max_length=200, blank=True)
    street = models.CharField(_("street and number"), max_length=200, blank=True)
    postcode = models.CharField(_("postcode"), max_length=5, blank=True)
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="offer_locations",
        verbose_name=_("Gemeinde"),
    )

    objects = tenant_manager("offer__centre")

    class Meta:
        verbose_name = _("place")
        verbose_name_plural = _("places")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name or f"{self.street}, {self.municipality}"


class OpeningHours(models.Model):
    """A weekly time slot of an offer (at one of its places)."""

    tenant_policy = TenantPolicy(centre_path="offer__centre", roles=CENTRE_STAFF)

    class Weekday(models.IntegerChoices):
        MONDAY = 1, _("Monday")
        TUESDAY = 2, _("Tuesday")
        WEDNESDAY = 3, _("Wednesday")
        THURSDAY = 4, _("Thursday")
        FRIDAY = 5, _("Friday")
        SATURDAY = 6, _("Saturday")
        SUNDAY = 7, _("Sunday")

    #: iCalendar / HSDS day codes by ISO weekday.
    DAY_CODES = {1: "MO", 2: "TU", 3: "WE", 4: "TH", 5: "FR", 6: "SA", 7: "SU"}

    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="opening_hours")
    location = models.ForeignKey(
        OfferLocation,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="opening_hours",
        verbose_name=_("place"),
    )
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    opens_at = models.TimeField(_("opens at"))
    closes_at = models.TimeField(_("closes at"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    objects = tenant_manager("offer__centre")

    class Meta:
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")
        ordering = ["weekday", "opens_at"]
        constraints = [
            models.CheckConstraint(
                name="opening_hours_order",
                condition=models.Q(closes_at__gt=models.F("opens_at")),
                violation_error_message=_("The end lies before the start."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens_at:%H:%M}–{self.closes_at:%H:%M}"


class DuplicateDecision(models.Model):
    """A reviewed pair of similar offers: really duplicate, or complementary after all."""

    tenant_policy = TenantPolicy(roles=CENTRE_STAFF)

    class Verdict(models.TextChoices):
        DUPLICATE = "duplicate", _("really duplicate")
        COMPLEMENTARY = "complementary", _("complementary")

    centre = models.ForeignKey(Centre, on_delete=models.PROTECT, related_name="+")
    first = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="+")
    second = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="+")
    score = models.FloatField(_("similarity"))
    verdict = models.CharField(_("decision"), max_length=15, choices=Verdict.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)
    decided_by = models.ForeignKey(
        "core.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("decided by")
    )
    decided = models.DateTimeField(_("decided on"), default=timezone.now)

    objects = tenant_manager()

    class Meta:
        verbose_name = _("duplicate decision")
        verbose_name_plural = _("duplicate decisions")
        constraints = [
            models.UniqueConstraint(fields=["first", "second"], name="duplicate_pair_unique"),
            models.CheckConstraint(
                name="duplicate_pair_ordered", condition=models.Q(first__lt=models.F("second"))
            ),
        ]

    def __str__(self) -> str:
        return f"{self.first_id}–{self.second_id}: {self.verdict}"


class PopulationFigure(models.Model):
    """Residents of a Gemeinde in a year, as the centre enters them (demand side)."""

    tenant_policy = TenantPolicy(roles=CENTRE_STAFF)

    centre = models.ForeignKey(Centre, on_delete=models.PROTECT, related_name="+")
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="+", verbose_name=_("Gemeinde")
    )
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    residents = models.PositiveIntegerField(_("residents"), null=True, blank=True)
    with_migration_history = models.PositiveIntegerField(
        _("residents with a migration history"), null=True, blank=True
    )

    objects = tenant_manager()

    class Meta:
        verbose_name = _("population figure")
        verbose_name_plural = _("population figures")
        ordering = ["municipality__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["centre", "municipality", "year"], name="population_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.municipality} {self.year}"
