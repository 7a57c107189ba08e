"""The case (Fall) and its consents: who accompanies whom, in which phase, with what permission."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from teilhabe.core.models import CaseArea, Centre
from teilhabe.core.roles import Role
from teilhabe.core.tenancy import TenantPolicy, tenant_manager

from .person import CASE_ROLES, Person


class CaseSettings(models.Model):
    """What a centre decides for its case management (DOMAIN.md: configurable per centre)."""

    tenant_policy = TenantPolicy(
        roles=CASE_ROLES | {Role.LEADERSHIP, Role.ADMINISTRATION, Role.DATA_PROTECTION}
    )

    centre = models.OneToOneField(Centre, on_delete=models.CASCADE, related_name="case_settings")
    retention_years = models.PositiveSmallIntegerField(
        _("years a closed case is kept"),
        default=3,
        help_text=_("The case is erased this many years after closure unless a legal hold is set."),
    )
    eligibility = models.TextField(
        _("who is eligible"),
        blank=True,
        help_text=_("The centre's own rule, e.g. “at most 3 years in the Kreis”."),
    )
    controller = models.CharField(
        _("controller of the data"),
        max_length=200,
        blank=True,
        help_text=_("Default for new cases (joint controllership with the state KIM database)."),
    )

    objects = tenant_manager()

    class Meta:
        verbose_name = _("case management settings")
        verbose_name_plural = _("case management settings")

    def __str__(self) -> str:
        return str(self.centre)


class Case(models.Model):
    """A person accompanied by KIM case management, from first contact to closure."""

    tenant_policy = TenantPolicy(roles=CASE_ROLES, area_path="case_area", owner_path="case_manager")

    class Phase(models.TextChoices):
        INTAKE = "intake", _("First contact / clearing")
        ASSESSMENT = "assessment", _("Assessment")
        PLANNING = "planning", _("Help planning")
        IMPLEMENTATION = "implementation", _("Implementation")
        MONITORING = "monitoring", _("Monitoring")
        CLOSED = "closed", _("Closed")

    class Priority(models.IntegerChoices):
        LOW = 1, _("low")
        NORMAL = 2, _("normal")
        HIGH = 3, _("high")

    class ClosingReason(models.TextChoices):
        GOALS_REACHED = "goals_reached", _("goals reached")
        HANDED_OVER = "handed_over", _("handed over to the regular services")
        MOVED_AWAY = "moved_away", _("moved away")
        WITHDRAWN = "withdrawn", _("person no longer wishes support")
        NO_CONTACT = "no_contact", _("no contact any more")
        NOT_ELIGIBLE = "not_eligible", _("not eligible")
        OTHER = "other", _("other reason")

    centre = models.ForeignKey(Centre, on_delete=models.PROTECT, related_name="cases")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="cases")
    reference = models.CharField(_("reference"), max_length=20)
    phase = models.CharField(_("phase"), max_length=16, choices=Phase.choices, default=Phase.INTAKE)
    case_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("case manager"),
    )
    case_area = models.ForeignKey(
        CaseArea,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("Bezirk"),
    )
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=Priority.choices, default=Priority.NORMAL
    )
    is_hardship = models.BooleanField(_("hardship case (Härtefall)"), default=False)
    summary = models.TextField(_("reason for contact"), blank=True)
    #: Life areas with a need in the latest assessment (kept by ``record_assessment``).
    needs = models.JSONField(_("needs"), default=list, blank=True, editable=False)
    controller = models.CharField(_("controller of the data"), max_length=200, blank=True)
    opened_on = models.DateField(_("first contact"), default=timezone.localdate)
    assigned_on = models.DateField(_("assigned on"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    closing_reason = models.CharField(
        _("closing reason"), max_length=16, choices=ClosingReason.choices, blank=True
    )
    closing_note = models.TextField(_("closing note"), blank=True)
    #: Closed cases are erased on this day by the retention run, unless ``legal_hold`` is set.
    erase_on = models.DateField(_("erase on"), null=True, blank=True)
    legal_hold = models.BooleanField(_("legal hold"), default=False)
    legal_hold_reason = models.CharField(_("reason for the legal hold"), max_length=200, blank=True)
    #: Raised by every save through the services; a save based on an older version is refused.
    version = models.PositiveIntegerField(default=1, editable=False)
    created = models.DateTimeField(_("created"), default=timezone.now)
    updated = models.DateTimeField(_("last changed"), auto_now=True)

    objects = tenant_manager()

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-opened_on", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["centre", "reference"], name="case_unique_reference"),
        ]
        indexes = [
            models.Index(fields=["centre", "phase"], name="case_centre_phase"),
            models.Index(fields=["case_manager", "phase"], name="case_manager_phase"),
            models.Index(fields=["centre", "erase_on"], name="case_centre_erase_on"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_closed(self) -> bool:
        return self.phase == self.Phase.CLOSED

    @property
    def is_waiting(self) -> bool:
        return self.case_manager_id is None and not self.is_closed


class PhaseChange(models.Model):
    """A step of a case from one phase to another; the durations of phases come from these."""

    tenant_policy = TenantPolicy(
        centre_path="case__centre",
        roles=CASE_ROLES,
        area_path="case__case_area",
        owner_path="case__case_manager",
    )

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="phase_changes")
    from_phase = models.CharField(max_length=16, choices=Case.Phase.choices, blank=True)
    to_phase = models.CharField(max_length=16, choices=Case.Phase.choices)
    reason = models.TextField(_("reason"), blank=True)
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    objects = tenant_manager("case__centre")

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_phase or '–'} → {self.to_phase}"


class Handover(models.Model):
    """A case moved from one case manager to another, with the note for the new one."""

    tenant_policy = TenantPolicy(
        centre_path="case__centre",
        roles=CASE_ROLES,
        area_path="case__case_area",
        owner_path="case__case_manager",
    )

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="handovers")
    from_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    to_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(_("handover note"), blank=True)
    at = models.DateTimeField(default=timezone.now)

    objects = tenant_manager("case__centre")

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.case} → {self.to_user}"


class Consent(models.Model):
    """Consent of a person for one purpose and one receiving agency (§ 67b SGB X, Art. 7 DSGVO).

    Without an agency the consent covers the centre's own processing for the purpose.
    """

    tenant_policy = TenantPolicy(centre_path="person__centre", roles=CASE_ROLES)

    class Purpose(models.TextChoices):
        CASE_MANAGEMENT = "case_management", _("case management by the centre")
        REFERRAL = "referral", _("referral and exchange of data with the agency")
        CONFERENCE = "conference", _("case conference with the agency")
        STATE_DATABASE = "state_database", _("entry in the state KIM case database")

    class Form(models.TextChoices):
        PAPER = "paper", _("signed on paper")
        ELECTRONIC = "electronic", _("electronically")

    class Signatory(models.TextChoices):
        PERSON = "person", _("the person")
        GUARDIAN = "guardian", _("legal guardian")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(_("purpose"), max_length=16, choices=Purpose.choices)
    agency = models.ForeignKey(
        "network.Actor",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("receiving agency"),
    )
    form = models.CharField(_("form"), max_length=10, choices=Form.choices)
    signed_by = models.CharField(
        _("given by"), max_length=10, choices=Signatory.choices, default=Signatory.PERSON
    )
    given_on = models.DateField(_("given on"))
    expires_on = models.DateField(_("valid until"), null=True, blank=True)
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created = models.DateTimeField(default=timezone.now)

    objects = tenant_manager("person__centre")

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["-given_on", "-pk"]

    def __str__(self) -> str:
        agency = f" – {self.agency}" if self.agency_id else ""
        return f"{self.get_purpose_display()}{agency}"

    def is_valid(self, on: datetime.date | None = None) -> bool:
        """Return whether the consent is in force on ``on`` (today by default)."""
        on = on or timezone.localdate()
        if self.given_on > on:
            return False
        if self.withdrawn_on is not None and self.withdrawn_on <= on:
            return False
        return self.expires_on is None or self.expires_on >= on
