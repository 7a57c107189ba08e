"""The work on a case: needs, help plan, contacts, referrals, conferences, documents, gaps."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from teilhabe.core.models import Centre
from teilhabe.core.roles import Role
from teilhabe.core.tenancy import AuditedTenantQuerySet, TenantPolicy, tenant_manager

from .case import Case, Consent
from .person import CASE_ROLES


def _case_policy(**kwargs) -> TenantPolicy:  # type: ignore[no-untyped-def]
    """Rows of a case are seen by whoever sees the case."""
    return TenantPolicy(
        centre_path="case__centre",
        roles=kwargs.get("roles", CASE_ROLES),
        area_path="case__case_area",
        owner_path="case__case_manager",
    )


class LifeArea(models.TextChoices):
    """Life areas a need is assessed in (DOMAIN.md)."""

    LANGUAGE = "language", _("Language")
    EDUCATION = "education", _("Education")
    WORK = "work", _("Work and training")
    HOUSING = "housing", _("Housing")
    HEALTH = "health", _("Health")
    RESIDENCE = "residence", _("Residence and legal matters")
    FAMILY = "family", _("Family and children")
    FINANCES = "finances", _("Finances and livelihood")
    PARTICIPATION = "participation", _("Social participation")


class NeedAssessment(models.Model):
    """The situation in every life area on one day; repeated to show progress."""

    tenant_policy = _case_policy()

    #: 1 = acute need for action … 5 = no support needed.
    SCALE = (
        (1, _("1 – acute need for action")),
        (2, _("2 – considerable need")),
        (3, _("3 – some need")),
        (4, _("4 – largely stable")),
        (5, _("5 – no support needed")),
    )

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="assessments")
    assessed_on = models.DateField(_("assessed on"), default=timezone.localdate)
    #: ``{life_area: score}`` for the areas assessed.
    scores = models.JSONField(_("scores"), default=dict)
    note = models.TextField(_("note"), blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    objects = tenant_manager("case__centre")

    class Meta:
        verbose_name = _("needs assessment")
        verbose_name_plural = _("needs assessments")
        ordering = ["assessed_on", "pk"]

    def __str__(self) -> str:
        return str(self.assessed_on)

    def needs(self) -> list[str]:
        """Return the life areas with a need (score 3 or lower)."""
        return [area for area, score in self.scores.items() if score is not None and score <= 3]


class Goal(models.Model):
    """A goal of the help plan for one life area."""

    tenant_policy = _case_policy()

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        ACHIEVED = "achieved", _("achieved")
        PARTLY = "partly", _("partly achieved")
        DROPPED = "dropped", _("dropped")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="goals")
    life_area = models.CharField(_("life area"), max_length=16, choices=LifeArea.choices)
    description = models.CharField(_("goal"), max_length=300)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    created = models.DateTimeField(default=timezone.now)

    objects = tenant_manager("case__centre")

    class Meta:
        verbose_name = _("goal")
        verbose_name_plural = _("goals")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.description


class Action(models.Model):
    """An agreed step of the help plan: what, who does it, by when."""

    tenant_policy = _case_policy()

    class Responsible(models.TextChoices):
        PERSON = "person", _("the person")
        CASE_MANAGER = "case_manager", _("case manager")
        AGENCY = "agency", _("agency")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="actions")
    goal = models.ForeignKey(
        Goal,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="actions",
        verbose_name=_("goal"),
    )
    description = models.CharField(_("step"), max_length=300)
    responsible = models.CharField(_("who does it"), max_length=14, choices=Responsible.choices)
    agency = models.ForeignKey(
        "network.Actor",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("agency"),
    )
    due_on = models.DateField(_("due on"), null=True, blank=True)
    done_on = models.DateField(_("done on"), null=True, blank=True)
    is_cancelled = models.BooleanField(_("cancelled"), default=False)
    conference = models.ForeignKey(
        "CaseConference",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="actions",
        verbose_name=_("agreed in the case conference"),
    )
    created = models.DateTimeField(default=timezone.now)

    objects = tenant_manager("case__centre")

    class Meta:
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        ordering = ["done_on", "due_on", "pk"]
        indexes = [models.Index(fields=["case", "done_on", "due_on"], name="action_open_due")]

    def __str__(self) -> str:
        return self.description

    @property
    def is_open(self) -> bool:
        return self.done_on is None and not self.is_cancelled

    @property
    def is_overdue(self) -> bool:
        return self.is_open and self.due_on is not None and self.due_on < timezone.localdate()


class Contact(models.Model):
    """A counselling contact, with the minutes spent on each theme."""

    tenant_policy = _case_policy()

    class Channel(models.TextChoices):
        IN_PERSON = "in_person", _("in person")
        PHONE = "phone", _("by phone")
        DIGITAL = "digital", _("digital")
        OUTREACH = "outreach", _("outreach (home visit)")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="contacts")
    date = models.DateField(_("date"), default=timezone.localdate)
    duration = models.PositiveSmallIntegerField(_("duration (minutes)"))
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    interpreter_language = models.CharField(
        _("interpreter used (language)"), max_length=60, blank=True
    )
    #: ``{life_area: minutes}``; the minutes add up to at most the duration.
    themes = models.JSONField(_("minutes per theme"), default=dict, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created = models.DateTimeField(default=timezone.now)

    objects = tenant_manager("case__centre")

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["-date", "-pk"]
        indexes = [models.Index(fields=["case", "date"], name="contact_case_date")]

    def __str__(self) -> str:
        return f"{self.date} ({self.get_channel_display()})"

    def theme_labels(self) -> list[tuple[str, int]]:
        labels = dict(LifeArea.choices)
        return [(str(labels.get(area, area)), minutes) for area, minutes in self.themes.items()]


class Appointment(models.Model):
    """A planned meeting with the person."""

    tenant_policy = _case_policy()

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="appointments")
    starts = models.DateTimeField(_("date and time"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    interpreter_language = models.CharField(_("interpreter for"), max_length=60, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    objects = tenant_manager("case__centre")

    class Meta:
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        ordering = ["starts"]

    def __str__(self) -> str:
        return str(self.starts)


class ReferralQuerySet(AuditedTenantQuerySet):
    def addressed_to(self, user) -> ReferralQuerySet:  # type: ignore[no-untyped-def]
        """Return the referrals sent to the partner organisations ``user`` works for."""
        if not user.is_authenticated:
            return self.none()
        pairs = [
            (m.centre_id, m.organisation_id)
            for m in user.active_memberships()
            if m.role == Role.PARTNER and m.organisation_id
        ]
        condition = models.Q(pk__in=[])
        for centre_id, organisation_id in pairs:
            condition |= models.Q(
                case__centre_id=centre_id, agency__organisation_id=organisation_id
            )
        return self.filter(condition)


class Referral(models.Model):
    """A referral (Vermittlung) of the person to an agency or to one of its offers."""

    class Status(models.TextChoices):
        SENT = "sent", _("sent")
        ACCEPTED = "accepted", _("accepted")
        DECLINED = "declined", _("declined")
        STARTED = "started", _("started")
        COMPLETED = "completed", _("completed")
        CANCELLED = "cancelled", _("cancelled")

    #: Statuses after which nothing happens any more.
    FINAL = frozenset({Status.DECLINED, Status.COMPLETED, Status.CANCELLED})

    #: Partners see referrals addressed to them; the query for them is ``addressed_to``.
    tenant_policy = _case_policy()

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="referrals")
    agency = models.ForeignKey(
        "network.Actor",
        on_delete=models.PROTECT,
        related_name="referrals",
        verbose_name=_("agency"),
    )
    offer = models.ForeignKey(
        "offers.Offer",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="referrals",
        verbose_name=_("offer"),
    )
    reason = models.TextField(_("what the person needs"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.SENT
    )
    answer = models.TextField(_("answer"), blank=True)
    sent_on = models.DateField(_("sent on"), default=timezone.localdate)
    answered_on = models.DateField(_("answered on"), null=True, blank=True)
    consent = models.ForeignKey(
        Consent, on_delete=models.SET_NULL, null=True, blank=True, related_name="referrals"
    )
    #: Set when someone with the permission sent it without a valid consent.
    override_reason = models.TextField(_("reason for sending without consent"), blank=True)
    updated = models.DateTimeField(auto_now=True)

    objects = tenant_manager("case__centre", ReferralQuerySet)

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        ordering = ["-sent_on", "-pk"]
        indexes = [models.Index(fields=["agency", "status"], name="referral_agency_status")]

    def __str__(self) -> str:
        return f"{self.case} → {self.agency}"

    @property
    def is_open(self) -> bool:
        return self.status not in self.FINAL


class CaseConference(models.Model):
    """A multi-agency case conference (Fall-/Teilhabekonferenz)."""

    tenant_policy = _case_policy()

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="conferences")
    date = models.DateTimeField(_("date and time"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    agencies = models.ManyToManyField(
        "network.Actor", related_name="+", blank=True, verbose_name=_("invited agencies")
    )
    other_participants = models.CharField(
        _("other participants"),
        max_length=300,
        blank=True,
        help_text=_("e.g. the person, a family member, an interpreter"),
    )
    agenda = models.TextField(_("agenda"), blank=True)
    minutes = models.TextField(_("minutes"), blank=True)
    held = models.BooleanField(_("held"), default=False)
    override_reason = models.TextField(_("reason for inviting without consent"), blank=True)

    objects = tenant_manager("case__centre")

    class Meta:
        verbose_name = _("case conference")
        verbose_name_plural = _("case conferences")
        ordering = ["-date"]

    def __str__(self) -> str:
        return f"{self.case} – {self.date:%d.%m.%Y}"


def _document_path(document: Document, filename: str) -> str:
    return f"cases/{document.case.centre_id}/{document.case_id}/{filename}"


class Document(models.Model):
    """A file kept with the case (a scanned consent, a notice, a certificate)."""

    tenant_policy = _case_policy()

    class Kind(models.TextChoices):
        CONSENT = "consent", _("signed consent")
        NOTICE = "notice", _("notice of an authority")
        CERTIFICATE = "certificate", _("certificate")
        APPLICATION = "application", _("application")
        OTHER = "other", _("other")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    file = models.FileField(_("file"), upload_to=_document_path)
    name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveIntegerField(_("size (bytes)"))
    content_type = models.CharField(max_length=100)
    uploaded = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    objects = tenant_manager("case__centre")

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["-uploaded"]

    def __str__(self) -> str:
        return self.name


class SystemGap(models.Model):
    """A structural barrier a case revealed (Systemrückmeldung), without personal data.

    It belongs to the centre, not to the case: it outlives the case's erasure.
    """

    #: Read by those who steer (aggregated, pseudonymous); case managers only report them.
    tenant_policy = TenantPolicy(roles=frozenset({Role.COORDINATOR, Role.LEADERSHIP}))

    class Category(models.TextChoices):
        WAITING_TIMES = "waiting_times", _("waiting times")
        LANGUAGE = "language", _("language barrier / no interpreting")
        MISSING_OFFER = "missing_offer", _("missing offer")
        ACCESS = "access", _("access rules / eligibility")
        COOPERATION = "cooperation", _("cooperation between agencies")
        INFORMATION = "information", _("information and forms")
        DISCRIMINATION = "discrimination", _("discrimination")
        OTHER = "other", _("other")

    centre = models.ForeignKey(Centre, on_delete=models.PROTECT, related_name="system_gaps")
    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    agency = models.ForeignKey(
        "network.Actor",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="system_gaps",
        verbose_name=_("agency concerned"),
    )
    description = models.TextField(
        _("description"), help_text=_("Describe the barrier without naming or identifying people.")
    )
    reported_on = models.DateField(_("reported on"), default=timezone.localdate)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    #: The case it came from; cleared when the case is erased.
    case = models.ForeignKey(
        Case, on_delete=models.SET_NULL, null=True, blank=True, related_name="system_gaps"
    )
    taken_up_on = models.DateField(_("taken up on"), null=True, blank=True)
    taken_up_note = models.TextField(_("what is done about it"), blank=True)

    objects = tenant_manager()

    class Meta:
        verbose_name = _("system gap")
        verbose_name_plural = _("system gaps")
        ordering = ["-reported_on", "-pk"]

    def __str__(self) -> str:
        return self.get_category_display()


class ErasureEntry(models.Model):
    """The erasure journal: what the retention run erased, without the erased data itself."""

    tenant_policy = TenantPolicy(roles=frozenset({Role.DATA_PROTECTION, Role.ADMINISTRATION}))

    class Outcome(models.TextChoices):
        ERASED = "erased", _("erased")
        HELD = "held", _("kept: legal hold")

    centre = models.ForeignKey(Centre, on_delete=models.PROTECT, related_name="+")
    case_reference = models.CharField(_("case reference"), max_length=20)
    closed_on = models.DateField(_("closed on"), null=True)
    due_on = models.DateField(_("due on"), null=True)
    outcome = models.CharField(_("outcome"), max_length=8, choices=Outcome.choices)
    #: What was removed, as counts per kind (no content).
    removed = models.JSONField(_("removed"), default=dict)
    at = models.DateTimeField(_("time"), default=timezone.now)
    run = models.CharField(_("run"), max_length=40)

    objects = tenant_manager()

    class Meta:
        verbose_name = _("erasure journal entry")
        verbose_name_plural = _("erasure journal")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.case_reference} ({self.get_outcome_display()})"
