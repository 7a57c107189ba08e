"""Seiteneinsteigerberatung: schools with places for newcomers, the pupils, and their placement.

BASS 13-63 Nr. 3 and SchulG NRW (DOMAIN.md): Schulpflicht starts with the registration in a
Gemeinde; counselling assesses the school career; the Schulamt (primary, Sek I) or the
Bezirksregierung (Sek II, Berufskolleg) assigns the place. Waiting time is the key figure.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from teilhabe.core.models import Centre, Coordinates, Municipality
from teilhabe.core.roles import CENTRE_STAFF, Role
from teilhabe.core.tenancy import TenantPolicy, tenant_manager

#: Who sees newcomer pupils (DESIGN.md: newcomer pupils of their centre).
PUPIL_ROLES = frozenset({Role.NEWCOMER_COUNSELLOR})


class SchoolForm(models.TextChoices):
    PRIMARY = "grundschule", _("Grundschule")
    HAUPTSCHULE = "hauptschule", _("Hauptschule")
    REALSCHULE = "realschule", _("Realschule")
    SEKUNDARSCHULE = "sekundarschule", _("Sekundarschule")
    GESAMTSCHULE = "gesamtschule", _("Gesamtschule")
    GYMNASIUM = "gymnasium", _("Gymnasium")
    FOERDERSCHULE = "foerderschule", _("Förderschule")
    BERUFSKOLLEG = "berufskolleg", _("Berufskolleg")


class Stage(models.TextChoices):
    """School stages by age band (DOMAIN.md: Primar 6–10, Sek I 10–16, Sek II 16–18)."""

    PRIMARY = "primary", _("primary (grades 1–4)")
    SECONDARY_1 = "sek1", _("lower secondary (grades 5–10)")
    SECONDARY_2 = "sek2", _("upper secondary (from grade 11)")
    IFK = "ifk", _("international support class (IFK, Berufskolleg)")


class InitialSupport(models.TextChoices):
    """Forms of Erstförderung at the receiving school."""

    INTEGRATED = "integrated", _("regular class with extra German")
    PARTLY = "partly", _("partly integrated")
    SEPARATE = "separate", _("separate German class")
    IFK = "ifk", _("international support class (IFK)")


#: The stages each school form can teach.
FORM_STAGES = {
    SchoolForm.PRIMARY: {Stage.PRIMARY},
    SchoolForm.HAUPTSCHULE: {Stage.SECONDARY_1},
    SchoolForm.REALSCHULE: {Stage.SECONDARY_1},
    SchoolForm.SEKUNDARSCHULE: {Stage.SECONDARY_1},
    SchoolForm.GESAMTSCHULE: {Stage.SECONDARY_1, Stage.SECONDARY_2},
    SchoolForm.GYMNASIUM: {Stage.SECONDARY_1, Stage.SECONDARY_2},
    SchoolForm.FOERDERSCHULE: {Stage.PRIMARY, Stage.SECONDARY_1},
    SchoolForm.BERUFSKOLLEG: {Stage.IFK, Stage.SECONDARY_2},
}


def school_year_of(day: datetime.date) -> int:
    """Return the school year a day falls in, as its starting year (1 August – 31 July)."""
    return day.year if day.month >= 8 else day.year - 1


class School(Coordinates):
    """A school that takes newcomer pupils; its actor holds it in the network."""

    tenant_policy = TenantPolicy(roles=CENTRE_STAFF)

    centre = models.ForeignKey(Centre, on_delete=models.PROTECT, related_name="schools")
    actor = models.OneToOneField(
        "network.Actor",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="school",
        verbose_name=_("actor in the network"),
    )
    number = models.CharField(_("official school number"), max_length=6)
    name = models.CharField(_("name"), max_length=200)
    form = models.CharField(_("school form"), max_length=16, choices=SchoolForm.choices)
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="+", verbose_name=_("Gemeinde")
    )
    street = models.CharField(_("street and number"), max_length=200, blank=True)
    postcode = models.CharField(_("postcode"), max_length=5, blank=True)
    lowest_grade = models.PositiveSmallIntegerField(_("lowest grade"), default=1)
    highest_grade = models.PositiveSmallIntegerField(_("highest grade"), default=4)
    initial_support = models.JSONField(_("forms of initial German support"), default=list)
    email = models.EmailField(_("e-mail"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    objects = tenant_manager()

    class Meta:
        verbose_name = _("school")
        verbose_name_plural = _("schools")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["centre", "number"], name="school_unique_number"),
        ]

    def __str__(self) -> str:
        return self.name

    def stages(self) -> set[str]:
        return set(FORM_STAGES.get(self.form, set()))


class Capacity(models.Model):
    """Places for newcomer pupils at a school, per school year and stage."""

    tenant_policy = TenantPolicy(centre_path="school__centre", roles=CENTRE_STAFF)

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="capacities")
    school_year = models.PositiveSmallIntegerField(_("school year (starting year)"))
    stage = models.CharField(_("stage"), max_length=8, choices=Stage.choices)
    places = models.PositiveSmallIntegerField(_("places for newcomer pupils"))
    updated = models.DateTimeField(_("last changed"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    objects = tenant_manager("school__centre")

    class Meta:
        verbose_name = _("capacity")
        verbose_name_plural = _("capacities")
        ordering = ["school__name", "stage"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "school_year", "stage"], name="capacity_unique_band"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.school} {self.school_year}/{self.school_year + 1} {self.stage}"


class Pupil(Coordinates):
    """A newly arrived pupil (Seiteneinsteiger/in), from the first report to a school place.

    Coordinates are the home's (at least the Gemeinde's), for the travel distance.
    """

    tenant_policy = TenantPolicy(roles=PUPIL_ROLES)

    class Status(models.TextChoices):
        REPORTED = "reported", _("reported")
        INVITED = "invited", _("invited")
        COUNSELLED = "counselled", _("counselled")
        PROPOSED = "proposed", _("proposed")
        PLACED = "placed", _("placed")
        STARTED = "started", _("started school")
        MOVED_AWAY = "moved_away", _("moved away")
        OTHER = "other", _("ended for another reason")

    #: Pupils who still wait for a school place.
    WAITING = frozenset({Status.REPORTED, Status.INVITED, Status.COUNSELLED, Status.PROPOSED})
    ENDED = frozenset({Status.MOVED_AWAY, Status.OTHER})

    class Sex(models.TextChoices):
        FEMALE = "female", _("female")
        MALE = "male", _("male")
        DIVERSE = "diverse", _("diverse")
        UNSTATED = "unstated", _("not stated")

    centre = models.ForeignKey(Centre, on_delete=models.PROTECT, related_name="pupils")
    #: Key of the registration office's report, so an import run twice adds nothing.
    report_key = models.CharField(_("report number"), max_length=40, blank=True)
    last_name = models.CharField(_("last name"), max_length=120)
    first_name = models.CharField(_("first name"), max_length=120)
    birth_date = models.DateField(_("date of birth"))
    sex = models.CharField(_("sex"), max_length=10, choices=Sex.choices, blank=True)
    nationality = CountryField(_("nationality"), blank=True)
    country_of_origin = CountryField(_("country of origin"), blank=True)
    arrival_date = models.DateField(_("arrival in Germany"), null=True, blank=True)
    registration_date = models.DateField(
        _("registration in the Gemeinde"),
        help_text=_("Schulpflicht starts here (asylum seekers: assignment to the Gemeinde)."),
    )
    street = models.CharField(_("street and number"), max_length=200, blank=True)
    postcode = models.CharField(_("postcode"), max_length=5, blank=True)
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="+", verbose_name=_("Gemeinde")
    )
    family_languages = models.CharField(_("family languages"), max_length=200, blank=True)
    schooling_languages = models.CharField(_("languages of schooling"), max_length=200, blank=True)
    years_of_schooling = models.PositiveSmallIntegerField(
        _("years of schooling"), null=True, blank=True
    )
    last_grade = models.PositiveSmallIntegerField(_("last grade attended"), null=True, blank=True)
    latin_literacy = models.BooleanField(_("reads and writes Latin script"), null=True, blank=True)
    certificates = models.TextField(_("certificates"), blank=True)
    special_needs = models.TextField(_("special needs"), blank=True)
    interpreter_language = models.CharField(_("interpreter needed for"), max_length=60, blank=True)
    siblings = models.ManyToManyField("self", blank=True, verbose_name=_("siblings"))
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.REPORTED
    )
    status_note = models.CharField(_("reason"), max_length=200, blank=True)
    #: The day the record ended (moved away, other reason): waiting stops, retention starts.
    ended_on = models.DateField(_("ended on"), null=True, blank=True, editable=False)
    # The counselling's result.
    recommended_stage = models.CharField(
        _("recommended stage"), max_length=8, choices=Stage.choices, blank=True
    )
    recommended_forms = models.JSONField(_("recommended school forms"), default=list, blank=True)
    proposed_grade = models.PositiveSmallIntegerField(_("proposed grade"), null=True, blank=True)
    initial_support = models.CharField(
        _("initial German support"), max_length=12, choices=InitialSupport.choices, blank=True
    )
    preferred_school = models.ForeignKey(
        School,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("school the parents prefer"),
    )
    # The place.
    school = models.ForeignKey(
        School,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="pupils",
        verbose_name=_("school"),
    )
    placed_on = models.DateField(_("placed on"), null=True, blank=True)
    school_start = models.DateField(_("first day at school"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    created = models.DateTimeField(_("created"), default=timezone.now)
    updated = models.DateTimeField(_("last changed"), auto_now=True)

    objects = tenant_manager()

    class Meta:
        verbose_name = _("newcomer pupil")
        verbose_name_plural = _("newcomer pupils")
        ordering = ["registration_date", "pk"]
        indexes = [
            models.Index(fields=["centre", "status"], name="pupil_centre_status"),
            models.Index(fields=["centre", "report_key"], name="pupil_centre_report_key"),
        ]

    def __str__(self) -> str:
        return f"{self.last_name}, {self.first_name}"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def is_waiting(self) -> bool:
        return self.status in self.WAITING

    def days_waiting(self, today: datetime.date | None = None) -> int | None:
        """Days from the registration (start of Schulpflicht) to the first school day, or today."""
        end = self.school_start or (today or timezone.localdate())
        if self.status in self.ENDED and not self.school_start:
            return None
        return max((end - self.registration_date).days, 0)


class Guardian(models.Model):
    """A parent or guardian of a pupil, with the language letters are written in."""

    tenant_policy = TenantPolicy(centre_path="pupil__centre", roles=PUPIL_ROLES)

    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="guardians")
    name = models.CharField(_("name"), max_length=200)
    relation = models.CharField(_("relation"), max_length=60, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    language = models.CharField(
        _("language for letters"), max_length=8, default="de", help_text=_("e.g. de, en, ar, uk")
    )

    objects = tenant_manager("pupil__centre")

    class Meta:
        verbose_name = _("guardian")
        verbose_name_plural = _("guardians")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name


class LetterTemplate(models.Model):
    """A letter to parents in one language; the centre keeps the texts (data, not gettext)."""

    tenant_policy = TenantPolicy(roles=PUPIL_ROLES | {Role.ADMINISTRATION, Role.LEADERSHIP})

    class Kind(models.TextChoices):
        COMPULSORY_SCHOOLING = "compulsory", _("information on compulsory schooling")
        PLACEMENT = "placement", _("placement letter")

    centre = models.ForeignKey(Centre, on_delete=models.CASCADE, related_name="letter_templates")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    language = models.CharField(_("language"), max_length=8)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(
        _("text"),
        help_text=_(
            "Placeholders: {child}, {birth_date}, {school}, {school_address}, {start}, {centre}."
        ),
    )

    objects = tenant_manager()

    class Meta:
        verbose_name = _("letter template")
        verbose_name_plural = _("letter templates")
        ordering = ["kind", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["centre", "kind", "language"], name="letter_unique_language"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.language})"


class Letter(models.Model):
    """A letter that was produced for a pupil's parents (when, what, in which language)."""

    tenant_policy = TenantPolicy(centre_path="pupil__centre", roles=PUPIL_ROLES)

    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="letters")
    kind = models.CharField(_("kind"), max_length=12, choices=LetterTemplate.Kind.choices)
    language = models.CharField(_("language"), max_length=8)
    produced_on = models.DateField(_("date"), default=timezone.localdate)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    objects = tenant_manager("pupil__centre")

    class Meta:
        verbose_name = _("letter")
        verbose_name_plural = _("letters")
        ordering = ["-produced_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.produced_on}"


class Counselling(models.Model):
    """A counselling appointment and what the assessment found."""

    tenant_policy = TenantPolicy(centre_path="pupil__centre", roles=PUPIL_ROLES)

    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="counsellings")
    starts = models.DateTimeField(_("appointment"))
    interpreter_language = models.CharField(_("interpreter for"), max_length=60, blank=True)
    held = models.BooleanField(_("held"), default=False)
    biography = models.TextField(_("educational biography"), blank=True)
    german = models.CharField(_("German"), max_length=200, blank=True)
    maths = models.CharField(_("maths"), max_length=200, blank=True)
    competences = models.TextField(_("competences and interests"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    objects = tenant_manager("pupil__centre")

    class Meta:
        verbose_name = _("counselling")
        verbose_name_plural = _("counsellings")
        ordering = ["-starts"]

    def __str__(self) -> str:
        return f"{self.pupil} {self.starts:%d.%m.%Y}"


class Proposal(models.Model):
    """A run of the placement optimiser: its proposal, reviewed pupil by pupil."""

    tenant_policy = TenantPolicy(roles=PUPIL_ROLES)

    centre = models.ForeignKey(Centre, on_delete=models.PROTECT, related_name="+")
    school_year = models.PositiveSmallIntegerField(_("school year"))
    created = models.DateTimeField(_("created"), default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    status = models.CharField(_("solver status"), max_length=20)
    objective = models.FloatField(_("objective"), null=True)
    solve_seconds = models.FloatField(_("solving time (s)"), default=0)

    objects = tenant_manager()

    class Meta:
        verbose_name = _("placement proposal")
        verbose_name_plural = _("placement proposals")
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.created:%d.%m.%Y %H:%M}"


class ProposalItem(models.Model):
    """The proposed school for one pupil (or why there is none), and the staff's decision."""

    tenant_policy = TenantPolicy(centre_path="proposal__centre", roles=PUPIL_ROLES)

    class Decision(models.TextChoices):
        OPEN = "open", _("open")
        ACCEPTED = "accepted", _("accepted")
        OVERRIDDEN = "overridden", _("other school chosen")
        REJECTED = "rejected", _("rejected")

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="items")
    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="proposal_items")
    school = models.ForeignKey(
        School, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    distance_km = models.FloatField(_("distance (km)"), null=True)
    reason = models.CharField(_("why no place"), max_length=200, blank=True)
    decision = models.CharField(
        _("decision"), max_length=12, choices=Decision.choices, default=Decision.OPEN
    )
    chosen_school = models.ForeignKey(
        School,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("school chosen instead"),
    )
    override_reason = models.CharField(_("reason"), max_length=200, blank=True)

    objects = tenant_manager("proposal__centre")

    class Meta:
        verbose_name = _("proposed placement")
        verbose_name_plural = _("proposed placements")
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.pupil} → {self.school or '–'}"
