"""Actors of the integration network and the changes their partners propose."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from teilhabe.core.models import Centre, Coordinates, Municipality, Organisation
from teilhabe.core.roles import CENTRE_STAFF
from teilhabe.core.tenancy import TenantPolicy, tenant_manager


class FieldOfAction(models.TextChoices):
    """The fields of action of a KI (DOMAIN.md)."""

    EDUCATION = "education", _("Integration through education")
    CROSS_CUTTING = "cross_cutting", _("Integration as a cross-cutting task")
    MIGRATION = "migration", _("Immigration and refuge")


class Actor(Coordinates):
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


class ActorChange(models.Model):
    """A partner's proposal to change its public actor data, reviewed before it goes live."""

    tenant_policy = TenantPolicy(centre_path="actor__centre", roles=CENTRE_STAFF)

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting for review")
        APPROVED = "approved", _("approved")
        REJECTED = "rejected", _("rejected")

    #: The fields a partner may propose to change.
    FIELDS = (
        "description",
        "street",
        "postcode",
        "municipality",
        "email",
        "phone",
        "website",
        "fields_of_action",
        "languages",
    )

    actor = models.ForeignKey(Actor, on_delete=models.CASCADE, related_name="changes")
    proposed = models.JSONField(_("proposed values"))
    proposed_by = models.ForeignKey(
        "core.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("proposed by")
    )
    created = models.DateTimeField(_("proposed on"), default=timezone.now)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    reviewed_by = models.ForeignKey(
        "core.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    reviewed = models.DateTimeField(_("reviewed on"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)

    objects = tenant_manager("actor__centre")

    class Meta:
        verbose_name = _("proposed change")
        verbose_name_plural = _("proposed changes")
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.actor} · {self.created:%d.%m.%Y}"

    def differences(self) -> list[tuple[str, str, str]]:
        """Return (field label, current value, proposed value) for each field that changes."""
        rows = []
        for name in self.FIELDS:
            if name not in self.proposed:
                continue
            current = getattr(self.actor, f"{name}_id" if name == "municipality" else name)
            new = self.proposed[name]
            if current == new or (current in (None, "") and new in (None, "")):
                continue
            rows.append(
                (
                    str(Actor._meta.get_field(name).verbose_name),
                    _show(self.actor, name, current),
                    _show(self.actor, name, new),
                )
            )
        return rows


def _show(actor: Actor, name: str, value: object) -> str:
    if name == "municipality":
        return str(Municipality.objects.filter(pk=value).first() or "–") if value else "–"
    if name == "fields_of_action":
        labels = dict(FieldOfAction.choices)
        return ", ".join(str(labels.get(v, v)) for v in value or []) or "–"
    return str(value) if value not in (None, "") else "–"
