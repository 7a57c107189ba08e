"""Actors of the integration network: authorities, welfare organisations, providers, MSOs …"""

from __future__ import annotations

from datetime import date

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from teilhabe.core.models import Centre, Municipality, Organisation
from teilhabe.core.roles import CENTRE_STAFF
from teilhabe.core.tenancy import TenantPolicy, tenant_manager


class FieldOfAction(models.TextChoices):
    """The fields of action of a KI (DOMAIN.md)."""

    EDUCATION = "education", _("Integration through education")
    CROSS_CUTTING = "cross_cutting", _("Integration as a cross-cutting task")
    MIGRATION = "migration", _("Immigration and refuge")


class Actor(models.Model):
    """An organisation or authority the centre works with."""

    tenant_policy = TenantPolicy(roles=CENTRE_STAFF)

    class Kind(models.TextChoices):
        IMMIGRATION_OFFICE = "immigration_office", _("Immigration office (Ausländerbehörde)")
        JOBCENTRE = "jobcentre", _("Jobcenter")
        EMPLOYMENT_AGENCY = "employment_agency", _("Employment agency")
        SOCIAL_WELFARE_OFFICE = "social_welfare_office", _("Social welfare office")
        YOUTH_OFFICE = "youth_office", _("Youth welfare office")
        SCHOOL_AUTHORITY = "school_authority", _("School authority (Schulamt)")
        SCHOOL_OFFICE = "school_office", _("Municipal school office")
        HEALTH_OFFICE = "health_office", _("Public health office")
        WELFARE = "welfare", _("Welfare organisation")
        PROVIDER = "provider", _("Provider")
        MSO = "mso", _("Migrant organisation (MSO)")
        VOLUNTEER_INITIATIVE = "volunteer_initiative", _("Volunteer initiative")
        SCHOOL = "school", _("School")
        KITA = "kita", _("Day-care centre (Kita)")
        SPORTS_CLUB = "sports_club", _("Sports club")
        INTEGRATION_COUNCIL = "integration_council", _("Integration council")
        CHAMBER = "chamber", _("Chamber")
        EMPLOYER = "employer", _("Employer")
        ADULT_EDUCATION = "adult_education", _("Adult education")

    #: Kinds that are public authorities (agencies of the Regelsystem).
    AUTHORITIES = frozenset(
        {
            Kind.IMMIGRATION_OFFICE,
            Kind.JOBCENTRE,
            Kind.EMPLOYMENT_AGENCY,
            Kind.SOCIAL_WELFARE_OFFICE,
            Kind.YOUTH_OFFICE,
            Kind.SCHOOL_AUTHORITY,
            Kind.SCHOOL_OFFICE,
            Kind.HEALTH_OFFICE,
        }
    )

    centre = models.ForeignKey(Centre, on_delete=models.PROTECT, related_name="actors")
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent organisation"),
    )
    #: The log-in side of a partner: its users maintain this actor's data.
    organisation = models.OneToOneField(
        Organisation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="actor",
        verbose_name=_("partner organisation with log-in"),
    )
    description = models.TextField(_("description"), blank=True)
    street = models.CharField(_("street and number"), max_length=200, blank=True)
    postcode = models.CharField(_("postcode"), max_length=5, blank=True)
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="actors",
        verbose_name=_("Gemeinde"),
    )
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=8,
        decimal_places=5,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=8,
        decimal_places=5,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    website = models.URLField(_("website"), blank=True)
    fields_of_action = models.JSONField(_("fields of action"), default=list, blank=True)
    languages = models.CharField(
        _("languages spoken"),
        max_length=200,
        blank=True,
        help_text=_("Comma-separated, e.g. Arabisch, Ukrainisch, Türkisch."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created = models.DateTimeField(_("created"), default=timezone.now)
    updated = models.DateTimeField(_("last changed"), auto_now=True)

    objects = tenant_manager()

    class Meta:
        verbose_name = _("actor")
        verbose_name_plural = _("actors")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["centre", "name"], name="actor_unique_name_in_centre")
        ]
        indexes = [models.Index(fields=["centre", "kind"], name="actor_centre_kind")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_authority(self) -> bool:
        return self.kind in self.AUTHORITIES

    def field_of_action_labels(self) -> list[str]:
        labels = dict(FieldOfAction.choices)
        return [str(labels[f]) for f in self.fields_of_action if f in labels]

    def language_list(self) -> list[str]:
        return [lang.strip() for lang in self.languages.split(",") if lang.strip()]


class ContactPerson(models.Model):
    """A person to contact at an actor; only public ones may appear in the public directory."""

    tenant_policy = TenantPolicy(centre_path="actor__centre", roles=CENTRE_STAFF)

    actor = models.ForeignKey(Actor, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("name"), max_length=200)
    function = models.CharField(_("function"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    is_public = models.BooleanField(
        _("public"),
        default=False,
        help_text=_("Shown in the public directory. Only with the person's consent."),
    )

    objects = tenant_manager("actor__centre")

    class Meta:
        verbose_name = _("contact person")
        verbose_name_plural = _("contact persons")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class WorkingGroup(models.Model):
    """A network, working group or steering group the centre runs or takes part in."""

    tenant_policy = TenantPolicy(roles=CENTRE_STAFF)

    class Kind(models.TextChoices):
        NETWORK = "network", _("Network")
        WORKING_GROUP = "working_group", _("Working group")
        STEERING = "steering", _("Steering group")

    centre = models.ForeignKey(Centre, on_delete=models.PROTECT, related_name="working_groups")
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    description = models.TextField(_("purpose"), blank=True)
    fields_of_action = models.JSONField(_("fields of action"), default=list, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created = models.DateTimeField(_("created"), default=timezone.now)

    objects = tenant_manager()

    class Meta:
        verbose_name = _("working group")
        verbose_name_plural = _("networks and working groups")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["centre", "name"], name="group_unique_name_in_centre")
        ]

    def __str__(self) -> str:
        return self.name


class GroupMember(models.Model):
    """An actor taking part in a working group, with its role there."""

    tenant_policy = TenantPolicy(centre_path="group__centre", roles=CENTRE_STAFF)

    group = models.ForeignKey(WorkingGroup, on_delete=models.CASCADE, related_name="members")
    actor = models.ForeignKey(Actor, on_delete=models.CASCADE, related_name="group_memberships")
    role = models.CharField(_("role in the group"), max_length=100, blank=True)
    since = models.DateField(_("member since"), default=timezone.localdate)

    objects = tenant_manager("group__centre")

    class Meta:
        verbose_name = _("group member")
        verbose_name_plural = _("group members")
        ordering = ["actor__name"]
        constraints = [
            models.UniqueConstraint(fields=["group", "actor"], name="group_member_unique")
        ]

    def __str__(self) -> str:
        return f"{self.actor} ({self.group})"


class Meeting(models.Model):
    """A meeting of a working group: who came, what was discussed and decided."""

    tenant_policy = TenantPolicy(centre_path="group__centre", roles=CENTRE_STAFF)

    group = models.ForeignKey(WorkingGroup, on_delete=models.CASCADE, related_name="meetings")
    date = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    attendees = models.ManyToManyField(
        Actor, blank=True, related_name="meetings_attended", verbose_name=_("attending actors")
    )
    minutes = models.TextField(_("minutes"), blank=True)
    decisions = models.TextField(_("decisions"), blank=True)

    objects = tenant_manager("group__centre")

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-date"]

    def __str__(self) -> str:
        return f"{self.group} · {self.date:%d.%m.%Y}"


class FollowUp(models.Model):
    """A task agreed at a meeting."""

    tenant_policy = TenantPolicy(centre_path="meeting__group__centre", roles=CENTRE_STAFF)

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="follow_ups")
    task = models.CharField(_("task"), max_length=300)
    responsible = models.ForeignKey(
        Actor,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="follow_ups",
        verbose_name=_("responsible"),
    )
    due = models.DateField(_("due"), null=True, blank=True)
    done = models.BooleanField(_("done"), default=False)

    objects = tenant_manager("meeting__group__centre")

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        ordering = ["done", "due", "pk"]

    def __str__(self) -> str:
        return self.task


class CooperationAgreement(models.Model):
    """A cooperation agreement with actors, valid for a period, with a reminder before it ends."""

    tenant_policy = TenantPolicy(roles=CENTRE_STAFF)

    centre = models.ForeignKey(Centre, on_delete=models.PROTECT, related_name="agreements")
    title = models.CharField(_("title"), max_length=200)
    partners = models.ManyToManyField(Actor, related_name="agreements", verbose_name=_("partners"))
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    remind_days = models.PositiveSmallIntegerField(
        _("reminder (days before the end)"),
        default=90,
        validators=[MaxValueValidator(730)],
    )
    notes = models.TextField(_("notes"), blank=True)

    objects = tenant_manager()

    class Meta:
        verbose_name = _("cooperation agreement")
        verbose_name_plural = _("cooperation agreements")
        ordering = ["valid_until", "title"]
        constraints = [
            models.CheckConstraint(
                name="agreement_ends_after_start",
                condition=models.Q(valid_until__isnull=True)
                | models.Q(valid_until__gte=models.F("valid_from")),
            )
        ]

    def __str__(self) -> str:
        return self.title

    def status(self, today: date | None = None) -> str:
        """Return ``expired``, ``ending`` (in the reminder period), ``running`` or ``future``."""
        today = today or timezone.localdate()
        if self.valid_from > today:
            return "future"
        if self.valid_until is None:
            return "running"
        if self.valid_until < today:
            return "expired"
        if (self.valid_until - today).days <= self.remind_days:
            return "ending"
        return "running"
