"""Networks and working groups, their meetings, and cooperation agreements."""

from __future__ import annotations

from datetime import date

from django.core.validators import MaxValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from teilhabe.core.models import Centre
from teilhabe.core.roles import CENTRE_STAFF
from teilhabe.core.tenancy import TenantPolicy, tenant_manager

from .actors import Actor


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
        ordering = ["done", models.F("due").asc(nulls_last=True), "pk"]

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
