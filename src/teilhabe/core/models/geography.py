"""Geography of NRW and the centres (the tenants)."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..audit import AuditedQuerySet
from ..roles import CENTRE_STAFF
from ..tenancy import TenantPolicy, tenant_manager


class State(models.Model):
    """A German Land."""

    ags = models.CharField(_("key"), max_length=2, unique=True)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        verbose_name = _("state")
        verbose_name_plural = _("states")

    def __str__(self) -> str:
        return self.name


class AdministrativeDistrict(models.Model):
    """A Regierungsbezirk."""

    state = models.ForeignKey(State, on_delete=models.PROTECT, related_name="districts")
    ags = models.CharField(_("key"), max_length=3, unique=True)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        verbose_name = _("administrative district")
        verbose_name_plural = _("administrative districts")
        ordering = ["ags"]

    def __str__(self) -> str:
        return self.name


class District(models.Model):
    """A Kreis, a kreisfreie Stadt or the Städteregion Aachen."""

    class Kind(models.TextChoices):
        KREIS = "kreis", _("District (Kreis)")
        KREISFREIE_STADT = "kreisfreie_stadt", _("County-free city")
        STAEDTEREGION = "staedteregion", _("City region")

    administrative_district = models.ForeignKey(
        AdministrativeDistrict, on_delete=models.PROTECT, related_name="districts"
    )
    ags = models.CharField(_("district key"), max_length=5, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    #: Approximate residents (reference data); weighs the centres in the generators.
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)

    class Meta:
        verbose_name = _("district")
        verbose_name_plural = _("districts")
        ordering = ["name"]

    def __str__(self) -> str:
        if self.kind == self.Kind.KREIS and "kreis" not in self.name.lower():
            return f"Kreis {self.name}"
        return self.name


class Municipality(models.Model):
    """A Gemeinde (or the city itself, for a kreisfreie Stadt)."""

    class Kind(models.TextChoices):
        GEMEINDE = "gemeinde", _("Municipality")
        STADT = "stadt", _("Town")
        KREISFREIE_STADT = "kreisfreie_stadt", _("County-free city")

    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="municipalities")
    ags = models.CharField(_("municipality key (AGS)"), max_length=8, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    latitude = models.DecimalField(_("latitude"), max_digits=8, decimal_places=5, null=True)
    longitude = models.DecimalField(_("longitude"), max_digits=8, decimal_places=5, null=True)
    #: Approximate residents (reference data).
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)

    class Meta:
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Coordinates(models.Model):
    """A point on the map (WGS84), for places of actors and offers."""

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

    class Meta:
        abstract = True


class Centre(models.Model):
    """A Kommunales Integrationszentrum: the tenant every centre-owned row belongs to."""

    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="centres")
    #: Set for a city with a centre of its own inside a district (Aachen in the Städteregion).
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    name = models.CharField(_("name"), max_length=200, unique=True)
    slug = models.SlugField(_("short name"), max_length=60, unique=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)

    objects = AuditedQuerySet.as_manager()

    class Meta:
        verbose_name = _("integration centre")
        verbose_name_plural = _("integration centres")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def municipalities(self) -> models.QuerySet[Municipality]:
        """Return the Gemeinden this centre works in."""
        if self.municipality_id:
            return Municipality.objects.filter(pk=self.municipality_id)
        return self.district.municipalities.all()


class CaseArea(models.Model):
    """A Bezirk of case management: one Gemeinde, part of one, or several."""

    tenant_policy = TenantPolicy(roles=CENTRE_STAFF, area_path="pk")

    centre = models.ForeignKey(Centre, on_delete=models.PROTECT, related_name="case_areas")
    name = models.CharField(_("name"), max_length=120)
    municipalities = models.ManyToManyField(
        Municipality, verbose_name=_("municipalities"), related_name="case_areas", blank=True
    )
    description = models.TextField(_("description"), blank=True)

    objects = tenant_manager()

    class Meta:
        verbose_name = _("case area (Bezirk)")
        verbose_name_plural = _("case areas (Bezirke)")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["centre", "name"], name="case_area_unique_name")
        ]

    def __str__(self) -> str:
        return self.name
